// Comparing one extracted value with one operand value, per family and operator.
#pragma once

#include <string>

#include "sinsp/filter_field.h"
#include "type_rules.h"

namespace sinsp::filter {

// Buffers for operators needing NUL-terminated copies (glob), reused across events.
struct compare_scratch {
    std::string subject;
    std::string pattern;
};

// Strings as extracted may carry their terminator; comparisons ignore trailing NULs.
inline value_view trim_text(value_view v) {
    while (v.len > 0 && v.data[v.len - 1] == 0) v.len--;
    return v;
}

// `a` (from the field) OP `b` (literal or right-hand field). Operators without a scalar meaning
// (in, intersects, pmatch, regex, exists) are handled by the callers; here in/intersects mean
// equality, as the reference does for single values.
bool compare_scalar(cmp_op op, family fam, const value_view& a, const value_view& b, compare_scratch& s);

// ASCII case-insensitive substring search (strcasestr semantics without the NUL scan).
bool contains_nocase(std::string_view hay, std::string_view needle);

}  // namespace sinsp::filter
