// Parse + state over the 2M-event reference capture, with raw libscap iteration of the same
// decompressed file as the baseline in the same run:
//   BM_scap_iterate   libscap next() only
//   BM_sinsp_state    libscap next() + sinsp::inspector (thread/fd state, no output)
//   BM_sinsp_filter   the same + `evt.type=openat and proc.name contains load` on every event
// Both report events/s (items_per_second).
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "scap/scap.h"
#include "sinsp/fields.h"
#include "sinsp/filter.h"
#include "sinsp/inspector.h"

namespace {

const std::string& plain_path() {
    static std::string path = [] {
        const std::string gz =
            std::string(SCAP_SOURCE_DIR) + "/../shared/captures/reference_mixed_2M.scap.gz";
        std::string out =
            (std::filesystem::temp_directory_path() / "sinsp_bench_reference_mixed_2M.scap").string();
        gzFile in = gzopen(gz.c_str(), "rb");
        FILE* f = std::fopen(out.c_str(), "wb");
        std::vector<char> buf(1 << 20);
        int n;
        while (in && f && (n = gzread(in, buf.data(), buf.size())) > 0) std::fwrite(buf.data(), 1, n, f);
        if (in) gzclose(in);
        if (f) std::fclose(f);
        return out;
    }();
    return path;
}

void BM_scap_iterate(benchmark::State& state) {
    uint64_t events = 0;
    for (auto _ : state) {
        scap::open_options opts;
        opts.file.path = plain_path();
        std::string error;
        auto eng = scap::open_engine(opts, error);
        if (!eng) {
            state.SkipWithError(error.c_str());
            return;
        }
        scap::event_ref ref;
        while (eng->next(ref) == scap::status::ok) ++events;
    }
    state.SetItemsProcessed(events);
}

// Replays the capture through an inspector, calling on_event for each event. False (with the
// benchmark marked as failed) on errors.
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

void BM_sinsp_state(benchmark::State& state) {
    uint64_t events = 0;
    size_t threads = 0, per_thread = 0;
    for (auto _ : state) {
        sinsp::inspector insp;
        if (!replay(state, insp, [](const sinsp::event& e) { benchmark::DoNotOptimize(e.thread); })) return;
        events += insp.stats().events;
        state.PauseTiming();
        const auto m = insp.memory();
        threads = m.threads;
        per_thread = m.threads ? m.total() / m.threads : 0;
        state.counters["parse_errors"] = static_cast<double>(insp.stats().parse_errors);
        state.counters["fds_added"] = static_cast<double>(insp.stats().fds_added);
        state.counters["incomplete"] = static_cast<double>(insp.stats().threads_incomplete);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(events);
    state.counters["threads"] = static_cast<double>(threads);
    state.counters["bytes_per_thread"] = static_cast<double>(per_thread);
    state.counters["sizeof_thread"] = sizeof(sinsp::thread_info);
}

// Parse + state + the reference filter through the real field catalog.
void BM_sinsp_filter(benchmark::State& state) {
    uint64_t events = 0, matched = 0;
    sinsp::field_catalog fields;
    auto filter = sinsp::filter::compile("evt.type=openat and proc.name contains load", fields);
    for (auto _ : state) {
        sinsp::inspector insp;
        const bool ok = replay(state, insp, [&](const sinsp::event& e) {
            const sinsp::event_context ctx{&e, &insp};
            matched += filter->matches(ctx);
        });
        if (!ok) return;
        events += insp.stats().events;
    }
    state.SetItemsProcessed(events);
    state.counters["matched_per_run"] =
        static_cast<double>(matched) / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK(BM_scap_iterate)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_sinsp_state)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_sinsp_filter)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_MAIN();
