// Which comparisons depend on the event's thread alone, so that their verdict can be kept per
// thread while the state does not change (event::thread_epoch).
//
// Why: the default rules test proc.name, proc.pname, proc.aname, proc.cmdline, user.name,
// container.id... on every openat, and a thread opens many files in a row: those verdicts are
// the same from one event to the next until the thread execs, changes its name or ids, or the
// thread table changes, which is when the state bumps the epoch.
#pragma once

#include "sinsp/filter_ast.h"

namespace sinsp::rules::detail {

// The comparison reads one field whose value is a function of the event's thread entry, its
// ancestors, the user and group tables and the container table only (never of the event's own
// parameters, its fd, or time), against constants.
bool thread_scoped(const filter::ast::expr& check);

}  // namespace sinsp::rules::detail
