// Text rendering of extracted field values, by field type: what output formats print and what
// tests compare against.
#pragma once

#include <string>

#include "sinsp/filter_field.h"

namespace sinsp {

// Appends v, typed as `type`, as text: integers in decimal, booleans as true/false, addresses in
// their usual notation, byte buffers with non-printable bytes escaped, strings as they are.
void append_value_text(std::string& out, ppm_param_type type, const filter::value_view& v);

// Every value of a list: one value as above; several joined with ", " inside parentheses, as
// the reference shows list fields ("(a, b)").
void append_values_text(std::string& out, ppm_param_type type, const filter::value_list& values);

}  // namespace sinsp
