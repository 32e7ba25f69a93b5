// scapdig's command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scap/cpu_affinity.h"

namespace scapdig {

struct options {
    std::string read_file;     // -r: replay this capture; empty means live capture
    std::string write_file;    // -w: write matching events (and the snapshot) here
    bool compress = false;     // -z or a .gz name: gzip the written capture
    std::string format;        // -p: output format; empty means the default line
    bool json = false;         // -j
    uint64_t max_events = 0;   // -n: stop after this many matching events (0: no limit)
    bool list_fields = false;  // -l
    bool quiet = false;        // -q: no per-event output (summary only)
    bool diagnostics = false;  // --diagnostics: print the health report as JSON and exit
    double seconds = 1.0;      // --seconds: how long --diagnostics reads a live engine
    bool want_output = false;  // -p or -j given: print even when writing (-w)
    bool kmod = false;         // --kmod: live capture with the kernel module (default: modern eBPF)
    std::string kmod_path;     // --kmod_path: scap_kmod.ko to load when the module is not loaded
    std::string bpf_probe;     // --bpf: live capture with this legacy eBPF probe (built for this kernel)
    std::string filter;        // the trailing arguments, joined by spaces
    // --threads: 1 = one thread, 2+ = read on a second one. 1 by default: on this 2-core VM two
    // threads measured slower (proposals/0009-parallel-replay.md, "Measured").
    unsigned threads = 1;
    // --cpu: the CPU this thread (state, filters, output) is pinned to, -1 for none; the
    // library's workers then run on the other CPUs allowed (worker_cpus, filled by pin_to_cpu).
    int cpu = -1;
    scap::cpu_list worker_cpus;
    // --max-state-mb: the state's memory budget in bytes (0: none).
    size_t max_state_bytes = 0;
    // Live: ask the container runtime for metadata (--no-container-runtime turns it off), at
    // these Engine API sockets (--container-socket, repeatable; empty: the usual places).
    bool container_runtime = true;
    // Live with a filter: drop in the kernel the events the filter cannot match (proposal 0011);
    // --no-prefilter turns it off.
    bool prefilter = true;
    std::vector<std::string> container_sockets;
    // Rules mode (rules_mode.cpp): Falco-format rule files, loaded in order.
    std::vector<std::string> rule_files;  // --rules FILE (repeatable)
    std::string min_priority;             // --min-priority LEVEL
    bool list_rules = false;              // --list-rules
    bool strict_rules = false;            // --strict-rules: any rule error is fatal
    bool all_matches = false;             // --all-matches: every matching rule, not the first
};

// Parses argv. Returns 0 to go on, -1 when it printed the help (exit 0), or an exit code after
// printing an error.
int parse_options(int argc, char** argv, options& out);
// --cpu: pins the calling thread to o.cpu and sets o.worker_cpus to the other CPUs it was allowed
// (o.cpu itself when there are none). False, with a message on stderr, when o.cpu is not allowed.
bool pin_to_cpu(options& o);

}  // namespace scapdig
