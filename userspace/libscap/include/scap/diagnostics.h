// Facts for a support bundle or a monitoring probe, collected by the library so a security
// engine can report them itself: what this machine offers (kernel, BTF, module support, BPF
// permissions), which engines can run here and why not, the BPF programs loaded, and what an
// open engine is doing (buffers, its programs' verified sizes and run times, drops by cause).
// sinsp::diagnostics_json() renders all of it, plus the state's counters, as one JSON document.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scap/engine.h"

namespace scap {

struct bpf_program_report {
    uint32_t id = 0;
    std::string name;
    std::string type;             // libbpf's name of the program type ("tracing", "tracepoint"...)
    uint32_t verified_insns = 0;  // instructions the verifier processed to accept it (of 1 M)
    uint64_t run_cnt = 0;         // runs and total run time: 0 unless BPF stats are enabled
    uint64_t run_time_ns = 0;
};

struct engine_support {
    std::string name;
    bool can_run = false;
    std::vector<std::string> why_not;  // each unmet requirement, in words
};

struct host_report {
    std::string library_version;
    std::string schema_version;
    std::string kernel_release;  // uname -r
    std::string kernel_version;  // uname -v
    std::string machine;         // uname -m
    bool btf = false;            // /sys/kernel/btf/vmlinux readable (CO-RE needs it)
    bool tracefs = false;        // syscall tracepoints visible (the TOCTOU entry hooks need them)
    // Kernel module support (kmod engine).
    bool modules_supported = false;  // CONFIG_MODULES: /proc/modules exists
    bool modules_disabled = false;   // /proc/sys/kernel/modules_disabled = 1
    bool kernel_headers = false;     // /lib/modules/RELEASE/build present (to build a module)
    // BPF permissions.
    uint32_t euid = 0;
    bool cap_sys_admin = false, cap_bpf = false, cap_perfmon = false;
    int unprivileged_bpf_disabled = -1;           // /proc/sys/kernel/unprivileged_bpf_disabled, -1 unknown
    uint64_t memlock_soft = 0, memlock_hard = 0;  // RLIMIT_MEMLOCK bytes; UINT64_MAX = unlimited
    // Result of creating (and closing) a one-page BPF ring buffer: "" when it worked.
    std::string bpf_map_probe;
    std::vector<engine_support> engines;
    // Every BPF program loaded on the machine (needs CAP_SYS_ADMIN), or why they cannot be listed.
    std::vector<bpf_program_report> bpf_programs;
    std::string bpf_programs_error;
};

// Collects the host facts. Never fails: what cannot be read is reported as such.
host_report collect_host_report();

// What an open engine reports about itself (engine::get_report).
struct engine_report {
    std::string name;
    uint32_t ring_buffers = 0;       // live engines: number of kernel buffers
    uint64_t ring_buffer_bytes = 0;  // bytes of each
    uint32_t cpus_for_each_buffer = 0;
    std::vector<bpf_program_report> programs;  // the engine's own BPF programs
    engine_stats stats;
    std::vector<std::string> notes;
};

// Version of this library (the project version).
const char* library_version();

}  // namespace scap
