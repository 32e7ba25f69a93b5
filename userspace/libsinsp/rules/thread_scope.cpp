// Comparisons whose verdict depends on the event's thread alone (see thread_scope.h).
#include "thread_scope.h"

#include "ast_tools.h"

#include <string_view>

namespace sinsp::rules::detail {

namespace {

// Fields read from the thread entry (and its ancestors, users, groups, containers), none from
// the event or its fd. Kept to the ones the default rules test on frequent events; a field is
// added here only after reading its extractor. Not here: proc.cwd (fchdir via fds), proc.std*
// (fd table), proc.duration and other time-based fields, thread.* counters, proc.vm* (memory
// figures change without event::thread_epoch changing).
constexpr std::string_view k_fields[] = {
    "proc.name",           "proc.exe",      "proc.exepath",   "proc.args",       "proc.cmdline",
    "proc.pname",          "proc.pexe",     "proc.pexepath",  "proc.pcmdline",   "proc.aname",
    "proc.aexe",           "proc.aexepath", "proc.tty",       "proc.pid",        "proc.ppid",
    "user.name",           "user.uid",      "user.loginuid",  "user.loginname",  "group.gid",
    "group.name",          "container.id",  "container.name", "container.image", "container.image.repository",
    "container.image.tag",
};

}  // namespace

bool thread_scoped(const filter::ast::expr& check) {
    if (check.what != filter::ast::expr::kind::check) return false;
    if (check.lhs.what != filter::ast::term::kind::field) return false;
    if (check.rhs && !is_constant_operand(*check.rhs)) return false;
    for (std::string_view f : k_fields) {
        if (check.lhs.name == f) return true;
    }
    return false;
}

}  // namespace sinsp::rules::detail
