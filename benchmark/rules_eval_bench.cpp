// The full default Falco ruleset on every event of the 2M-event reference capture, against
// parse+state alone in the same run:
//   BM_state_only        libscap next() + sinsp::inspector (the baseline)
//   BM_default_rules     the same + falco_rules.yaml, falco-incubating_rules.yaml and
//                        falco-sandbox_rules.yaml evaluated on every event (each event only
//                        against the rules that can match its type), alerts counted, not printed
//   BM_default_rules_all the same, reporting every matching rule instead of the first
//   BM_default_rules_unshared  BM_default_rules with each rule's condition evaluated on its own
//                        (load_options::share_conditions off: the engine before the shared graph)
//   BM_rules_ratio       per iteration, one replay of each of the three back to back, timed in
//                        thread CPU time: the counters are the ratios to parse+state within the
//                        iteration, so load that drifts between benchmarks (the machine is shared)
//                        does not skew them; take the median over --benchmark_repetitions
// The ratio BM_default_rules / BM_state_only is the rules' cost (target <= 1.30).
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sinsp/fields.h"
#include "sinsp/inspector.h"
#include "sinsp/rules.h"

namespace {

const std::string& shared_dir() {
    static const std::string dir = std::string(SCAP_SOURCE_DIR) + "/../shared";
    return dir;
}

const std::string& plain_path() {
    static std::string path = [] {
        const std::string gz = shared_dir() + "/captures/reference_mixed_2M.scap.gz";
        std::string out =
            (std::filesystem::temp_directory_path() / "rules_bench_reference_mixed_2M.scap").string();
        gzFile in = gzopen(gz.c_str(), "rb");
        FILE* f = std::fopen(out.c_str(), "wb");
        std::vector<char> buf(1 << 20);
        int n;
        while (in && f && (n = gzread(in, buf.data(), static_cast<unsigned>(buf.size()))) > 0)
            std::fwrite(buf.data(), 1, static_cast<size_t>(n), f);
        if (in) gzclose(in);
        if (f) std::fclose(f);
        return out;
    }();
    return path;
}

template <typename F>
bool replay(benchmark::State& state, sinsp::inspector& insp, F&& on_event) {
    std::string error;
    if (insp.open_file(plain_path(), error) != scap::status::ok) {
        state.SkipWithError(error.c_str());
        return false;
    }
    const sinsp::event* e;
    scap::status s;
    while ((s = insp.next(e)) == scap::status::ok) on_event(*e);
    if (s != scap::status::eof) {
        state.SkipWithError(insp.last_error().c_str());
        return false;
    }
    return true;
}

void BM_state_only(benchmark::State& state) {
    uint64_t events = 0;
    for (auto _ : state) {
        sinsp::inspector insp;
        if (!replay(state, insp, [](const sinsp::event& e) { benchmark::DoNotOptimize(e.thread); })) return;
        events += insp.stats().events;
    }
    state.SetItemsProcessed(static_cast<int64_t>(events));
}

void run_rules(benchmark::State& state, bool all_matches, bool shared = true) {
    sinsp::field_catalog fields;
    sinsp::rules::load_options opts;
    opts.all_matches = all_matches;
    opts.share_conditions = shared;
    sinsp::rules::ruleset rs(fields, opts);
    for (const char* f : {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"}) {
        if (!rs.add_file(shared_dir() + "/rules/" + f)) {
            state.SkipWithError("cannot load the default rule files");
            return;
        }
    }
    rs.compile();
    uint64_t events = 0, alerts = 0;
    for (auto _ : state) {
        sinsp::inspector insp;
        const bool ok = replay(state, insp, [&](const sinsp::event& e) {
            const sinsp::event_context ctx{&e, &insp};
            alerts += rs.evaluate(ctx).size();
        });
        if (!ok) return;
        events += insp.stats().events;
    }
    state.SetItemsProcessed(static_cast<int64_t>(events));
    state.counters["active_rules"] = static_cast<double>(rs.summary().active);
    state.counters["alerts_per_run"] = static_cast<double>(alerts) / static_cast<double>(state.iterations());
}

void BM_default_rules(benchmark::State& state) {
    run_rules(state, false);
}

void BM_default_rules_all(benchmark::State& state) {
    run_rules(state, true);
}

void BM_default_rules_unshared(benchmark::State& state) {
    run_rules(state, false, false);
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::unique_ptr<sinsp::rules::ruleset> default_ruleset(sinsp::field_catalog& fields, bool shared) {
    sinsp::rules::load_options opts;
    opts.share_conditions = shared;
    auto rs = std::make_unique<sinsp::rules::ruleset>(fields, opts);
    for (const char* f : {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"}) {
        if (!rs->add_file(shared_dir() + "/rules/" + f)) return nullptr;
    }
    rs->compile();
    return rs;
}

void BM_rules_ratio(benchmark::State& state) {
    sinsp::field_catalog fields;
    auto shared = default_ruleset(fields, true);
    auto unshared = default_ruleset(fields, false);
    if (!shared || !unshared) {
        state.SkipWithError("cannot load the default rule files");
        return;
    }
    double t_state = 0, t_shared = 0, t_unshared = 0;
    uint64_t alerts = 0;
    // One replay, its thread CPU time added to `total`.
    auto timed = [&](double& total, sinsp::rules::ruleset* rs) {
        sinsp::inspector insp;
        const double start = thread_cpu_seconds();
        const bool ok = replay(state, insp, [&](const sinsp::event& e) {
            if (rs == nullptr) {
                benchmark::DoNotOptimize(e.thread);
                return;
            }
            const sinsp::event_context ctx{&e, &insp};
            alerts += rs->evaluate(ctx).size();
        });
        total += thread_cpu_seconds() - start;
        return ok;
    };
    for (auto _ : state) {
        if (!timed(t_state, nullptr) || !timed(t_shared, shared.get()) || !timed(t_unshared, unshared.get()))
            return;
    }
    state.counters["state_ms"] = 1e3 * t_state / static_cast<double>(state.iterations());
    state.counters["rules_ms"] = 1e3 * t_shared / static_cast<double>(state.iterations());
    state.counters["unshared_ms"] = 1e3 * t_unshared / static_cast<double>(state.iterations());
    state.counters["rules_ratio"] = t_shared / t_state;
    state.counters["unshared_ratio"] = t_unshared / t_state;
    state.counters["alerts"] = static_cast<double>(alerts);
}

}  // namespace

BENCHMARK(BM_state_only)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_default_rules)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_default_rules_all)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_default_rules_unshared)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_rules_ratio)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK_MAIN();
