// Filter evaluation cost per event against the mock field registry of the unit tests.
// The accept-all filter is the baseline: the difference is what the filter itself costs.
#include <benchmark/benchmark.h>

#include "filter_test_fields.h"

using namespace filter_test;

namespace {

void run(benchmark::State& state, const char* text, bool fast_evt_type, bool matching_type) {
    mock_fields fields(fast_evt_type);
    auto f = text[0] ? compile(text, fields) : accept_all();
    mock_event e;
    if (!matching_type) e.type = PPME_SYSCALL_CLOSE_X;
    for (auto _ : state) {
        benchmark::DoNotOptimize(f->matches(as_ctx(e)));
    }
    state.SetItemsProcessed(state.iterations());
}

constexpr const char* k_rule = "evt.type=openat and proc.name contains load";

void BM_AcceptAll(benchmark::State& s) {
    run(s, "", true, true);
}
void BM_TypeAndContains_Match(benchmark::State& s) {
    run(s, k_rule, true, true);
}
void BM_TypeAndContains_OtherType(benchmark::State& s) {
    run(s, k_rule, true, false);
}
void BM_TypeAndContains_NoCodeFastPath(benchmark::State& s) {
    run(s, k_rule, false, true);
}
void BM_Falco_Like(benchmark::State& s) {
    run(s,
        "evt.type in (open, openat, openat2) and not fd.name startswith /proc and "
        "proc.name in (loader, bash, sshd) and fd.name pmatch (/opt, /etc) and not proc.pname regex 'x.*'",
        true, true);
}

}  // namespace

BENCHMARK(BM_AcceptAll);
BENCHMARK(BM_TypeAndContains_Match);
BENCHMARK(BM_TypeAndContains_OtherType);
BENCHMARK(BM_TypeAndContains_NoCodeFastPath);
BENCHMARK(BM_Falco_Like);
BENCHMARK_MAIN();
