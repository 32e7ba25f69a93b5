// Process-tree helpers shared by proc.*, thread.*, user.* and group.* fields. Private.
#pragma once

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

// The NUL-separated list `raw` joined with single spaces, appended to out.
void append_joined(std::string& out, std::string_view raw);
// "comm arg1 arg2" (proc.cmdline) and "exe arg1 arg2" (proc.exeline).
void append_cmdline(std::string& out, const inspector& insp, const thread_info& t, bool use_exe);

}  // namespace sinsp::fields
