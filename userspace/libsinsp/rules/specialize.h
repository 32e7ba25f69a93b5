// A rule's condition specialised for one event type: comparisons on the event type (`evt.type in
// (open, openat)`) are decided for that type and the tree simplified around them, so evaluation on
// an openat never re-tests the type nor walks branches only other types can take (the `rename or
// remove` half of a rule that also watches opens).
#pragma once

#include <cstdint>
#include <memory>

#include "sinsp/filter_ast.h"
#include "sinsp/filter_field.h"

namespace sinsp::rules::detail {

// The result: a constant, or a smaller tree.
struct specialized {
    enum class kind { always, never, tree } what = kind::tree;
    std::unique_ptr<filter::ast::expr> tree;
};

// `code` is an event code; `fields` tells which fields name the event type (descriptors with
// codes_for_name). Codes whose name travels in the event (the generic syscall pair) are never
// decided: their type comparisons stay in the tree. With `flatten`, nested and/or of the same kind
// are merged (a filter compiled from the result orders all operands together); without, the
// macros' subtrees stay whole, so that a graph of shared subtrees (condition_graph.h) finds them.
specialized specialize(const filter::ast::expr& e, uint16_t code, filter::field_registry& fields,
                       bool flatten = true);

}  // namespace sinsp::rules::detail
