// Process-tree helpers shared by proc.*, thread.*, user.* and group.* fields. Private.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fields/extractor_kit.h"

namespace sinsp::fields {

// The main thread of t's process (t itself when unknown).
const thread_info* main_of(const inspector& insp, const thread_info& t);
// The n-th ancestor process of t: 0 is t's own process, 1 its parent, ... Walks at most
// k_max_ancestors steps, so a corrupt tree (a cycle) cannot loop.
const thread_info* ancestor(const inspector& insp, const thread_info& t, int n);
constexpr int k_max_ancestors = 64;

// Calls f(process) for every ancestor process from the parent up; stops when f returns false.
template <typename F>
void for_each_ancestor(const inspector& insp, const thread_info& t, F&& f) {
    const thread_info* p = main_of(insp, t);
    for (int i = 0; i < k_max_ancestors && p; ++i) {
        if (p->ptid <= 0 || p->ptid == p->tid) return;
        const thread_info* parent = insp.threads().find(p->ptid);
        if (!parent) return;
        parent = main_of(insp, *parent);
        if (parent == p) return;
        if (!f(*parent)) return;
        p = parent;
    }
}

// Factories for fields of the event's thread (shared by the proc.* and thread.* files).
// A string field of the event's thread: get(ctx, thread) returns the text (a view into interned
// or otherwise stable memory) or nullopt when it does not apply.
template <typename F>
filter::field_table::factory thread_view(F get) {
    return simple([get](const event_context& c, value_list& out) {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        const std::optional<std::string_view> v = get(c, *t);
        if (!v) return false;
        out.push_back(value_view::text(*v));
        return true;
    });
}

// A string field built into a scratch buffer: fill(ctx, thread, buf) returns false when it does
// not apply.
template <typename F>
filter::field_table::factory thread_text(F fill) {
    return simple([fill, buf = std::string()](const event_context& c, value_list& out) mutable {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        buf.clear();
        if (!fill(c, *t, buf)) return false;
        out.push_back(value_view::text(buf));
        return true;
    });
}

// A signed number of the event's thread; nullopt when it does not apply.
template <typename F>
filter::field_table::factory thread_int(F get) {
    return simple([get](const event_context& c, value_list& out) {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        const std::optional<int64_t> v = get(c, *t);
        if (!v) return false;
        out.push_back(value_view::signed_number(*v));
        return true;
    });
}

template <typename F>
filter::field_table::factory thread_uint(F get) {
    return simple([get](const event_context& c, value_list& out) {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        const std::optional<uint64_t> v = get(c, *t);
        if (!v) return false;
        out.push_back(value_view::number(*v));
        return true;
    });
}

template <typename F>
filter::field_table::factory thread_bool(F get) {
    return simple([get](const event_context& c, value_list& out) {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        out.push_back(value_view::boolean(get(c, *t)));
        return true;
    });
}

// The event closed the fd it names: the event has it (a copy kept for the close) but the
// thread's table no longer does. The reference removes closed fds only after the event, so its
// process fd fields (fd.types, proc.fdopencount, proc.fdusage) still count that fd on it.
inline bool event_closed_its_fd(const event_context& c, const thread_info& t) {
    return c.evt->fd && c.evt->fd_num >= 0 && (!t.fds || !t.fds->find(c.evt->fd_num));
}

// The NUL-separated list `raw` joined with single spaces, appended to out.
void append_joined(std::string& out, std::string_view raw);
// A cgroup subsystem's name as /proc/PID/cgroup shows it, appended to out. Drivers report the
// kernel's internal names, which differ for some cgroup v1 controllers ("io" is blkio, "perf" is
// perf_event, "mem" is memory, some carry a "_cgroup" suffix); the reference shows the /proc names.
void append_cgroup_subsys(std::string& out, std::string_view kernel_name);
// The NUL-separated "subsys=path" list `raw` with each subsystem named as /proc does, joined with
// single spaces, appended to out (thread.cgroups).
void append_cgroups(std::string& out, std::string_view raw);
// "comm arg1 arg2" (proc.cmdline) and "exe arg1 arg2" (proc.exeline).
void append_cmdline(std::string& out, const inspector& insp, const thread_info& t, bool use_exe);

}  // namespace sinsp::fields
