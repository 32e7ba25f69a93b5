// The per-CPU counters both eBPF drivers (modern and legacy) keep in their `counters` map,
// summed and reported as engine statistics: drops by cause and the extra counters.
#pragma once

#include <vector>

#include "scap/engine.h"
#include "shared/abi.h"

namespace scap::drivers {

// per_cpu: one mbpf_counters per possible CPU, as a per-CPU array lookup returns them.
void report_bpf_counters(const std::vector<mbpf_counters>& per_cpu, engine_stats& out);

}  // namespace scap::drivers
