// The in-kernel pre-filter (proposal 0011): per exit event code, a conjunction of conditions on
// what the driver knows before it builds the event (the return value, the thread's and process's
// ids, the thread's comm). The library's user derives it from its filter so that every event the
// filter can match satisfies it (libsinsp: sinsp/prefilter.h); live engines that support it drop
// the other events in the kernel and count them apart from losses (engine_stats::n_prefiltered).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace scap {

// One comm condition: the thread's comm equals `text`, or starts with it when `prefix`.
struct prefilter_comm {
    std::string text;
    bool prefix = false;
    bool operator==(const prefilter_comm& o) const { return text == o.text && prefix == o.prefix; }
};

// Conditions on one event code. A default rule accepts every event.
struct prefilter_rule {
    // No event of this code can match (the filter excludes it for every value).
    bool never = false;
    int64_t ret_min = std::numeric_limits<int64_t>::min();
    int64_t ret_max = std::numeric_limits<int64_t>::max();
    // Empty: any. Else the event's value must be one of them.
    std::vector<prefilter_comm> comms;
    std::vector<uint32_t> tids;
    std::vector<uint32_t> pids;

    // The return value is constrained (the range is not the whole of int64).
    bool bounds_ret() const {
        return ret_min != std::numeric_limits<int64_t>::min() ||
               ret_max != std::numeric_limits<int64_t>::max();
    }
    bool accepts_all() const;
};

// Bounds the kernel tables have room for (derivations stop constraining a field past them).
inline constexpr size_t prefilter_max_ids = 8;
inline constexpr size_t prefilter_max_comms = 8;
inline constexpr size_t prefilter_comm_max_len = 15;  // the kernel's comm, without its NUL

struct prefilter {
    // Indexed by event code; codes past the end, and default rules, accept everything.
    std::vector<prefilter_rule> rules;

    bool empty() const;
    const prefilter_rule* rule(uint16_t code) const {
        return code < rules.size() && !rules[code].accepts_all() ? &rules[code] : nullptr;
    }
    // A readable summary ("openat: ret in [-4095,-1]; read: comm = nginx ..."), for logs and tests.
    std::string describe() const;
};

// What the kernel checks, evaluated in userspace: whether an exit event with these values passes
// `rule`. `comm`: the thread's comm as the kernel has it (at most 15 characters).
bool prefilter_passes(const prefilter_rule& rule, int64_t ret, uint32_t tid, uint32_t pid,
                      std::string_view comm);

}  // namespace scap
