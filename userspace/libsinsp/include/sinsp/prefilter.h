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

// Exit event codes the state (threads, fds, users) reads: they always pass.
const std::vector<bool>& prefilter_state_events();

}  // namespace sinsp
