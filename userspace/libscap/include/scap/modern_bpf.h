// Options of the modern (CO-RE eBPF) live engine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scap/prefilter.h"

namespace scap {

class snapshot_sink;

class engine;

struct modern_bpf_options {
    // Bytes of each ring buffer: a power of two, at least one page.
    uint64_t buffer_bytes = 8ull * 1024 * 1024;
    // CPUs sharing one ring buffer; 0 = a single buffer for every CPU.
    uint32_t cpus_for_each_buffer = 1;
    // Bytes of I/O data (read/write/send/recv buffers) copied into events.
    uint32_t snaplen = 80;
    // Syscalls to capture, indexed by ppm_sc code; empty = all of them.
    std::vector<bool> ppm_sc_selected;
    // In-kernel pre-filter (scap/prefilter.h): syscall exits that fail it are dropped before
    // they are built and counted in engine_stats::n_prefiltered. Empty: everything passes.
    prefilter pre_filter;
    // Non-syscall event sources.
    bool proc_exit = true;
    bool signal_deliver = true;
    bool page_faults = false;
    bool sched_switch = false;
    // The entry hooks that save TOCTOU arguments (open*, creat, connect, execve*) as fentry
    // programs on the syscalls' functions, the cheaper kind, falling back to the syscall entry
    // tracepoints where the kernel refuses them. False: the tracepoints from the start.
    bool entry_hooks_fentry = true;
    // Ask the kernel for BPF program run counts and times (reported in engine_stats.extra).
    bool program_stats = true;
    // Read the initial process/fd/user/interface snapshot from /proc when capture starts, so
    // state is complete from the first event. Tests that only look at raw events turn it off.
    bool proc_snapshot = true;
    bool proc_snapshot_fds = true;
    // Where the scan's processes go instead of the snapshot (proc_snapshot_options::processes_to):
    // a consumer's own state, loaded while the scan runs. Used by start(), on its thread.
    snapshot_sink* processes_to = nullptr;
    // Bound on the userspace memory holding the events drained while the snapshot is read
    // (other processes' activity during the scan); past it they are counted as buffer drops.
    uint64_t start_buffer_bytes = 512ull * 1024 * 1024;
};

// True when this libscap was built with the modern_bpf engine.
bool modern_bpf_available();

}  // namespace scap
