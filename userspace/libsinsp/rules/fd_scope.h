// Which comparisons depend on the event's fd alone (its kind and its name), and the key those
// comparisons' verdicts are a function of, so that they can be remembered per key rather than
// worked out per event (condition_graph's root masks).
//
// Why: 22 default rules watch openat, and each needs some test of fd.name, fd.directory or
// fd.filename against constants (`fd.name startswith /etc/`, `fd.directory in (/bin, /sbin...)`)
// that fails for nearly every path; the 260,037 openats of the 2M reference capture name 166
// distinct paths. Remembered per key, those tests rule most of the 22 rules out with one lookup.
#pragma once

#include <cstdint>
#include <string_view>

#include "field_cache.h"
#include "sinsp/filter_ast.h"
#include "sinsp/filter_field.h"
#include "sinsp/fields.h"
#include "sinsp/inspector.h"

namespace sinsp::rules::detail {

// The comparison reads one field whose values are a function of fd_key alone (see fd_scope.cpp),
// against constants.
bool fd_scoped(const filter::ast::expr& check);

// What every fd_scoped() field's values on an event are computed from: whether the event has an
// fd the state knows (and then its kind, and whether the snapshot made it), one the state does
// not know, or none; fd.name's text (for a socket, the text of its addresses); and the path the
// opening call gave, when it differs from the name (a relative one). The texts are lent from the
// event's fd or from fd.name's values, and valid while the event is.
struct fd_key {
    static constexpr uint8_t k_no_fd = 0;
    static constexpr uint8_t k_unknown_fd = 1;
    static constexpr uint8_t k_known_fd = 2;  // plus the fd's kind times 2, plus 1 from a snapshot
    uint8_t tag = k_no_fd;
    std::string_view name;
    std::string_view raw;
};

// The event's key; `fd_name` is fd.name's shared extraction, used only when the event's fd is not
// a file-like one (a socket's text is built, an fd the state does not know has none). False when
// no key describes the event (fd.name with several values, or without a value for a known fd).
bool fd_scope_key(const event_context& ctx, cached_extractor& fd_name, fd_key& out);

}  // namespace sinsp::rules::detail
