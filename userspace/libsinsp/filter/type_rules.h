// Which operators each value type supports, and how values of each type are represented.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sinsp/filter_field.h"

namespace sinsp::filter {

std::optional<cmp_op> op_from_string(std::string_view s);

// Empty when `op` may be applied to a field of type `t` (a list field when `is_list`);
// otherwise the reason, ready for an error message.
std::string check_comparable(cmp_op op, ppm_param_type t, bool is_list);

// Bits of the integer representation of numeric types (8, 16, 32 or 64).
unsigned int_width(ppm_param_type t);

}  // namespace sinsp::filter
