#include "fields/evt_common.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "scap/param_format.h"
#include "state/helpers.h"

namespace sinsp::fields {

bool return_value(const scap::event_view& ev, int64_t& res) {
    // The reference's rule: every syscall exit event with parameters has one, parameter 0 read
    // as a signed number of its own width (mmap's address, brk's break included); generic
    // events do not.
    const uint16_t code = ev.type();
    if (code == PPME_GENERIC_X || (code & 1) == 0) return false;
    if (!(ev.info().category & EC_SYSCALL) || ev.nparams() == 0) return false;
    const auto v = ev.param(0);
    switch (v.len) {
        case 4:
            res = v.as<int32_t>();
            return true;
        case 8:
            res = v.as<int64_t>();
            return true;
        default:
            res = 0;
            return true;
    }
}

std::string_view event_name(const scap::event_view& ev) {
    const uint16_t code = ev.type();
    if ((code == PPME_GENERIC_E || code == PPME_GENERIC_X) && ev.nparams() > 0 && ev.param_len(0) == 2) {
        uint16_t sc = ev.param(0).as<uint16_t>();
        if (sc == 0 && ev.nparams() > 1 && ev.param_len(1) == 2) {
            const uint16_t native = ev.param(1).as<uint16_t>();
            if (native < SCAP_SYSCALL_TABLE_SIZE_X86_64) sc = scap_syscall_table_x86_64[native].ppm_sc;
        }
        if (sc < PPM_SC_MAX) return scap_ppm_sc_names[sc];
    }
    return ev.info().name;
}

int param_index(uint16_t type, std::string_view name) {
    if (type >= PPM_EVENT_MAX) return -1;
    const scap_event_info& info = scap_event_table[type];
    for (uint32_t i = 0; i < info.nparams; ++i) {
        if (name == info.params[i].name) return static_cast<int>(i);
    }
    return -1;
}

namespace {

// The fd a parameter names, as the state knows it: the event's own fd (which, for close, is a
// copy of what was closed) or the thread's fd table.
const fd_info* fd_of(const event_context& c, int64_t fd) {
    const event& e = *c.evt;
    if (e.fd && e.fd_num == fd) return e.fd;
    if (!e.thread || !e.thread->fds) return nullptr;
    return e.thread->fds->find(fd);
}

// The transport letter the reference adds after an inet socket's type letter ("<4t>").
char l4_letter(const fd_info& f) {
    if (!f.is_inet()) return 0;
    switch (f.shown_proto()) {
        case l4_proto::tcp:
            return 't';
        case l4_proto::udp:
            return 'u';
        case l4_proto::icmp:
            return 'i';
        case l4_proto::raw:
            return 'r';
        default:
            return 0;
    }
}

bool fd_meaning(const event_context& c, int64_t fd, std::string& resolved) {
    if (!c.evt->thread) return false;  // no thread: the number alone, as the reference shows it
    if (fd == k_at_fdcwd) {
        resolved += "AT_FDCWD";
        return true;
    }
    if (fd < 0) {
        // A negative fd is an error code.
        const char* name = fd >= -4095 ? strerrorname_np(static_cast<int>(-fd)) : nullptr;
        if (!name) return false;
        resolved += name;
        return true;
    }
    const fd_info* f = fd_of(c, fd);
    if (!f) return false;
    resolved += '<';
    resolved += to_typechar(f->kind);
    if (const char l4 = l4_letter(*f)) resolved += l4;
    resolved += '>';
    f->append_display_name(resolved);
    return true;
}

}  // namespace

std::string_view path_base_dir(const event_context& c, const scap_param_info& info) {
    const thread_info* th = c.evt->thread;
    if (!th) return {};
    int64_t dirfd = k_at_fdcwd;
    if (info.type == PT_FSRELPATH && info.info_kind == SCAP_INFO_DIRFD && info.dirfd_index >= 0 &&
        static_cast<uint32_t>(info.dirfd_index) < c.evt->view.nparams()) {
        const auto v = c.evt->view.param(static_cast<uint32_t>(info.dirfd_index));
        dirfd = v.len == 4 ? v.as<int32_t>() : v.len == 8 ? v.as<int64_t>() : k_at_fdcwd;
    }
    return dirfd_base(*th, dirfd, c.insp->cwd(*th));
}

bool param_text(const event_context& c, uint32_t i, std::string& raw, std::string& resolved) {
    const auto& ev = c.evt->view;
    const scap_param_info& info = ev.info().params[i];
    const auto v = ev.param(i);
    if ((info.type == PT_FD || info.type == PT_FD32) && v.len != 0) {
        scap::append_param_raw(raw, info, v);
        return fd_meaning(c, v.len == 4 ? v.as<int32_t>() : v.as<int64_t>(), resolved);
    }
    if (info.type == PT_PID && v.len == 8) {
        // A pid is followed by the name of the thread it names, when the state knows it.
        scap::append_param_raw(raw, info, v);
        const thread_info* t = c.insp->threads().find(v.as<int64_t>());
        if (!t) return false;
        resolved += c.insp->str(t->comm);
        return true;
    }
    if (info.type == PT_FDLIST && v.len >= 2) {
        // "fd:<type letter><flags in hex>" per entry, the letter from the thread's fd table ('?'
        // for an fd it does not hold); without a thread the reference shows nothing.
        if (!c.evt->thread) return false;
        const fd_table* fds = c.evt->thread->fds.get();
        bool first = true;
        scap::for_each_fdlist_entry(v, [&](int64_t fd, int16_t flags) {
            const fd_info* f = fds ? fds->find(fd) : nullptr;
            char buf[48];
            std::snprintf(buf, sizeof buf, "%s%" PRIu64 ":%c%x", first ? "" : " ", static_cast<uint64_t>(fd),
                          f ? to_typechar(f->kind) : '?', static_cast<uint32_t>(flags));
            raw += buf;
            first = false;
        });
        return false;
    }
    if (info.type == PT_SYSCALLID && v.len == 2) {
        // A generic event's syscall: the ppm_sc code, meaning its name (evt.arg[0]).
        scap::append_param_raw(raw, info, v);
        const uint16_t sc = v.as<uint16_t>();
        if (sc >= PPM_SC_MAX || scap_ppm_sc_names[sc] == nullptr) return false;
        resolved += scap_ppm_sc_names[sc];
        return true;
    }
    if ((info.type == PT_FSPATH || info.type == PT_FSRELPATH) && v.len != 0) {
        // A relative path means the absolute one it names (the reference's rendering:
        // "./run(/home/u/run)"); absolute and unresolvable paths have no meaning of their own.
        scap::append_param_raw(raw, info, v);
        const std::string_view path = v.str();
        if (path.empty() || path.front() == '/' || raw == "<NA>") return false;
        const std::string_view base = path_base_dir(c, info);
        if (base.empty()) return false;
        resolved += join_path(base, path);
        return true;
    }
    bool has_meaning = false;
    if (param_number_text(c, info, v, raw, resolved, has_meaning)) return has_meaning;
    scap::append_param_raw(raw, info, v);
    return scap::append_param_resolved(resolved, info, v);
}

}  // namespace sinsp::fields
