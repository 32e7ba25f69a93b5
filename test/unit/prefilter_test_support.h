// Helpers shared by the pre-filter tests (filters and rule sets): reading a derived table, and the
// return value as the driver checks it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "scap/event.h"
#include "scap/prefilter.h"

namespace prefilter_test {

// A copy: the prefilter is often a temporary.
inline scap::prefilter_rule rule_of(const scap::prefilter& pf, uint16_t code) {
    const scap::prefilter_rule* r = pf.rule(code);
    return r ? *r : scap::prefilter_rule{};
}

inline std::vector<scap::prefilter_comm> exact(std::initializer_list<const char*> names) {
    std::vector<scap::prefilter_comm> out;
    for (const char* n : names) out.push_back({n, false});
    return out;
}

// The syscall's return value as the event records it in its first parameter (what evt.rawres
// reads); false when the event has none, and then the driver checks no return value either.
inline bool return_value(const scap::event_view& ev, int64_t& res) {
    const scap_event_info& info = ev.info();
    if (!(info.category & EC_SYSCALL) || info.nparams == 0 || ev.nparams() == 0 || ev.param(0).len == 0)
        return false;
    switch (info.params[0].type) {
        case PT_ERRNO:
        case PT_FD:
        case PT_PID:
            res = ev.param(0).as<int64_t>();
            return true;
        case PT_FD32:
        case PT_PID32:
            res = ev.param(0).as<int32_t>();
            return true;
        default:
            return false;
    }
}

}  // namespace prefilter_test
