// Comparisons whose truth follows from a field's lower bound alone (field_descriptor::min_value).
#pragma once

#include <cstdint>
#include <vector>

#include "nodes.h"

namespace sinsp::filter {

// `field op value` (or `field in (values)`) for a field whose values are all >= `bound`: never,
// always, or unknown. Only the operators =, !=, <, <=, >, >= and in are decided.
code_hint::fixed outcome_from_bound(cmp_op op, uint64_t bound, const std::vector<uint64_t>& values);

}  // namespace sinsp::filter
