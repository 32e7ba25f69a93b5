// Decoders for the wire forms of PT_SOCKTUPLE and PT_SOCKADDR: family byte, then for inet
// addresses (network order) and ports (host order), for unix two kernel socket pointers
// (tuples only) and the path.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "scap/event.h"

namespace drvtest {

struct net_endpoints {
    int family = -1;             // -1: could not decode
    std::string src_ip, dst_ip;  // raw address bytes (4 or 16)
    uint16_t src_port = 0, dst_port = 0;
    std::string unix_path;
    uint64_t unix_src = 0, unix_dst = 0;  // kernel socket addresses of a unix tuple
};

inline uint16_t port_at(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

inline net_endpoints decode_tuple(const scap::param_view& p) {
    net_endpoints e;
    if (p.len == 0) return e;
    const int fam = p.data[0];
    const size_t ip = fam == AF_INET ? 4 : fam == AF_INET6 ? 16 : 0;
    if (ip && p.len == 1 + 2 * (ip + 2)) {
        e.family = fam;
        e.src_ip.assign(reinterpret_cast<const char*>(p.data + 1), ip);
        e.src_port = port_at(p.data + 1 + ip);
        e.dst_ip.assign(reinterpret_cast<const char*>(p.data + 3 + ip), ip);
        e.dst_port = port_at(p.data + 3 + 2 * ip);
    } else if (fam == AF_UNIX && p.len >= 17) {
        e.family = fam;
        std::memcpy(&e.unix_src, p.data + 1, 8);
        std::memcpy(&e.unix_dst, p.data + 9, 8);
        e.unix_path = std::string(scap::param_view{p.data + 17, p.len - 17}.str());
    }
    return e;
}

inline net_endpoints decode_sockaddr(const scap::param_view& p) {
    net_endpoints e;
    if (p.len == 0) return e;
    const int fam = p.data[0];
    const size_t ip = fam == AF_INET ? 4 : fam == AF_INET6 ? 16 : 0;
    if (ip && p.len == 1 + ip + 2) {
        e.family = fam;
        e.dst_ip.assign(reinterpret_cast<const char*>(p.data + 1), ip);
        e.dst_port = port_at(p.data + 1 + ip);
    } else if (fam == AF_UNIX) {
        e.family = fam;
        e.unix_path = std::string(scap::param_view{p.data + 1, p.len - 1}.str());
    }
    return e;
}

}  // namespace drvtest
