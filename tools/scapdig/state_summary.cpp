#include "state_summary.h"

#include <cstdio>

namespace scapdig {

namespace {

double mib(uint64_t bytes) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

}  // namespace

void print_state_memory(const sinsp::state_stats& s, size_t budget_bytes) {
    char budget[48];
    if (budget_bytes)
        std::snprintf(budget, sizeof budget, "%.1f MiB", mib(budget_bytes));
    else
        std::snprintf(budget, sizeof budget, "none");
    std::fprintf(stderr,
                 "scapdig: state memory: %.2f MiB estimated, peak %.2f MiB, budget %s; evicted for the "
                 "budget: %llu threads, %llu fds, %.2f MiB\n",
                 mib(s.state_bytes), mib(s.state_bytes_peak), budget,
                 static_cast<unsigned long long>(s.threads_evicted_for_memory),
                 static_cast<unsigned long long>(s.fds_evicted), mib(s.state_bytes_evicted));
}

}  // namespace scapdig
