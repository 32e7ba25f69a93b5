// Plain-text rendering of one event parameter, by its schema type. Used by scap-open's
// per-event printing; libsinsp has its own richer, state-aware formatting.
#pragma once

#include <string>

#include "scap/event.h"

namespace scap {

// Appends a human-readable rendering of `v`, typed by `info`, to `out`.
void append_param(std::string& out, const scap_param_info& info, param_view v);

// Appends "name=value name=value ..." for every parameter of the event.
void append_params(std::string& out, event_view ev);

}  // namespace scap
