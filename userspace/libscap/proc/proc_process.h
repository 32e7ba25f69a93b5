// One /proc/PID (or /proc/PID/task/TID) directory to a process_info.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proc/proc_io.h"
#include "scap/proc_snapshot.h"
#include "scap/snapshot.h"

namespace scap::proc {

struct process_scan {
    const proc_snapshot_options& opts;
    proc_snapshot_summary& summary;
    buffer& buf;
    const std::vector<std::string>& v2_controllers;
    uint64_t boot_ns;        // wall-clock time of boot, for clone_ts
    uint64_t ticks_per_sec;  // unit of stat's starttime
    // The procfs's pids are ours (its "self" is our pid): the fd limit may then come from
    // prlimit(2), one syscall instead of opening, formatting and parsing the limits file.
    bool pids_are_ours = false;
};

inline constexpr uint64_t k_procfs_pidns = UINT64_MAX;

enum class task_outcome {
    listed,
    gone,           // exited while we read it
    kernel_thread,  // not listed, as capture files do not list them
    malformed,      // stat or status unusable
};

// What reading a task tells the scan besides its process_info.
struct task_facts {
    // The process's pid namespace inode, k_procfs_pidns for the namespace procfs belongs to,
    // 0 when unreadable (and for threads, which share their process's).
    uint64_t pidns_ino = 0;
    // status's "Threads:" count, -1 when not given: 1 lets the scan skip listing task/.
    int64_t threads = -1;
};

// Reads the task whose directory is open as dir. For a non-main thread pass its process
// (already read) as main: what threads share (exe, args, env, cwd, root, limits, cgroups) is
// copied from it rather than read again.
task_outcome read_task(process_scan& scan, int dir, uint64_t tid, const process_info* main, process_info& out,
                       task_facts& facts);

}  // namespace scap::proc
