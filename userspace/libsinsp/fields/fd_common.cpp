// The socket-end helpers of fd_common.h.
#include "fields/fd_common.h"

#include <arpa/inet.h>

#include <cstring>

#include "fields/evt_common.h"
#include "scap/param_format.h"
#include "state/helpers.h"

namespace sinsp::fields {

bool is_file(const fd_info& fd) {
    return fd.kind == fd_kind::file || fd.kind == fd_kind::directory;
}

void append_event_fd_name(const event_context& c, std::string& out, bool raw) {
    const auto& ev = c.evt->view;
    const uint16_t type = ev.type();
    int i = -1;
    switch (type) {
        case PPME_SYSCALL_OPEN_X:
        case PPME_SYSCALL_CREAT_X:
        case PPME_SOCKET_CONNECT_X:
        case PPME_SOCKET_ACCEPT_5_X:
        case PPME_SOCKET_ACCEPT4_6_X:
            i = 1;
            break;
        case PPME_SYSCALL_OPENAT_2_X:
        case PPME_SYSCALL_OPENAT2_X:
            i = 2;
            break;
        case PPME_SYSCALL_OPEN_BY_HANDLE_AT_X:
            i = 3;
            break;
        default:
            return;
    }
    if (static_cast<uint32_t>(i) >= ev.nparams()) return;
    const scap_param_info& info = ev.info().params[i];
    const auto v = ev.param(static_cast<uint32_t>(i));
    if (info.type != PT_FSPATH && info.type != PT_FSRELPATH) {
        scap::append_param_raw(out, info, v);  // a tuple, as the event shows it
        return;
    }
    const std::string_view path = v.str();
    if (raw || path.empty() || path.front() == '/' || type == PPME_SYSCALL_OPEN_BY_HANDLE_AT_X) {
        out.append(path);
        return;
    }
    out += join_path(path_base_dir(c, info), path);
}

char event_fd_typechar(uint16_t type) {
    switch (type) {
        case PPME_SYSCALL_OPENAT_2_X:
        case PPME_SYSCALL_OPENAT2_X:
        case PPME_SYSCALL_CREAT_X:
            return to_typechar(fd_kind::file);
        case PPME_SOCKET_SOCKET_X:
        case PPME_SOCKET_ACCEPT_5_X:
        case PPME_SOCKET_ACCEPT4_6_X:
            return to_typechar(fd_kind::ipv4_socket);  // the reference's guess, whatever the family
        case PPME_SYSCALL_PIPE_X:
        case PPME_SYSCALL_PIPE2_X:
            return to_typechar(fd_kind::pipe);
        case PPME_SYSCALL_EVENTFD_X:
        case PPME_SYSCALL_EVENTFD2_X:
            return to_typechar(fd_kind::eventfd);
        case PPME_SYSCALL_SIGNALFD_X:
        case PPME_SYSCALL_SIGNALFD4_X:
            return to_typechar(fd_kind::signalfd);
        case PPME_SYSCALL_TIMERFD_CREATE_X:
            return to_typechar(fd_kind::timerfd);
        case PPME_SYSCALL_INOTIFY_INIT_X:
        case PPME_SYSCALL_INOTIFY_INIT1_X:
            return to_typechar(fd_kind::inotify);
        default:
            return 'o';
    }
}

bool append_directory(const event_context& c, const fd_info& fd, std::string& out) {
    if (is_unknown_fd(fd)) {
        // The reference cuts at the last slash, keeps a name ending in a slash whole, and shows
        // "/" for a name without a slash or with only a leading one.
        const size_t start = out.size();
        append_event_fd_name(c, out, false);
        const std::string_view n = std::string_view(out).substr(start);
        const size_t slash = n.rfind('/');
        if (slash == std::string_view::npos || slash == 0) {
            out.resize(start);
            out += '/';
        } else if (slash + 1 < n.size()) {
            out.resize(start + slash);
        }
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
