// The initial snapshot for live engines, read from /proc (and /etc, getifaddrs): the same
// scap::snapshot a capture file carries, so the state layer loads both the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scap/snapshot.h"
#include "scap/status.h"

namespace scap {

struct proc_snapshot_options {
    // Where procfs is mounted; tests point it at a fake tree.
    std::string proc_root = "/proc";
    // Directory holding passwd and group.
    std::string etc_root = "/etc";
    bool scan_fds = true;
    // Also list every /proc/PID/task/TID besides the main thread.
    bool include_threads = true;
    // Read environ (the largest per-process file; engines that do not need it save time).
    bool read_env = true;
    // Stop listing a process's fds after this many; 0 means no cap.
    uint32_t max_fds_per_process = 0;
    // Only these processes (by pid); empty means every process.
    std::vector<uint64_t> pids;
    // Threads reading /proc/PID directories: 0 picks one per CPU (at most 8). The calling
    // thread waits for them; it scans itself only for fewer than 64 pids or when no thread
    // can be started. The result is the same whatever the count (same entries, same order).
    unsigned scan_threads = 0;
    // Scan threads take a private fd table and close each process's files with one
    // close_range instead of a close(2) each (same result; false closes file by file, for
    // tests and comparisons).
    bool batch_closes = true;
    bool read_users = true;
    bool read_interfaces = true;
    bool read_machine = true;
    // Where the processes go instead of the snapshot's list: each entry, its fds with it, is
    // handed over on the calling thread as soon as the scan of its run of pids is done, while
    // the workers read the next ones, and freed after. A consumer that builds its own state
    // (libsinsp) thus loads it during the scan, and the scan's memory is reused instead of
    // holding every process of the host at once. Entries come in pid order, except that one
    // whose pid namespace's init was not seen yet waits for it (pidns_init_start_ts) or for the
    // end. Null keeps them in the snapshot.
    snapshot_sink* processes_to = nullptr;
};

// What the scan saw. Nothing here is an error: processes come and go while we read.
struct proc_snapshot_summary {
    uint64_t processes = 0;  // main threads listed
    uint64_t threads = 0;    // entries listed (main threads included)
    uint64_t fds = 0;
    uint64_t kernel_threads = 0;      // skipped: no cmdline and no exe
    uint64_t vanished = 0;            // exited while being read (ENOENT/ESRCH)
    uint64_t permission_denied = 0;   // files we were not allowed to read (the entry is kept)
    uint64_t malformed = 0;           // lines or files that did not parse (skipped)
    uint64_t fd_capped = 0;           // processes whose fd list hit max_fds_per_process
    uint64_t unresolved_sockets = 0;  // socket fds found in no /proc/net table
    uint64_t duration_ns = 0;
};

// Replaces out with the machine's current state. Fails only when proc_root cannot be listed;
// everything else is skipped and counted in summary.
status read_proc_snapshot(const proc_snapshot_options& opts, snapshot& out, std::string& error,
                          proc_snapshot_summary& summary);
status read_proc_snapshot(const proc_snapshot_options& opts, snapshot& out, std::string& error);

}  // namespace scap
