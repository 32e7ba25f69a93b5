// Rule exceptions: checking an exception's fields/comps/values and turning them into the
// condition text Falco appends to the rule (`and not (...)`).
#pragma once

#include <string>

#include "model.h"

namespace sinsp::rules::detail {

// Fills in default comps ("=" per field for a field list, "in" for a single field) and checks
// that fields and comps agree and that each comp is an operator. False with `error` otherwise.
bool normalize_exception(exception_def& ex, std::string& error);

// Whether `op` is an operator of the filter language, optionally followed by a modifier
// ("startswith oneof").
bool is_operator(const std::string& op);
// Operators whose right-hand side is a parenthesised list.
bool takes_list(const std::string& op);

}  // namespace sinsp::rules::detail
