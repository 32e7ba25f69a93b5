#include "engines/shared/prefilter_table.h"

#include <cstring>

namespace scap::drivers {

namespace {

// The event's first parameter is the syscall's return value as the kernel returned it, which is
// what userspace's evt.rawres / evt.failed read: a 64-bit errno, fd or pid straight from RET.
bool ret_is_first_param(const driver_tables& t, uint16_t code) {
    if (code >= t.specs.size() || !t.has_row[code]) return false;
    const mbpf_fill_spec& s = t.specs[code];
    if (s.nparams == 0 || s.per_message) return false;
    const mbpf_param_src& p = s.params[0];
    if (p.kind != MBPF_SRC_RET || p.conv != 0 || p.post != MBPF_POST_NONE || p.size != 8) return false;
    return p.type == PT_ERRNO || p.type == PT_FD || p.type == PT_PID;
}

// Into a zero-initialised entry: the text, and a mask over the bytes the kernel compares.
void put_comm(mbpf_prefilter& e, uint32_t i, const prefilter_comm& c) {
    std::memcpy(e.comm[i], c.text.data(), c.text.size());
    const size_t covered = c.prefix ? c.text.size() : c.text.size() + 1;  // equality: the NUL too
    std::memset(e.comm_mask[i], 0xff, covered);
}

}  // namespace

mbpf_prefilter prefilter_entry(const driver_tables& t, uint16_t code, const prefilter_rule& rule) {
    mbpf_prefilter e{};
    if (rule.accepts_all()) return e;
    e.flags = MBPF_PF_ACTIVE;
    if (rule.never) {
        e.flags |= MBPF_PF_NEVER;
        return e;
    }
    if (ret_is_first_param(t, code) && rule.bounds_ret()) {
        e.flags |= MBPF_PF_RET;
        e.ret_min = rule.ret_min;
        e.ret_max = rule.ret_max;
    }
    if (rule.tids.size() <= MBPF_PF_SET) {
        for (uint32_t v : rule.tids) e.tids[e.n_tid++] = v;
    }
    if (rule.pids.size() <= MBPF_PF_SET) {
        for (uint32_t v : rule.pids) e.pids[e.n_pid++] = v;
    }
    bool comms_fit = rule.comms.size() <= MBPF_PF_COMMS;
    for (const prefilter_comm& c : rule.comms) comms_fit = comms_fit && c.text.size() < MBPF_PF_COMM_LEN;
    if (comms_fit) {
        for (const prefilter_comm& c : rule.comms) put_comm(e, e.n_comm++, c);
    }
    if (!(e.flags & MBPF_PF_RET) && !e.n_tid && !e.n_pid && !e.n_comm) e.flags = 0;
    return e;
}

}  // namespace scap::drivers
