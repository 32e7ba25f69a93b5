// Plain-text rendering of one event parameter, by its schema type. Used by scap-open's
// per-event printing; libsinsp has its own richer, state-aware formatting.
#pragma once

#include <cstring>

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

// Calls fn(fd, flags) for each entry of a PT_FDLIST (poll's fds: a 16-bit count, then a 64-bit fd
// and 16-bit flags per entry), stopping at the last whole entry the bytes hold.
template <typename F>
void for_each_fdlist_entry(param_view v, F fn) {
    if (v.len < 2) return;
    const uint16_t n = v.as<uint16_t>();
    for (uint32_t i = 0, pos = 2; i < n && pos + 10 <= v.len; ++i, pos += 10) {
        int64_t fd;
        int16_t flags;
        std::memcpy(&fd, v.data + pos, 8);
        std::memcpy(&flags, v.data + pos + 8, 2);
        fn(fd, flags);
    }
}

}  // namespace scap
