// fd.* fields derived from the fd and its event: the raw path, whether the event renamed the fd,
// the protocol (port) of each end, DNS names of the ends, a per-thread fd id, overlay-layer
// flags, and the container-prefixed names.
#include "fields/fd_common.h"
#include "fields/field_classes.h"
#include "sinsp/dns_cache.h"

namespace sinsp::fields {

namespace {

constexpr uint32_t k_fd_upper_layer = 0x8000, k_fd_lower_layer = 0x10000;  // PPM_FD_*_LAYER open flags

// "a//b" -> "a/b", as the reference shows raw paths.
void collapse_slashes(std::string& s) {
    size_t w = 0;
    for (size_t r = 0; r < s.size(); ++r) {
        if (s[r] == '/' && w > 0 && s[w - 1] == '/') continue;
        s[w++] = s[r];
    }
    s.resize(w);
}

void watch_dns_name(std::string_view name) {
    dns_cache::global().watch(name);
}

void add_name_fields(filter::field_table& t) {
    t.add(describe(
              "fd.nameraw", PT_CHARBUF,
              "The fd's path as the opening call gave it (not made absolute); empty for fds without a path.",
              0, 6),
          fd_text(
              [](const event_context& c, const fd_info& fd, std::string& b) {
                  if (is_unknown_fd(fd)) append_event_fd_name(c, b, true);
                  if (is_file(fd) && !(fd.open_flags & k_fd_from_snapshot))
                      b = fd.name_raw.empty() ? std::string_view(fd.name) : fd.name_raw.view();
                  collapse_slashes(b);
                  return true;
              },
              true));
    t.add(describe(
              "fd.name_changed", PT_BOOL,
              "True when the event changed the fd's name (connect or bind filling in a socket's addresses).",
              0, 1),
          fd_field([](const event_context& c, const fd_info&, value_list& out) {
              out.push_back(value_view::boolean(c.evt->fd_name_changed));
              return true;
          }));
    t.add(describe("fd.uid", PT_CHARBUF,
                   "An id of the fd unique on the machine: the thread id followed by the fd number.", 0, 6),
          simple([buf = std::string()](const event_context& c, value_list& out) mutable {
              if (!c.evt->thread || !is_fd_event(c)) return false;
              buf = std::to_string(c.evt->thread->tid);
              buf += std::to_string(c.evt->fd_num);
              out.push_back(value_view::text(buf));
              return true;
          }));
    t.add(describe(
              "fd.is_upper_layer", PT_BOOL,
              "True if the file is in the upper layer of an overlay filesystem (written in the container).",
              0, 1),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              out.push_back(value_view::boolean((fd.open_flags & k_fd_upper_layer) != 0));
              return true;
          }));
    t.add(describe("fd.is_lower_layer", PT_BOOL,
                   "True if the file is in a lower layer of an overlay filesystem (from the image).", 0, 1),
          fd_field([](const event_context&, const fd_info& fd, value_list& out) {
              out.push_back(value_view::boolean((fd.open_flags & k_fd_lower_layer) != 0));
              return true;
          }));
    t.add(describe("fd.containername", PT_CHARBUF, "container.id and fd.name joined with ':'.", 0, 8),
          fd_text(
              [](const event_context& c, const fd_info& fd, std::string& b) {
                  if (c.evt->thread) b.append(c.insp->str(c.evt->thread->container_id));
                  b += ':';
                  if (is_unknown_fd(fd)) {
                      append_event_fd_name(c, b, false);
                  } else {
                      fd.append_display_name(b);
                  }
                  return true;
              },
              true));
    t.add(
        describe("fd.containerdirectory", PT_CHARBUF, "container.id and fd.directory joined with ':'.", 0, 8),
        fd_text(
            [](const event_context& c, const fd_info& fd, std::string& b) {
                if (!is_file(fd) && !is_unknown_fd(fd)) return false;
                if (c.evt->thread) b.append(c.insp->str(c.evt->thread->container_id));
                b += ':';
                return append_directory(c, fd, b);
            },
            true));
}

void add_proto_and_dns_fields(filter::field_table& t) {
    struct end_def {
        const char* proto_name;
        const char* dns_name;
        end which;
        const char* what;
    };
    static const end_def defs[] = {
        {"fd.cproto", "fd.cip.name", end::client, "client"},
        {"fd.sproto", "fd.sip.name", end::server, "server"},
        {"fd.lproto", "fd.lip.name", end::local, "local"},
        {"fd.rproto", "fd.rip.name", end::remote, "remote"},
    };
    for (const auto& d : defs) {
        const end which = d.which;
        // Port names are not resolved (the reference's default): the protocol is the port number.
        t.add(
            describe(
                d.proto_name, PT_CHARBUF,
                (std::string("Protocol of the connection's ") + d.what + " end: its port, as text.").c_str(),
                0, 4),
            fd_text([which](const event_context& c, const fd_info& fd, std::string& b) {
                if (!connected_inet(fd) || fd.role == sock_role::none) return false;
                b = std::to_string(pick_client(c, fd, which) ? fd.tuple.sport : fd.tuple.dport);
                return true;
            }));
        field_descriptor dns =
            describe(d.dns_name, PT_CHARBUF,
                     (std::string("Domain names of the ") + d.what +
                      " address, among the names filters compare it with (resolved when "
                      "the filter is compiled, refreshed in the background).")
                         .c_str(),
                     filter::FIELD_ANY_VALUE | filter::FIELD_NO_RHS | filter::FIELD_NO_TRANSFORMERS, 20);
        dns.on_constant = watch_dns_name;
        t.add(std::move(dns),
              fd_field([which, names = std::vector<std::string_view>()](
                           const event_context& c, const fd_info& fd, value_list& out) mutable {
                  if (!connected_inet(fd) || fd.role == sock_role::none) return false;
                  const value_view ip = pick_client(c, fd, which) ? client_ip(fd) : server_ip(fd);
                  names.clear();
                  if (dns_cache::global().names_of(ip.data, ip.len, names) == 0) return false;
                  for (std::string_view n : names) out.push_back(value_view::text(n));
                  return true;
              }));
    }
    t.add(
        describe("fd.proto", PT_PORT, "Either end's protocol (port): fd.proto=443 matches client or server.",
                 filter::FIELD_ANY_VALUE | filter::FIELD_NE_NEEDS_ALL | filter::FIELD_NO_RHS |
                     filter::FIELD_NO_TRANSFORMERS,
                 4),
        fd_field([](const event_context&, const fd_info& fd, value_list& out) {
            if (!fd.is_inet()) return true;  // exists on any known fd, no value (as fd.port)
            out.push_back(value_view::number(fd.tuple.sport));
            out.push_back(value_view::number(fd.tuple.dport));
            return true;
        }));
}

}  // namespace

void add_fd_derived_fields(filter::field_table& t) {
    add_name_fields(t);
    add_proto_and_dns_fields(t);
}

}  // namespace sinsp::fields
