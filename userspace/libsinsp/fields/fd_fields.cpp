// fd.*: the file descriptor the event uses or creates — files, sockets (with client/server and
// local/remote views of the connection), pipes and the rest.
#include <arpa/inet.h>

#include <cstring>
#include <optional>

#include "fields/fd_common.h"
#include "fields/field_classes.h"
#include "fields/proc_common.h"

namespace sinsp::fields {

void add_fspath_fields(filter::field_table& t);      // fspath_fields.cpp
void add_fd_derived_fields(filter::field_table& t);  // fd_derived_fields.cpp

namespace {

const char* l4_name(l4_proto p) {
    switch (p) {
        case l4_proto::tcp:
            return "tcp";
        case l4_proto::udp:
            return "udp";
        case l4_proto::icmp:
            return "icmp";
        case l4_proto::raw:
            return "raw";
        default:
            return nullptr;
    }
}

void add_identity_fields(filter::field_table& t) {
    t.add(describe("fd.num", PT_INT64, "Number of the fd the event uses or creates.", 0, 1),
          simple([](const event_context& c, value_list& out) {
              // A negative fd parameter (mmap's -1 for anonymous memory) is still the event's fd
              // number, as in the reference; creating events that failed have none.
              if (c.evt->fd_num < 0 && !uses_unknown_fd(c)) return false;
              out.push_back(value_view::signed_number(c.evt->fd_num));
              return true;
          }));
    t.add(describe(
              "fd.type", PT_CHARBUF,
              "Type of the fd: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, "
              "timerfd, netlink, memfd, userfaultfd, io_uring, pidfd, bpf.",
              0, 2),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              out.push_back(value_view::text(to_string(fd.kind)));
              return true;
          }));
    t.add(describe("fd.typechar", PT_CHARBUF,
                   "Type of the fd as one letter (f, d, 4, 6, u, p, e, s, l, i, t, n...).", 0, 2),
          // An fd the state does not know (mmap's -1, one opened before the capture) is 'o', the
          // reference's letter for it.
          fd_text(
              [](const event_context& c, const fd_info& fd, std::string& b) {
                  b += is_unknown_fd(fd) ? event_fd_typechar(c.evt->type()) : to_typechar(fd.kind);
                  return true;
              },
              true));
    t.add(describe("fd.name", PT_CHARBUF,
                   "Full name of the fd: a path, or client:port->server:port for sockets.", 0, 5),
          fd_text(
              [](const event_context& c, const fd_info& fd, std::string& b) {
                  if (is_unknown_fd(fd)) {
                      append_event_fd_name(c, b, false);
                  } else {
                      fd.append_display_name(b);
                  }
                  return true;
              },
              true));
    t.add(describe("fd.directory", PT_CHARBUF,
                   "Directory of a file fd (for directories, the directory itself).", 0, 5),
          fd_text([](const event_context& c, const fd_info& fd,
                     std::string& b) { return append_directory(c, fd, b); },
                  true));
    t.add(describe("fd.filename", PT_CHARBUF, "File name of a file fd, without its directory.", 0, 5),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              if (fd.kind != fd_kind::file) return false;
              const std::string_view n = fd.name;
              const size_t slash = n.rfind('/');
              out.push_back(value_view::text(slash == std::string_view::npos ? n : n.substr(slash + 1)));
              return true;
          }));
    t.add(describe("fd.ino", PT_INT64, "Inode number of the file the fd refers to.", 0, 2),
          // Any fd has one (0 when unknown or not a file), as fd.dev, as in the reference.
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              out.push_back(value_view::signed_number(static_cast<int64_t>(fd.ino)));
              return true;
          }));
    // Any fd has them (0 when it is not a file), as in the reference. The capture's numbers are
    // the kernel's new_encode_dev(): minor low byte, major next 12 bits, minor's high bits above.
    t.add(describe("fd.dev", PT_INT32, "Device number of the file the fd refers to, shown in hexadecimal.",
                   filter::FIELD_SHOW_HEX, 2),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              out.push_back(value_view::signed_number(static_cast<int32_t>(fd.dev)));
              return true;
          }));
    t.add(describe("fd.dev.major", PT_INT32, "Major device number of the file the fd refers to.", 0, 2),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              out.push_back(value_view::signed_number(static_cast<int32_t>((fd.dev & 0xfff00) >> 8)));
              return true;
          }));
    t.add(describe("fd.dev.minor", PT_INT32, "Minor device number of the file the fd refers to.", 0, 2),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              out.push_back(value_view::signed_number(
                  static_cast<int32_t>((fd.dev & 0xff) | ((fd.dev >> 12) & 0xfff00))));
              return true;
          }));
    t.add(describe("fd.types", PT_CHARBUF, "The distinct fd types the process has open.", filter::FIELD_LIST,
                   30),
          simple([](const event_context& c, value_list& out) {
              // Like every fd.* field of the reference, only for events that create, use or close
              // an fd.
              if (!is_fd_event(c)) return false;
              const thread_info* th = c.evt->thread;
              if (!th) return false;
              const bool closed = event_closed_its_fd(c, *th);
              if (!th->fds && !closed) return false;
              uint64_t seen = 0;  // one bit per fd_kind
              auto add = [&](const fd_info& fd) {
                  const uint64_t bit = uint64_t{1} << static_cast<unsigned>(fd.kind);
                  if (seen & bit) return;
                  seen |= bit;
                  out.push_back(value_view::text(to_string(fd.kind)));
              };
              if (th->fds) th->fds->for_each([&](int64_t, const fd_info& fd) { add(fd); });
              // The fd this event closed is still open from the event's point of view.
              if (closed) add(*c.evt->fd);
              return true;
          }));
}

