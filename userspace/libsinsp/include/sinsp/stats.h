// Counters of the state layer.
#pragma once

#include <cstdint>

namespace sinsp {

struct state_stats {
    uint64_t events = 0;                      // events processed
    uint64_t threads_created = 0;             // entries created (snapshot, clone, unknown tids)
    uint64_t threads_incomplete = 0;          // of which: made up for an event of an unknown tid
    uint64_t threads_child_first = 0;         // of which: new tid whose first event was its own clone exit
    uint64_t threads_removed = 0;             // removed after their exit
    uint64_t threads_evicted = 0;             // removed to stay within the table bound or the budget
    uint64_t threads_evicted_for_memory = 0;  // of which: to bring the state under max_state_bytes
    uint64_t fds_evicted = 0;                 // fds whose table went with an evicted thread
    uint64_t state_bytes_evicted = 0;         // estimated bytes freed by evictions for max_state_bytes
    // The state's estimated heap bytes (threads, fd tables, interned strings; see
    // inspector::state_bytes) after the last event, and the most it reached after any event.
    uint64_t state_bytes = 0;
    uint64_t state_bytes_peak = 0;
    uint64_t fds_added = 0;
    uint64_t fds_removed = 0;
    uint64_t fds_refused = 0;         // not tracked: their fd table held max_fds_per_table fds
    uint64_t parse_errors = 0;        // events too short for their parser, or with unreadable payloads
    uint64_t container_events = 0;    // container meta events applied
    uint64_t containers_dropped = 0;  // containers not tracked: the table was full
};

}  // namespace sinsp
