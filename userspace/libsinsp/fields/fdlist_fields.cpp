// fdlist.*: the fds a poll/ppoll event waits on, one comma-separated string per field, as the
// reference renders them (names, client/server addresses and ports of the socket fds).
#include <arpa/inet.h>

#include <cstring>

#include "fields/extractor_kit.h"
#include "fields/field_classes.h"

namespace sinsp::fields {

namespace {

enum class fdlist_part { nums, names, cips, sips, cports, sports };

// PT_FDLIST: a 16-bit count, then per fd a 64-bit number and 16-bit flags.
constexpr uint32_t k_fdlist_entry = 10;

void append_ip(std::string& out, const fd_info& fd, bool client) {
    char buf[INET6_ADDRSTRLEN];
    const uint8_t* ip = client ? fd.tuple.sip : fd.tuple.dip;
    const int af = fd.kind == fd_kind::ipv4_socket ? AF_INET : AF_INET6;
    if (inet_ntop(af, ip, buf, sizeof buf)) out += buf;
}

// Appends fd's value for `part`; false when the fd has none (then no comma is written either,
// except for names, which show <NA>).
bool append_value(std::string& out, fdlist_part part, int64_t num, const fd_info* fd) {
    switch (part) {
        case fdlist_part::nums:
            out += std::to_string(num);
            return true;
        case fdlist_part::names:
            if (fd && !(fd->name.empty() && !fd->is_inet())) {
                fd->append_display_name(out);
            } else {
                out += "<NA>";
            }
            return true;
        case fdlist_part::cips:
        case fdlist_part::sips:
            if (!fd || !fd->is_inet()) return false;
            append_ip(out, *fd, part == fdlist_part::cips);
            return true;
        case fdlist_part::cports:
        case fdlist_part::sports:
            if (!fd || !fd->is_inet()) return false;
            out += std::to_string(part == fdlist_part::cports ? fd->tuple.sport : fd->tuple.dport);
            return true;
    }
    return false;
}

filter::field_table::factory fdlist_field(fdlist_part part) {
    return simple([part, buf = std::string()](const event_context& c, value_list& out) mutable {
        const uint16_t type = c.evt->type();
        if (type != PPME_SYSCALL_POLL_X && type != PPME_SYSCALL_PPOLL_X) return false;
        const thread_info* t = c.evt->thread;
        if (!t || c.evt->view.nparams() < 2) return false;
        const scap::param_view p = c.evt->view.param(1);
        if (p.len < 2) return false;
        uint16_t n;
        std::memcpy(&n, p.data, 2);
        buf.clear();
        for (uint32_t i = 0, pos = 2; i < n && pos + k_fdlist_entry <= p.len; ++i, pos += k_fdlist_entry) {
            int64_t num;
            std::memcpy(&num, p.data + pos, 8);
            const fd_info* fd = t->fds ? t->fds->find(num) : nullptr;
            if (append_value(buf, part, num, fd)) buf += ',';
        }
        if (buf.empty()) return false;
        buf.pop_back();
        out.push_back(value_view::text(buf));
        return true;
    });
}

}  // namespace

void add_fdlist_fields(filter::field_table& t) {
    static const struct {
        const char* name;
        fdlist_part part;
        const char* what;
    } defs[] = {
        {"fdlist.nums", fdlist_part::nums, "Numbers of the fds of a poll event, comma separated."},
        {"fdlist.names", fdlist_part::names,
         "Names of the fds of a poll event, comma separated (<NA> when unknown)."},
        {"fdlist.cips", fdlist_part::cips,
         "Client IP addresses of the socket fds of a poll event, comma separated."},
        {"fdlist.sips", fdlist_part::sips,
         "Server IP addresses of the socket fds of a poll event, comma separated."},
        {"fdlist.cports", fdlist_part::cports,
         "Client ports of the socket fds of a poll event, comma separated."},
        {"fdlist.sports", fdlist_part::sports,
         "Server ports of the socket fds of a poll event, comma separated."},
    };
    for (const auto& d : defs) t.add(describe(d.name, PT_CHARBUF, d.what, 0, 30), fdlist_field(d.part));
}

}  // namespace sinsp::fields
