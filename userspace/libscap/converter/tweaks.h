// The small lists of facts the derivation cannot read from the schema (data in overrides.cpp).
#pragma once

#include <cstdint>

#include "converter/rules.h"

namespace scap::conv {

// When the stored enter event is missing, this exit's enter-derived parameters are left empty
// rather than given their type's default value.
bool enter_fallback_is_empty(uint16_t exit_code);

// A parameter absent from both the old event and the enter event gets its type's default value
// rather than an empty one.
bool is_default_when_missing(uint16_t target, const char* param_name);

// The current exit an old exit becomes, when the name alone does not say it; 0 if not listed.
uint16_t target_override(uint16_t old_exit);

// The enter parameter that feeds `param_name` of `target` under another name; nullptr if none.
const char* enter_param_alias(uint16_t target, const char* param_name);

// Enter events (as stored, after their own conversions) that the reference still delivers to its
// consumer, which gives them an event number and hides them: evt.num counts them to agree.
bool reference_numbers_enter(uint16_t enter_code);

// Whole-rule overrides are applied in two phases: enter rules first (exit derivation looks at
// what an enter event becomes when stored), then exit rules.
enum class override_phase { enter, exit };
void apply_overrides(rule_table& t, override_phase phase);

}  // namespace scap::conv
