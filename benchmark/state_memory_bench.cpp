// State memory at scale: a made-up host (benchmark/synthetic_processes.h) with 10,000 and
// 100,000 threads (one process per 5 threads, 6 fds per process) loaded into sinsp::inspector.
// Counters:
//   state_bytes_per_thread     inspector::memory().total() / threads (thread table, fd tables,
//                              interned strings)
//   snapshot_bytes_per_thread  the raw scap::snapshot the state was loaded from (what libscap
//                              held before it could release it), same accounting of heap bytes
//   estimate_bytes_per_thread  inspector::state_bytes() / threads: the O(1) estimate the state
//                              budget (proposal 0012) is held against
//   malloc_bytes_per_thread    what the heap actually grew by while the state was made and
//                              loaded (glibc mallinfo2: in-use chunks, overhead included, plus
//                              mmapped blocks) / threads
// The time is that of loading the snapshot into the state.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include "sinsp/inspector.h"
#include "synthetic_processes.h"

namespace {

size_t heap(const std::string& s) {
    return s.capacity() > 15 ? s.capacity() + 1 : 0;  // beyond the small-string buffer
}

size_t heap_in_use() {
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

size_t snapshot_bytes(const scap::snapshot& snap) {
    size_t n = snap.processes.capacity() * sizeof(scap::process_info);
    for (const auto& p : snap.processes) {
        n += heap(p.comm) + heap(p.exe) + heap(p.exepath) + heap(p.args) + heap(p.env) + heap(p.cwd) +
             heap(p.cgroups) + heap(p.root) + p.fds.capacity() * sizeof(scap::fd_info);
        for (const auto& f : p.fds) n += heap(f.name);
    }
    return n + snap.processes.size() * 32;  // the tid index, about one node per process
}

void BM_state_memory(benchmark::State& state) {
    synthetic::shape sh;
    sh.threads = static_cast<size_t>(state.range(0));
    sh.processes = sh.threads / 5;
    sh.fds = sh.processes * 6;
    const scap::snapshot snap = synthetic::make_snapshot(sh);
    size_t bytes = 0, threads = 0, estimate = 0, heap = 0;
    for (auto _ : state) {
        const size_t before = heap_in_use();
        sinsp::inspector insp;
        insp.load_snapshot(snap);
        heap = heap_in_use() - before;
        const auto m = insp.memory();
        bytes = m.total();
        threads = m.threads;
        estimate = insp.state_bytes();
        benchmark::DoNotOptimize(bytes);
    }
    if (threads != sh.threads) {
        state.SkipWithError("the state does not hold every thread of the snapshot");
        return;
    }
    state.counters["threads"] = static_cast<double>(threads);
    state.counters["state_bytes_per_thread"] = static_cast<double>(bytes) / static_cast<double>(threads);
    state.counters["estimate_bytes_per_thread"] =
        static_cast<double>(estimate) / static_cast<double>(threads);
    state.counters["malloc_bytes_per_thread"] = static_cast<double>(heap) / static_cast<double>(threads);
    state.counters["snapshot_bytes_per_thread"] =
        static_cast<double>(snapshot_bytes(snap)) / static_cast<double>(threads);
}
BENCHMARK(BM_state_memory)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
