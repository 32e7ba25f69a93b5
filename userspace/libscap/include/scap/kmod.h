// Options of the kernel-module live engine (driver/kmod, design in proposals/0008-kmod.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scap {

class snapshot_sink;

struct kmod_options {
    // Data bytes of each per-CPU ring: a power of two, 256 KiB .. 1 GiB.
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
    // When the device is absent, load this scap_kmod.ko first (finit_module). Empty: the module
    // must already be loaded.
    std::string module_path;
    std::string device = "/dev/scap_kmod";
};

}  // namespace scap
