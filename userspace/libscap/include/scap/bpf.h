// Options of the legacy eBPF live engine: a probe object built for the running kernel against its
// headers (driver/bpf/build.sh), loaded with libbpf without BTF. Design in proposals/0010.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scap {

class snapshot_sink;

struct bpf_options {
    // The probe object (scap_bpf-<release>.o). It must have been built for the running kernel:
    // the engine refuses another kernel's probe, naming both releases.
    std::string probe_path;
    // Data bytes of each per-CPU perf buffer: a power of two, at least one page.
    uint64_t buffer_bytes = 8ull * 1024 * 1024;
    // Bytes of I/O data (read/write/send/recv buffers) copied into events.
    uint32_t snaplen = 80;
    // Syscalls to capture, indexed by ppm_sc code; empty = all of them.
    std::vector<bool> ppm_sc_selected;
    // Non-syscall event sources.
    bool proc_exit = true;
    bool signal_deliver = true;
    bool page_faults = false;
    bool sched_switch = false;
    // Read the initial process/fd/user/interface snapshot from /proc when capture starts.
    bool proc_snapshot = true;
    bool proc_snapshot_fds = true;
    // Where the scan's processes go instead of the snapshot (proc_snapshot_options::processes_to):
    // a consumer's own state, loaded while the scan runs. Used by start(), on its thread.
    snapshot_sink* processes_to = nullptr;
    // Bound on the userspace memory holding events drained while the snapshot is read.
    uint64_t start_buffer_bytes = 512ull * 1024 * 1024;
};

// True when this libscap was built with the bpf engine (it needs libbpf).
bool bpf_available();

}  // namespace scap
