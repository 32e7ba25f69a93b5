#include "fields/proc_common.h"

namespace sinsp::fields {

const thread_info* main_of(const inspector& insp, const thread_info& t) {
    if (t.is_main_thread() || t.pid <= 0) return &t;
    const thread_info* m = insp.threads().find(t.pid);
    return m ? m : &t;
}

const thread_info* ancestor(const inspector& insp, const thread_info& t, int n) {
    if (n < 0 || n > k_max_ancestors) return nullptr;
    if (n == 0) return main_of(insp, t);
    const thread_info* found = nullptr;
    int depth = 0;
    for_each_ancestor(insp, t, [&](const thread_info& p) {
        if (++depth < n) return true;
        found = &p;
        return false;
    });
    return found;
}

namespace {

// The items of a NUL-separated list as stored (args, env, cgroups), space-joined into out, each
// written by `append_item`. A trailing NUL ends the list; empty items inside it are kept.
template <typename AppendItem>
void append_nul_list(std::string& out, std::string_view raw, AppendItem append_item) {
    bool first = true;
    while (!raw.empty()) {
        const size_t nul = raw.find('\0');
        if (!first) out += ' ';
        first = false;
        append_item(raw.substr(0, nul));
        if (nul == std::string_view::npos) break;
        raw.remove_prefix(nul + 1);
    }
}

}  // namespace

void append_joined(std::string& out, std::string_view raw) {
    append_nul_list(out, raw, [&](std::string_view item) { out.append(item.data(), item.size()); });
}

void append_cgroup_subsys(std::string& out, std::string_view name) {
    constexpr std::string_view suffix = "_cgroup";
    const size_t at = name.find(suffix);
    if (at != std::string_view::npos) {
        const std::string_view rest = name.substr(at + suffix.size());
        if (!rest.empty()) {  // not a suffix: dropped where it stands, no renaming
            out.append(name.data(), at);
            out.append(rest.data(), rest.size());
            return;
        }
        name = name.substr(0, at);
    }
    if (name == "io") {
        out += "blkio";
    } else if (name == "perf") {
        out += "perf_event";
    } else if (name == "mem") {
        out += "memory";
    } else {
        out.append(name.data(), name.size());
    }
}

void append_cgroups(std::string& out, std::string_view raw) {
    append_nul_list(out, raw, [&](std::string_view item) {
        const size_t eq = item.find('=');
        if (eq == std::string_view::npos) {
            out.append(item.data(), item.size());
        } else {
            append_cgroup_subsys(out, item.substr(0, eq));
            out.append(item.data() + eq, item.size() - eq);
        }
    });
}

void append_cmdline(std::string& out, const inspector& insp, const thread_info& t, bool use_exe) {
    out += insp.str(use_exe ? t.exe : t.comm);
    const std::string_view args = insp.str(t.args);
    if (!args.empty()) {
        out += ' ';
        append_joined(out, args);
    }
}

}  // namespace sinsp::fields
