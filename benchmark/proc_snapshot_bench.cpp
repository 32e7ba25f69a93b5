// Time to take the initial snapshot from /proc, as a live engine does when capture starts.
// The Arg is the number of extra idle processes forked first, to see how the scan scales.
#include <benchmark/benchmark.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "scap/proc_snapshot.h"

namespace {

// Idle children that live until the benchmark ends.
class idle_children {
  public:
    explicit idle_children(int n) {
        for (int i = 0; i < n; ++i) {
            const pid_t p = ::fork();
            if (p == 0) {
                ::pause();
                ::_exit(0);
            }
            if (p > 0) m_pids.push_back(p);
        }
    }
    ~idle_children() {
        for (pid_t p : m_pids) ::kill(p, SIGKILL);
        for (pid_t p : m_pids) ::waitpid(p, nullptr, 0);
    }

  private:
    std::vector<pid_t> m_pids;
};

// range(0): idle children forked first; range(1): scan threads (0: one per CPU).
void run(benchmark::State& state, scap::proc_snapshot_options opts) {
    idle_children kids(static_cast<int>(state.range(0)));
    opts.scan_threads = static_cast<unsigned>(state.range(1));
    scap::proc_snapshot_summary sum;
    for (auto _ : state) {
        scap::snapshot snap;
        std::string err;
        if (scap::read_proc_snapshot(opts, snap, err, sum) != scap::status::ok) {
            state.SkipWithError(err.c_str());
            return;
        }
        benchmark::DoNotOptimize(snap.processes.data());
    }
    state.counters["processes"] = static_cast<double>(sum.processes);
    state.counters["threads"] = static_cast<double>(sum.threads);
    state.counters["fds"] = static_cast<double>(sum.fds);
    state.counters["threads/s"] =
        benchmark::Counter(static_cast<double>(sum.threads), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_proc_snapshot_full(benchmark::State& state) {
    run(state, scap::proc_snapshot_options{});
}

void BM_proc_snapshot_no_fds(benchmark::State& state) {
    scap::proc_snapshot_options o;
    o.scan_fds = false;
    run(state, o);
}

void BM_proc_snapshot_processes_only(benchmark::State& state) {
    scap::proc_snapshot_options o;
    o.scan_fds = false;
    o.include_threads = false;
    o.read_env = false;
    run(state, o);
}

}  // namespace

// Serial (1) beside one thread per CPU (0), so the parallel scan's gain is read in one run.
#define SNAPSHOT_ARGS \
    ArgNames({"children", "threads"})->ArgsProduct({{0, 2000}, {1, 0}})->Unit(benchmark::kMillisecond)
BENCHMARK(BM_proc_snapshot_full)->SNAPSHOT_ARGS;
BENCHMARK(BM_proc_snapshot_no_fds)->SNAPSHOT_ARGS;
BENCHMARK(BM_proc_snapshot_processes_only)->SNAPSHOT_ARGS;

BENCHMARK_MAIN();
