// Conversion rules as plain data, and the table that holds them (see proposals/0002-converter.md).
//
// A rule says what to do with an event of a given (type, nparams). Most rules are derived from the
// schema (derive.cpp); the cases the derivation cannot guess are listed in overrides.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scap_schema.h"

namespace scap::conv {

enum class action : uint8_t {
    none,            // no rule for this key: converting such an event is an error
    pass,            // deliver as is (used for enter events the consumer still wants)
    store_enter,     // keep for the thread's exit event, deliver nothing
    store_and_pass,  // keep for the exit event and deliver it too
    add_params,      // keep the existing parameters, append the ones described by `params`
    change_type,     // build an event of type `target` whose parameters are all described by `params`
    drop,            // deliver nothing
};

// Where one parameter of the built event comes from.
enum class source : uint8_t {
    old_event,       // parameter `index` of the event being converted
    enter,           // parameter `index` of the thread's stored enter event
    empty,           // zero-length parameter
    typed_default,   // the type's default value (zeros of the type's size; -1 for uid/gid)
    container_json,  // JSON text built from an old container event's id/type/name/image
};

// "No enter event feeds this rule" (0 is a real type: the generic syscall enter).
constexpr uint16_t k_no_enter = 0xffff;

struct param_instr {
    source from = source::empty;
    uint8_t index = 0;
    // When the value cannot be obtained (no stored enter, builder failure): an empty parameter
    // instead of the typed default.
    bool fallback_empty = false;
};

struct rule {
    action act = action::none;
    uint16_t target = 0;  // for change_type
    std::vector<param_instr> params;
    // Type the stored enter event must have for `enter` instructions; the exit's pair otherwise.
    uint16_t expected_enter = k_no_enter;
    bool uses_enter() const {
        for (const auto& p : params)
            if (p.from == source::enter) return true;
        return false;
    }
};

// What the hot path needs to know about a type, without looking at any rule.
enum class disposition : uint8_t {
    pass,              // current event not handled by the converter: always delivered untouched
    pass_if_complete,  // current exit: untouched when it has all its parameters, converted when short
    convert,           // always goes through a rule (enter events, old versions)
    drop,              // unused, or an old enter the consumer never needs
    schema_bug,        // old exit the converter does not manage: the schema is inconsistent
};

struct type_info {
    disposition disp = disposition::pass;
    uint32_t nparams = 0;  // the schema's parameter count
    // An enter event the reference hands to its consumer although it has an exit, which numbers
    // it (evt.num) and then hides it: the converter counts it when it stores it (numbered_enters).
    bool numbered_enter = false;
};

class rule_table {
  public:
    // Built once from the schema: derived rules, then overrides on top.
    static const rule_table& get();

    const type_info& info(uint16_t type) const { return m_types[type]; }
    // nullptr when there is no rule for this key.
    const rule* find(uint16_t type, uint32_t nparams) const {
        const auto& v = m_rules[type];
        if (nparams >= v.size() || v[nparams].act == action::none) return nullptr;
        return &v[nparams];
    }
    // Every rule, for tests and tools: (type, nparams, rule).
    template <typename F>
    void for_each(F&& f) const {
        for (uint16_t t = 0; t < PPM_EVENT_MAX; ++t)
            for (uint32_t n = 0; n < m_rules[t].size(); ++n)
                if (m_rules[t][n].act != action::none) f(t, n, m_rules[t][n]);
    }

    // Used while building (derive.cpp / overrides.cpp).
    rule& slot(uint16_t type, uint32_t nparams) {
        auto& v = m_rules[type];
        if (v.size() <= nparams) v.resize(nparams + 1);
        return v[nparams];
    }
    type_info& mutable_info(uint16_t type) { return m_types[type]; }

  private:
    rule_table();
    type_info m_types[PPM_EVENT_MAX];
    std::vector<rule> m_rules[PPM_EVENT_MAX];
};

// Building blocks shared by derive.cpp and overrides.cpp.
inline bool is_enter_code(uint16_t type) {
    return (type & 1u) == 0;
}
void derive_rules(rule_table& t);
// Parses an override recipe ("o0 e1 E2 - d json") into instructions; throws on a typo.
std::vector<param_instr> parse_recipe(const char* recipe);
// The type an enter event of this code has when it is stored (after its own conversions), or
// k_no_enter when it is never stored.
uint16_t stored_enter_type(const rule_table& t, uint16_t enter_code);

}  // namespace scap::conv
