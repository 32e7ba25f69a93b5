#include "sinsp/fd.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace sinsp {

const char* to_string(fd_kind k) {
    switch (k) {
        case fd_kind::unknown:
            return "unknown";
        case fd_kind::file:
            return "file";
        case fd_kind::directory:
            return "directory";
        case fd_kind::ipv4_socket:
            return "ipv4";
        case fd_kind::ipv6_socket:
            return "ipv6";
        case fd_kind::unix_socket:
            return "unix";
        case fd_kind::netlink:
            return "netlink";
        case fd_kind::pipe:
            return "pipe";
        case fd_kind::eventfd:
            return "event";
        case fd_kind::signalfd:
            return "signalfd";
        case fd_kind::timerfd:
            return "timerfd";
        case fd_kind::inotify:
            return "inotify";
        case fd_kind::epoll:
            return "eventpoll";
        case fd_kind::memfd:
            return "memfd";
        case fd_kind::userfaultfd:
            return "userfaultfd";
        case fd_kind::io_uring:
            return "io_uring";
        case fd_kind::pidfd:
            return "pidfd";
        case fd_kind::bpf:
            return "bpf";
        case fd_kind::other_socket:
            return "socket";
    }
    return "?";
}

char to_typechar(fd_kind k) {
    switch (k) {
        case fd_kind::file:
            return 'f';
        case fd_kind::directory:
            return 'd';
        case fd_kind::ipv4_socket:
            return '4';
        case fd_kind::ipv6_socket:
            return '6';
        case fd_kind::unix_socket:
            return 'u';
        case fd_kind::netlink:
            return 'n';
        case fd_kind::pipe:
            return 'p';
        case fd_kind::eventfd:
            return 'e';
        case fd_kind::signalfd:
            return 's';
        case fd_kind::timerfd:
            return 't';
        case fd_kind::inotify:
            return 'i';
        case fd_kind::epoll:
            return 'l';
        case fd_kind::memfd:
            return 'm';
        case fd_kind::userfaultfd:
            return 'u';
        case fd_kind::io_uring:
            return 'r';
        case fd_kind::pidfd:
            return 'P';
        case fd_kind::bpf:
            return 'b';
        case fd_kind::other_socket:
            return 'X';
        case fd_kind::unknown:
            break;
    }
    return 'o';
}

void fd_info::append_display_name(std::string& out) const {
    if (!is_inet()) {
        out += name;
        return;
    }
    const bool v6 = kind == fd_kind::ipv6_socket;
    const size_t addr_bytes = v6 ? 16 : 4;
    static const uint8_t zeros[16] = {};
    const bool no_local = tuple.sport == 0 && std::memcmp(tuple.sip, zeros, addr_bytes) == 0;
    const bool no_peer = tuple.dport == 0 && std::memcmp(tuple.dip, zeros, addr_bytes) == 0;
    if (no_local && no_peer) return;  // socket() made it; nothing bound or connected yet
    char addr[INET6_ADDRSTRLEN];
    char port[8];
    // IPv6 addresses without brackets ("::1:80"), as the reference and Falco print them: rules
    // and scripts written against their output compare the same text.
    auto endpoint = [&](const uint8_t* ip, uint16_t p) {
        inet_ntop(v6 ? AF_INET6 : AF_INET, ip, addr, sizeof addr);
        out += addr;
        std::snprintf(port, sizeof port, ":%u", static_cast<unsigned>(p));
        out += port;
    };
    endpoint(tuple.sip, tuple.sport);
    if (no_peer) return;  // bound only: the local end alone
    out += "->";
    endpoint(tuple.dip, tuple.dport);
}

std::string fd_info::display_name() const {
    std::string out;
    append_display_name(out);
    return out;
}

size_t fd_string_bytes(const fd_info& f) {
    return string_heap_bytes(f.name) + f.name_raw.heap_bytes();
}

size_t fd_table::heap_bytes() const {
    size_t n = k_fixed_bytes + m_fds.slot_bytes();
    m_fds.for_each([&](uint64_t, const fd_info& f) { n += fd_string_bytes(f); });
    return n;
}

}  // namespace sinsp