void add_socket_fields(filter::field_table& t) {
    struct ip_def {
        const char* ip_name;
        const char* port_name;
        const char* net_name;
        end which;
        const char* what;
    };
    static const ip_def defs[] = {
        {"fd.cip", "fd.cport", "fd.cnet", end::client, "client"},
        {"fd.sip", "fd.sport", "fd.snet", end::server, "server"},
        {"fd.lip", "fd.lport", "fd.lnet", end::local, "local"},
        {"fd.rip", "fd.rport", "fd.rnet", end::remote, "remote"},
    };
    for (const auto& d : defs) {
        const end which = d.which;
        auto ip = [which](const event_context& c, const fd_info& fd, value_list& out) {
            if (!connected_inet(fd)) return false;
            out.push_back(pick_client(c, fd, which) ? client_ip(fd) : server_ip(fd));
            return true;
        };
        t.add(describe(d.ip_name, PT_IPADDR,
                       (std::string("IP address of the connection's ") + d.what + " end.").c_str(), 0, 3),
              fd_field(ip));
        t.add(describe(d.net_name, PT_IPNET,
                       (std::string("The ") + d.what + " address, for comparisons with a network (fd." +
                        (d.net_name + 3) + "=10.0.0.0/8).")
                           .c_str(),
                       filter::FIELD_NO_RHS | filter::FIELD_NO_TRANSFORMERS, 3),
              fd_field(ip));
        t.add(describe(d.port_name, PT_PORT,
                       (std::string("Port of the connection's ") + d.what + " end.").c_str(), 0, 3),
              fd_field([which](const event_context& c, const fd_info& fd, value_list& out) {
                  if (!connected_inet(fd)) return false;
                  out.push_back(
                      value_view::number(pick_client(c, fd, which) ? fd.tuple.sport : fd.tuple.dport));
                  return true;
              }));
    }
    const uint32_t any = filter::FIELD_ANY_VALUE | filter::FIELD_NE_NEEDS_ALL | filter::FIELD_NO_RHS |
                         filter::FIELD_NO_TRANSFORMERS;
    // fd.ip, fd.net, fd.port and fd.proto exist on every event with a known fd, as in the
    // reference (its `exists` on them asks only for an fd); a socket gives both ends of its tuple
    // (zeros until they are known, as there), other fds no value, so comparisons on them fail.
    auto both_ips = [](const event_context&, const fd_info& fd, value_list& out) {
        if (!fd.is_inet()) return true;
        out.push_back(client_ip(fd));
        out.push_back(server_ip(fd));
        return true;
    };
    t.add(describe("fd.ip", PT_IPADDR, "Either end's IP address: fd.ip=1.2.3.4 matches client or server.",
                   any, 4),
          fd_field(both_ips));
    t.add(describe("fd.net", PT_IPNET, "Either end's address, for comparisons with a network.", any, 4),
          fd_field(both_ips));
    t.add(describe("fd.port", PT_PORT, "Either end's port: fd.port=443 matches client or server.", any, 4),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              if (!fd.is_inet()) return true;  // exists, no value (see both_ips)
              out.push_back(value_view::number(fd.tuple.sport));
              out.push_back(value_view::number(fd.tuple.dport));
              return true;
          }));
    t.add(describe("fd.l4proto", PT_CHARBUF, "Transport protocol of a socket: tcp, udp, icmp or raw.", 0, 2),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              // Any fd has one; "<NA>" when it is not a socket with a known protocol, as the
              // reference shows it.
              const char* n = l4_name(fd.shown_proto());
              out.push_back(value_view::text(n ? n : "<NA>"));
              return true;
          }));
    t.add(describe("fd.sockfamily", PT_CHARBUF,
                   "Socket family: ip for IPv4/IPv6 sockets, unix for unix sockets.", 0, 2),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              if (fd.is_inet()) {
                  out.push_back(value_view::text("ip"));
              } else if (fd.kind == fd_kind::unix_socket) {
                  out.push_back(value_view::text("unix"));
              } else {
                  return false;
              }
              return true;
          }));
    t.add(describe("fd.connected", PT_BOOL,
                   "True if the socket is connected (connect succeeded, or accepted).", 0, 2),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              // Any fd: false for what is not a connected socket.
              out.push_back(value_view::boolean((fd.is_inet() || fd.kind == fd_kind::unix_socket) &&
                                                fd.conn == conn_state::connected));
              return true;
          }));
    t.add(describe("fd.is_server", PT_BOOL, "True if the process is the server end of the connection.", 0, 2),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              // Any fd has it (false for what is not a socket), as in the reference; a socket is
              // the server end by its role, not by whether the server address is local (the
              // reference's rule makes the client of a loopback connection a server:
              // docs/compat.md).
              const bool socket = fd.is_inet() || fd.kind == fd_kind::unix_socket;
              out.push_back(value_view::boolean(socket && fd.role == sock_role::server));
              return true;
          }));
}

}  // namespace

void add_fd_fields(filter::field_table& t) {
    add_identity_fields(t);
    add_socket_fields(t);
    add_fd_derived_fields(t);
    add_fspath_fields(t);
}

}  // namespace sinsp::fields
