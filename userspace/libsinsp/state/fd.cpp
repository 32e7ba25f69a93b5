#include "sinsp/fd.h"

#include <arpa/inet.h>

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
            return "epoll";
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

std::string fd_info::display_name() const {
    if (!is_inet()) return name;
    const int af = kind == fd_kind::ipv4_socket ? AF_INET : AF_INET6;
    char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
    inet_ntop(af, tuple.sip, s, sizeof(s));
    inet_ntop(af, tuple.dip, d, sizeof(d));
    const bool v6 = af == AF_INET6;
    std::string out;
    out.reserve(64);
    (v6 ? out.append("[").append(s).append("]") : out.append(s))
        .append(":")
        .append(std::to_string(tuple.sport));
    out.append("->");
    (v6 ? out.append("[").append(d).append("]") : out.append(d))
        .append(":")
        .append(std::to_string(tuple.dport));
    return out;
}

size_t fd_table::heap_bytes() const {
    size_t n = m_fds.slot_bytes();
    m_fds.for_each([&](uint64_t, const fd_info& f) {
        if (f.name.capacity() > 15) n += f.name.capacity() + 1;
    });
    return n;
}

}  // namespace sinsp
