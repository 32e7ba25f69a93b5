// Plain-text rendering of one event parameter, by its schema type. Used by scap-open's
// per-event printing; libsinsp has its own richer, state-aware formatting.
#pragma once

#include <string>

#include "scap/event.h"

namespace scap {

// Appends a human-readable rendering of `v`, typed by `info`, to `out`: the value, then its
// symbolic meaning in parentheses when it has one ("0x1001(O_RDONLY|O_CLOEXEC)", "-2(ENOENT)").
void append_param(std::string& out, const scap_param_info& info, param_view v);
// The value alone ("0x1001", "-2").
void append_param_raw(std::string& out, const scap_param_info& info, param_view v);
// The symbolic meaning alone ("O_RDONLY|O_CLOEXEC", "ENOENT"); false (appending nothing) when
// the value has none.
bool append_param_resolved(std::string& out, const scap_param_info& info, param_view v);

// Appends "name=value name=value ..." for every parameter of the event.
void append_params(std::string& out, event_view ev);

}  // namespace scap
