// Derives conversion rules from the schema alone (see proposals/0002-converter.md):
//  - converter-managed enter events are stored for their thread (current ones are delivered);
//  - an exit short of parameters gets the missing ones appended;
//  - an old exit becomes the current exit of the same name;
//  - each parameter is found by name in the old exit, then in the stored enter, else is empty.
#include <cstring>

#include "converter/rules.h"
#include "converter/tweaks.h"

namespace scap::conv {
namespace {

const scap_event_info& ev(uint16_t t) {
    return scap_event_table[t];
}
bool has(uint16_t t, uint32_t flag) {
    return (ev(t).flags & flag) != 0;
}

// Index of the parameter called `name` among the first `n` parameters of `t`, or -1.
int find_param(uint16_t t, uint32_t n, const char* name) {
    for (uint32_t i = 0; i < n && i < ev(t).nparams; ++i)
        if (std::strcmp(ev(t).params[i].name, name) == 0) return static_cast<int>(i);
    return -1;
}

// The only current exit called `name`, or 0 when there is none or more than one (overrides decide).
uint16_t current_exit_named(const char* name) {
    uint16_t found = 0;
    for (uint16_t t = 1; t < PPM_EVENT_MAX; t += 2) {
        if (has(t, EF_OLD_VERSION) || has(t, EF_UNUSED) || std::strcmp(ev(t).name, name) != 0) continue;
        if (found != 0) return 0;
        found = t;
    }
    return found;
}

// Value for a target parameter that neither the old event nor the enter event carries.
param_instr missing(uint16_t target, uint32_t j) {
    param_instr p;
    p.from =
        is_default_when_missing(target, ev(target).params[j].name) ? source::typed_default : source::empty;
    return p;
}

// Instructions for target parameters [first, target nparams): old event first, then enter.
std::vector<param_instr> fill(uint16_t target, uint32_t first, uint16_t old_type, uint32_t old_n,
                              uint16_t enter_type, bool fallback_empty) {
    std::vector<param_instr> out;
    for (uint32_t j = first; j < ev(target).nparams; ++j) {
        const char* name = ev(target).params[j].name;
        const char* enter_name = enter_param_alias(target, name);
        int i = find_param(old_type, old_n, name);
        if (i >= 0) {
            out.push_back({source::old_event, static_cast<uint8_t>(i), false});
            continue;
        }
        i = enter_type != k_no_enter
                ? find_param(enter_type, ev(enter_type).nparams, enter_name ? enter_name : name)
                : -1;
        if (i >= 0) {
            out.push_back({source::enter, static_cast<uint8_t>(i), fallback_empty});
            continue;
        }
        out.push_back(missing(target, j));
    }
    return out;
}

// The current enter-coded event called `name` (meta events such as procexit have no exit).
uint16_t current_standalone_named(const char* name) {
    for (uint16_t t = 0; t < PPM_EVENT_MAX; t += 2)
        if (!has(t, EF_OLD_VERSION) && !has(t, EF_UNUSED) && std::strcmp(ev(t).name, name) == 0) return t;
    return 0;
}

void derive_enter(rule_table& t, uint16_t e) {
    const uint32_t n = ev(e).nparams;
    const bool standalone = e + 1 >= PPM_EVENT_MAX || has(e + 1, EF_UNUSED);
    if (standalone && has(e, EF_OLD_VERSION)) {
        // Not half of a pair: an old version simply becomes the current event of its name.
        const uint16_t target = current_standalone_named(ev(e).name);
        if (target == 0) return;
        for (uint32_t k = 0; k <= n; ++k) {
            rule& r = t.slot(e, k);
            r.act = action::change_type;
            r.target = target;
            r.params = fill(target, 0, e, k, k_no_enter, false);
        }
        return;
    }
    // Exit-only: an enter event is never delivered, current or old; it only feeds its exit
    // (the reference still delivers the current open/openat/openat2/creat/connect enters).
    t.slot(e, n).act = action::store_enter;
    for (uint32_t k = 0; k < n; ++k) {
        rule& r = t.slot(e, k);
        r.act = action::add_params;
        for (uint32_t j = k; j < n; ++j) r.params.push_back(missing(e, j));
    }
}

void derive_exit(rule_table& t, uint16_t x) {
    const uint16_t enter =
        (x > 0 && has(x - 1, EF_CONVERTER_MANAGED)) ? stored_enter_type(t, x - 1) : k_no_enter;
    if (!has(x, EF_OLD_VERSION)) {
        for (uint32_t k = 0; k < ev(x).nparams; ++k) {
            rule& r = t.slot(x, k);
            r.act = action::add_params;
            r.expected_enter = enter;
            r.params = fill(x, k, x, k, enter, enter_fallback_is_empty(x));
        }
        return;
    }
    uint16_t target = target_override(x);
    if (target == 0) target = current_exit_named(ev(x).name);
    if (target == 0) return;  // left to overrides; the coverage test names any gap
    for (uint32_t k = 0; k <= ev(x).nparams; ++k) {
        rule& r = t.slot(x, k);
        r.act = action::change_type;
        r.target = target;
        r.expected_enter = enter;
        r.params =
            fill(target, 0, x, k, enter, enter_fallback_is_empty(x) || enter_fallback_is_empty(target));
    }
}

}  // namespace

uint16_t stored_enter_type(const rule_table& t, uint16_t enter_code) {
    uint16_t type = enter_code;
    uint32_t n = ev(type).nparams;
    for (int step = 0; step < 16; ++step) {
        const rule* r = t.find(type, n);
        if (r == nullptr) return k_no_enter;
        switch (r->act) {
            case action::store_enter:
            case action::store_and_pass:
                return type;
            case action::change_type:
                type = r->target;
                n = static_cast<uint32_t>(r->params.size());
                break;
            case action::add_params:
                n += static_cast<uint32_t>(r->params.size());
                break;
            default:
                return k_no_enter;
        }
    }
    return k_no_enter;
}

void derive_rules(rule_table& t) {
    for (uint16_t e = 0; e < PPM_EVENT_MAX; e += 2)
        if (has(e, EF_CONVERTER_MANAGED) && !has(e, EF_UNUSED)) derive_enter(t, e);
    apply_overrides(t, override_phase::enter);
    for (uint16_t x = 1; x < PPM_EVENT_MAX; x += 2)
        if (has(x, EF_CONVERTER_MANAGED) && !has(x, EF_UNUSED)) derive_exit(t, x);
    apply_overrides(t, override_phase::exit);
}

}  // namespace scap::conv
