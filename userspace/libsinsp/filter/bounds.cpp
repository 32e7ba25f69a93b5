#include "bounds.h"

namespace sinsp::filter {

code_hint::fixed outcome_from_bound(cmp_op op, uint64_t bound, const std::vector<uint64_t>& values) {
    using fixed = code_hint::fixed;
    if (op == cmp_op::in) {
        // No listed value is reachable (an empty list included): nothing matches.
        for (uint64_t v : values) {
            if (v >= bound) return fixed::unknown;
        }
        return fixed::never;
    }
    if (values.size() != 1) return fixed::unknown;
    const uint64_t v = values[0];
    switch (op) {
        case cmp_op::eq:
            return v < bound ? fixed::never : fixed::unknown;
        case cmp_op::ne:
            return v < bound ? fixed::always : fixed::unknown;
        case cmp_op::lt:
            return v <= bound ? fixed::never : fixed::unknown;
        case cmp_op::le:
            return v < bound ? fixed::never : fixed::unknown;
        case cmp_op::gt:
            return v < bound ? fixed::always : fixed::unknown;
        case cmp_op::ge:
            return v <= bound ? fixed::always : fixed::unknown;
        default:
            return fixed::unknown;
    }
}

}  // namespace sinsp::filter
