#include "proc/proc_sockets.h"

#include <cstring>

#include "proc/proc_parse.h"

namespace scap::proc {

namespace {

// "0100007F:1F90": the kernel prints each 32-bit word of the address as a host-order integer,
// so reading the hex back into a uint32 restores the bytes as they sit in memory (network
// order). The port is printed in host order.
bool take_address(std::string_view& s, bool ipv6, uint8_t* addr) {
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
    const size_t words = ipv6 ? 4 : 1;
    if (s.size() < words * 8) return false;
    for (size_t w = 0; w < words; ++w) {
        std::string_view hex = s.substr(w * 8, 8);
        uint64_t v = 0;
        if (!take_u64(hex, 16, v) || !hex.empty()) return false;
        const uint32_t word = static_cast<uint32_t>(v);
        std::memcpy(addr + w * 4, &word, 4);
    }
    s.remove_prefix(words * 8);
    return true;
}

bool take_endpoint(std::string_view& s, bool ipv6, uint8_t* addr, uint16_t& port) {
    uint64_t p = 0;
    if (!take_address(s, ipv6, addr) || s.empty() || s[0] != ':') return false;
    s.remove_prefix(1);
    if (!take_u64(s, 16, p) || p > 0xffff) return false;
    port = static_cast<uint16_t>(p);
    return true;
}

bool all_zero(const uint8_t* b, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (b[i]) return false;
    return true;
}

}  // namespace

uint64_t parse_inet_table(std::string_view text, bool ipv6, uint8_t l4proto, socket_map& out) {
    uint64_t bad = 0;
    bool header = true;
    for_each_line(text, [&](std::string_view line) {
        if (header) {  // "  sl  local_address rem_address   st ..."
            header = false;
            return;
        }
        if (line.find_first_not_of(' ') == std::string_view::npos) return;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) return void(++bad);
        std::string_view s = line.substr(colon + 1);
        uint8_t src[16] = {}, dst[16] = {};
        uint16_t sport = 0, dport = 0;
        uint64_t ino = 0;
        bool ok = take_endpoint(s, ipv6, src, sport) && take_endpoint(s, ipv6, dst, dport);
        // st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, then the inode.
        for (int i = 0; ok && i < 6; ++i) ok = skip_field(s);
        if (!ok || !take_u64(s, 10, ino)) return void(++bad);
        if (ino == 0) return;  // TIME_WAIT rows and the like own no socket
        fd_info f;
        f.ino = ino;
        f.l4proto = l4proto;
        f.sport = sport;
        const bool server = all_zero(dst, ipv6 ? 16 : 4);
        if (ipv6) {
            f.type = server ? fd_type::ipv6_servsock : fd_type::ipv6_sock;
            std::memcpy(f.sip6, src, 16);
            if (!server) std::memcpy(f.dip6, dst, 16);
        } else {
            f.type = server ? fd_type::ipv4_servsock : fd_type::ipv4_sock;
            std::memcpy(&f.sip, src, 4);
            if (!server) std::memcpy(&f.dip, dst, 4);
        }
        if (!server) f.dport = dport;
        out[ino] = f;
    });
    return bad;
}

uint64_t parse_unix_table(std::string_view text, socket_map& out) {
    uint64_t bad = 0;
    bool header = true;
    for_each_line(text, [&](std::string_view line) {
        if (header) {  // "Num       RefCount Protocol Flags    Type St Inode Path"
            header = false;
            return;
        }
        if (line.empty()) return;
        std::string_view s = line;
        uint64_t addr = 0, ino = 0;
        bool ok = take_u64(s, 16, addr) && !s.empty() && s[0] == ':';
        if (ok) s.remove_prefix(1);
        // RefCount, Protocol, Flags, Type, St, then the inode.
        for (int i = 0; ok && i < 5; ++i) ok = skip_field(s);
        if (!ok || !take_u64(s, 10, ino)) return void(++bad);
        fd_info f;
        f.type = fd_type::unix_sock;
        f.ino = ino;
        f.unix_source = addr;
        const size_t path = s.find_first_not_of(' ');
        if (path != std::string_view::npos) f.name.assign(s.substr(path));
        out[ino] = std::move(f);
    });
    return bad;
}

uint64_t parse_netlink_table(std::string_view text, socket_map& out) {
    uint64_t bad = 0;
    bool header = true;
    for_each_line(text, [&](std::string_view line) {
        if (header) {  // "sk  Eth Pid  Groups  Rmem  Wmem  Dump  Locks  Drops  Inode"
            header = false;
            return;
        }
        if (line.empty()) return;
        std::string_view s = line;
        uint64_t ino = 0;
        bool ok = true;
        // sk, Eth, Pid, Groups, Rmem, Wmem, Dump, Locks, Drops, then the inode.
        for (int i = 0; ok && i < 9; ++i) ok = skip_field(s);
        if (!ok || !take_u64(s, 10, ino)) return void(++bad);
        fd_info f;
        f.type = fd_type::netlink;
        f.ino = ino;
        out[ino] = f;
    });
    return bad;
}

const fd_info* socket_tables::find(uint64_t netns, const std::string& net_dir, uint64_t ino, buffer& buf,
                                   uint64_t& malformed) {
    auto it = m_by_ns.find(netns);
    if (it == m_by_ns.end()) {
        socket_map& m = m_by_ns[netns];
        enum class kind { inet, inet6, unix_domain, netlink };
        struct table {
            const char* file;
            kind k;
            uint8_t l4proto;
        };
        static const table k_tables[] = {
            {"/tcp", kind::inet, k_l4_tcp},
            {"/udp", kind::inet, k_l4_udp},
            {"/raw", kind::inet, k_l4_raw},
            {"/tcp6", kind::inet6, k_l4_tcp},
            {"/udp6", kind::inet6, k_l4_udp},
            {"/raw6", kind::inet6, k_l4_raw},
            {"/unix", kind::unix_domain, k_l4_unknown},
            {"/netlink", kind::netlink, k_l4_unknown},
        };
        for (const auto& t : k_tables) {
            // A missing table (no IPv6, no raw sockets module) simply resolves nothing.
            if (buf.read_path(net_dir + t.file) != io_result::ok) continue;
            if (t.k == kind::inet || t.k == kind::inet6)
                malformed += parse_inet_table(buf.view(), t.k == kind::inet6, t.l4proto, m);
            else if (t.k == kind::unix_domain)
                malformed += parse_unix_table(buf.view(), m);
            else
                malformed += parse_netlink_table(buf.view(), m);
        }
        it = m_by_ns.find(netns);
    }
    const auto f = it->second.find(ino);
    return f == it->second.end() ? nullptr : &f->second;
}

}  // namespace scap::proc
