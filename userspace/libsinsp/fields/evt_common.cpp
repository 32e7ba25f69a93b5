#include "fields/evt_common.h"

#include <cstring>

#include "scap/param_format.h"

namespace sinsp::fields {

bool return_value(const scap::event_view& ev, int64_t& res) {
    const scap_event_info& info = ev.info();
    if (!(info.category & EC_SYSCALL) || info.nparams == 0 || ev.nparams() == 0) return false;
    const auto& p0 = info.params[0];
    const auto v = ev.param(0);
    switch (p0.type) {
        case PT_ERRNO:
        case PT_FD:
        case PT_PID:
            res = v.as<int64_t>();
            return v.len != 0;
        case PT_FD32:
        case PT_PID32:
            res = v.as<int32_t>();
            return v.len != 0;
        default:
            return false;
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

}  // namespace

bool param_text(const event_context& c, uint32_t i, std::string& raw, std::string& resolved) {
    const auto& ev = c.evt->view;
    const scap_param_info& info = ev.info().params[i];
    const auto v = ev.param(i);
    scap::append_param_raw(raw, info, v);
    if ((info.type == PT_FD || info.type == PT_FD32) && v.len != 0) {
        const int64_t fd = v.len == 4 ? v.as<int32_t>() : v.as<int64_t>();
        const fd_info* f = fd < 0 ? nullptr : fd_of(c, fd);
        if (!f) return false;
        resolved += '<';
        resolved += to_typechar(f->kind);
        resolved += '>';
        f->append_display_name(resolved);
        return true;
    }
    return scap::append_param_resolved(resolved, info, v);
}

}  // namespace sinsp::fields
