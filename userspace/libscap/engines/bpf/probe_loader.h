// Loads a legacy probe object (driver/bpf) with libbpf: checks the kernel it was built for,
// writes the settings and the shared rows (engines/shared/fill_specs) into its read-only data,
// fills its maps, attaches its raw tracepoints, reads its counters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engines/bpf/perf_rings.h"
#include "engines/shared/fill_specs.h"
#include "scap/bpf.h"
#include "scap/diagnostics.h"
#include "scap/engine.h"

struct bpf_object;
struct bpf_link;
struct bpf_map;

namespace scap::bpf {

class probe_loader {
  public:
    probe_loader() = default;
    ~probe_loader();
    probe_loader(const probe_loader&) = delete;
    probe_loader& operator=(const probe_loader&) = delete;

    // Opens, configures and loads the probe; opens its perf buffers into `rings`.
    bool load(const bpf_options& opts, perf_rings& rings, std::string& error);
    bool attach(std::string& error);
    void detach();
    bool set_selection(const std::vector<bool>& ppm_sc_selected, std::string& error);
    // Syscalls of process `tgid` are not captured (0: every process is).
    void ignore_process(uint32_t tgid);
    void read_stats(engine_stats& out) const;
    void report(engine_report& out) const;

  private:
    bool configure(std::string& error);
    bool fill_maps(std::string& error);
    bpf_map* map(const char* name, std::string& error) const;

    bpf_object* m_obj = nullptr;
    drivers::driver_tables m_tables;
    bpf_options m_opts;
    std::vector<bpf_link*> m_links;
    uint32_t m_ncpus = 1;
    int m_bss_fd = -1;
    uint32_t m_bss_size = 0;
    uint32_t m_ignored_off = 0;
};

}  // namespace scap::bpf
