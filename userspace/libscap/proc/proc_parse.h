// Parsers for the per-process procfs files. Pure functions over text so they can be tested on
// hand-written (and deliberately broken) input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scap::proc {

// Splits text into lines, calling f(line) without the '\n'.
template <typename F>
void for_each_line(std::string_view text, F&& f) {
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        f(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
}

// Skips spaces and tabs, then reads an unsigned number in base; advances s past it.
bool take_u64(std::string_view& s, int base, uint64_t& out);
// Same, with an optional leading '-'.
bool take_i64(std::string_view& s, int64_t& out);
// Skips spaces/tabs, then one run of anything else.
bool skip_field(std::string_view& s);

// /proc/PID/stat. comm sits between the first '(' and the last ')', since comm itself may
// hold both and spaces.
struct stat_fields {
    std::string_view comm;
    int64_t ppid = -1;
    int64_t pgid = -1;
    int64_t sid = -1;
    uint32_t tty = 0;
    uint64_t kflags = 0;  // PF_* task flags
    uint64_t minflt = 0;
    uint64_t majflt = 0;
    uint64_t starttime = 0;  // clock ticks since boot
    bool complete = false;   // every field above was present
};
// False when there is no "(comm)" at all; a truncated tail leaves complete == false.
bool parse_stat(std::string_view text, stat_fields& out);

// /proc/PID/status, the lines we use.
struct status_fields {
    int64_t tgid = -1;
    int64_t ppid = -1;
    int64_t euid = -1;
    int64_t egid = -1;
    int64_t vtid = -1;       // innermost NSpid
    int64_t vpid = -1;       // innermost NStgid
    int64_t vpgid = -1;      // innermost NSpgid
    bool root_pidns = true;  // NSpid had one entry: the task lives in the initial pid namespace
    int64_t threads = -1;    // Threads: the thread group's size
    uint32_t vmsize_kb = 0, vmrss_kb = 0, vmswap_kb = 0;
    uint64_t cap_inh = 0, cap_prm = 0, cap_eff = 0;
};
// Returns the number of lines it recognised but could not parse.
uint64_t parse_status(std::string_view text, status_fields& out);

// /proc/PID/limits, the soft "Max open files" limit; "unlimited" is UINT64_MAX.
bool parse_nofile_limit(std::string_view text, uint64_t& soft);

// /proc/PID/cgroup to the capture format's NUL-separated "subsys=path" entries. A cgroup v2
// line ("0::/path") has no controller list of its own: it is expanded to v2_controllers.
// Returns the number of malformed lines skipped.
uint64_t parse_cgroup(std::string_view text, const std::vector<std::string>& v2_controllers,
                      std::string& out);

// /proc/cgroups: the enabled controllers not bound to a v1 hierarchy (hierarchy 0), i.e. the
// ones a v2 path stands for.
std::vector<std::string> parse_v2_controllers(std::string_view text);

// /proc/PID/cmdline: argv[0] to exe, the rest to args, NUL-separated with a trailing NUL as
// capture files store them.
void split_cmdline(std::string_view text, std::string& exe, std::string& args);
// environ as stored: NUL-separated with a trailing NUL.
void assign_nul_list(std::string_view text, std::string& out);

}  // namespace scap::proc
