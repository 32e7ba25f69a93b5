// Derives the in-kernel pre-filter (scap/prefilter.h, proposal 0011) from a filter: per exit event
// code, conditions on the return value, the thread and process ids and the thread's comm that
// every event the filter matches satisfies. Events the thread/fd state needs always pass.
#pragma once

#include <vector>

#include "scap/prefilter.h"
#include "sinsp/filter_ast.h"

namespace sinsp {

// `tree`: the filter as parsed (macros expanded); `event_codes`: the compiled filter's
// event_codes() (the codes it can be true for, a superset), or empty when unknown.
// The result is sound by construction: whenever the filter can be true for an event, the
// event passes the rule of its code (see the proposal for what userspace must keep true).
scap::prefilter derive_prefilter(const filter::ast::expr& tree, const std::vector<bool>& event_codes);

// A rule set's pre-filter: per event code, the `or` of the conditions of the rules that can match
// it. `trees_by_code[code]`: those rules' conditions (macros and lists expanded, exceptions
// included); a code none of them can match is "never" (codes past the end accept everything).
// `required` (may be null): a filter every reported event must also match (scapdig's filter given
// with --rules), intersected per code. Sound as derive_prefilter is: whenever any of the code's
// rules (and `required`) can be true for an event, the event passes.
scap::prefilter derive_prefilter_any(const std::vector<std::vector<const filter::ast::expr*>>& trees_by_code,
                                     const filter::ast::expr* required = nullptr);

// Exit event codes the state (threads, fds, users) reads: they always pass.
const std::vector<bool>& prefilter_state_events();

}  // namespace sinsp
