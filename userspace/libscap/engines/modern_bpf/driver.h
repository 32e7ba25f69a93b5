// Loads the modern BPF driver (libbpf skeleton), configures its maps from the schema and the
// options, attaches and detaches its programs, and reads its counters.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engines/shared/fill_specs.h"
#include "engines/modern_bpf/ring_reader.h"
#include "scap/diagnostics.h"
#include "scap/engine.h"
#include "scap/modern_bpf.h"

struct modern_bpf;
struct bpf_link;
struct bpf_program;

namespace scap::modern_bpf {

using drivers::driver_tables;

class driver {
  public:
    driver() = default;
    ~driver();
    driver(const driver&) = delete;
    driver& operator=(const driver&) = delete;

    // Opens, configures and loads; maps the ring buffers into `rings`.
    bool load(const modern_bpf_options& opts, ring_reader& rings, std::string& error);
    bool attach(std::string& error);
    void detach();
    bool set_selection(const std::vector<bool>& ppm_sc_selected, std::string& error);
    // Installs the in-kernel pre-filter (an empty one turns it off).
    bool set_prefilter(const prefilter& pf, std::string& error);
    // Syscalls of process `tgid` are not captured (0: every process is).
    void ignore_process(uint32_t tgid);
    // Buffers and the driver's own programs (verified size, run statistics).
    void report(engine_report& out) const;
    // Kernel-side counters summed over CPUs, and program run statistics.
    void read_stats(engine_stats& out) const;
    // Notes for the user (e.g. "entry tracepoints unavailable, reading at exit").
    const std::vector<std::string>& notes() const { return m_notes; }

  private:
    // A TOCTOU entry hook in both forms (bpf/toctou_enter.h); one of the two is loaded.
    struct entry_hook {
        bpf_program* fentry;
        bpf_program* tracepoint;
        const char* syscall;
    };
    std::vector<entry_hook> entry_hooks() const;
    void choose_entry_hooks(bool fentry);
    bool open_and_load(const modern_bpf_options& opts, bool fentry, std::string& error);
    void discard_object();
    bool configure(const modern_bpf_options& opts, std::string& error);
    bool fill_maps(std::string& error);
    bool attach_toctou();

    ::modern_bpf* m_skel = nullptr;
    driver_tables m_tables;
    modern_bpf_options m_opts;
    std::vector<int> m_ring_fds;
    std::vector<bpf_link*> m_links;
    std::vector<std::string> m_notes;
    int m_stats_fd = -1;
    uint32_t m_ncpus = 1;
    // task_rename is (or, before attach(), will be) attached: comm conditions can be kept sound
    // (see bpf/prefilter.h). attach() clears it when the tracepoint is missing.
    bool m_rename_tracked = true;
    // The TOCTOU entry hooks loaded are the fentry ones (else the tracepoints).
    bool m_entry_fentry = true;
    prefilter m_prefilter;  // the one installed, re-applied when rename tracking turns out missing
};

}  // namespace scap::modern_bpf
