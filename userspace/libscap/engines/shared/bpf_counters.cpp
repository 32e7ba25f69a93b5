#include "engines/shared/bpf_counters.h"

namespace scap::drivers {

void report_bpf_counters(const std::vector<mbpf_counters>& per_cpu, engine_stats& out) {
    mbpf_counters sum{};
    for (const mbpf_counters& c : per_cpu) {
        sum.n_evts += c.n_evts;
        sum.n_drops_buffer += c.n_drops_buffer;
        sum.n_drops_scratch += c.n_drops_scratch;
        sum.n_drops_pf += c.n_drops_pf;
        sum.n_drops_bug += c.n_drops_bug;
        sum.n_toctou_misses += c.n_toctou_misses;
        sum.n_prefiltered += c.n_prefiltered;
    }
    out.n_drops_buffer = sum.n_drops_buffer;
    out.n_drops_scratch_map = sum.n_drops_scratch;
    out.n_drops_page_faults = sum.n_drops_pf;
    out.n_drops_bug = sum.n_drops_bug;
    out.n_prefiltered = sum.n_prefiltered;
    // Page faults do not drop the event (it is sent with the parameter empty): not in n_drops.
    out.n_drops = sum.n_drops_buffer + sum.n_drops_scratch + sum.n_drops_bug;
    out.extra.emplace_back("kernel_events", sum.n_evts);
    out.extra.emplace_back("toctou_exit_without_entry", sum.n_toctou_misses);
}

}  // namespace scap::drivers
