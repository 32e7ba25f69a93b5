// Helpers shared by the evt.* field files: the event's return value, parameters by name and
// their text with what the state knows about them. Private to libsinsp.
#pragma once

#include <cstdint>
#include <string>

#include "fields/extractor_kit.h"
#include "scap/event.h"

namespace sinsp::fields {

// The syscall's return value: parameter 0 of syscall exit events (generic events excepted),
// whatever its type, as the reference reads it. False for events without one (meta events,
// procexit, scheduler, generic syscalls).
bool return_value(const scap::event_view& ev, int64_t& res);

// The event's name as evt.type shows it: generic syscall events take the name of the syscall
// their ID names, or, when the ID is unknown to the capturing driver, of their native (x86_64)
// syscall number, as the reference does on replay.
std::string_view event_name(const scap::event_view& ev);

// Index of the parameter named `name` in events of type `type`, or -1.
int param_index(uint16_t type, std::string_view name);

// The directory a relative path parameter (described by `info`) is relative to: its dirfd's
// path (PT_FSRELPATH with a dirfd other than AT_FDCWD), else the thread's cwd; empty when the
// event has no thread or the dirfd is unknown.
std::string_view path_base_dir(const event_context& c, const scap_param_info& info);

// Appends parameter i's value ("3", "0x1001", "-2") and, when it has one, its meaning with the
// state's help ("<f>/etc/passwd" for fds, "O_RDONLY|O_CLOEXEC", "ENOENT") to `resolved`.
// Returns whether a meaning was appended.
bool param_text(const event_context& c, uint32_t i, std::string& raw, std::string& resolved);

// The text of parameters whose rendering is the event layer's own (integers by print format,
// flags, signals, durations, ids, absent values): appends to raw (and resolved, setting
// has_meaning) and returns true; false for the types the capture-level printer renders.
bool param_number_text(const event_context& c, const scap_param_info& info, scap::param_view v,
                       std::string& raw, std::string& resolved, bool& has_meaning);

}  // namespace sinsp::fields
