// The socket-end helpers of fd_common.h.
#include "fields/fd_common.h"

#include <arpa/inet.h>

#include <cstring>

namespace sinsp::fields {

bool is_file(const fd_info& fd) {
    return fd.kind == fd_kind::file || fd.kind == fd_kind::directory;
}

bool append_directory(const fd_info& fd, std::string& out) {
    if (is_unknown_fd(fd)) {
        out += '/';
        return true;
    }
    if (!is_file(fd)) return false;
    std::string_view n = fd.name;
    if (fd.kind == fd_kind::file) {
        const size_t slash = n.rfind('/');
        n = (slash == std::string_view::npos || slash == 0) ? std::string_view("/") : n.substr(0, slash);
    }
    out.append(n);
    return true;
}

uint32_t addr_len(const fd_info& fd) {
    return fd.kind == fd_kind::ipv4_socket ? 4u : 16u;
}

// The tuple holds client -> server (the capture format's convention for connected sockets).
value_view client_ip(const fd_info& fd) {
    return value_view::bytes(fd.tuple.sip, addr_len(fd));
}
value_view server_ip(const fd_info& fd) {
    return value_view::bytes(fd.tuple.dip, addr_len(fd));
}

bool connected_inet(const fd_info& fd) {
    return fd.is_inet() && fd.tuple.known();
}

namespace {

// Whether `ip` (of fd's family) is this machine: one of the snapshot's interface addresses, a
// loopback address, or the unspecified address (an unbound local end, as ping's datagram socket
// shows).
bool is_local_address(const event_context& c, const fd_info& fd, const uint8_t* ip_bytes) {
    if (fd.kind == fd_kind::ipv4_socket) {
        uint32_t ip;
        std::memcpy(&ip, ip_bytes, 4);
        if (ip == 0 || (ntohl(ip) >> 24) == 127) return true;
        for (const auto& i : c.insp->ifaces_v4()) {
            if (i.addr == ip) return true;
        }
        return false;
    }
    static const uint8_t loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t any6[16] = {};
    if (std::memcmp(ip_bytes, loopback6, 16) == 0 || std::memcmp(ip_bytes, any6, 16) == 0) return true;
    for (const auto& i : c.insp->ifaces_v6()) {
        if (std::memcmp(i.addr, ip_bytes, 16) == 0) return true;
    }
    return false;
}

}  // namespace

// Decides which end fd.lip / fd.rip name.
bool client_is_local(const event_context& c, const fd_info& fd) {
    return is_local_address(c, fd, fd.tuple.sip);
}

bool pick_client(const event_context& c, const fd_info& fd, end e) {
    switch (e) {
        case end::client:
            return true;
        case end::server:
            return false;
        case end::local:
            return client_is_local(c, fd);
        case end::remote:
            return !client_is_local(c, fd);
    }
    return true;
}

}  // namespace sinsp::fields
