// syscall_loadgen: the live-driver load generator. Runs one tight syscall loop for a fixed time
// and prints how many loop iterations and syscalls per second it achieved, so the same loop can
// be timed untraced and traced (benchmark/live_overhead.sh does both and reports the ratio).
//
//   syscall_loadgen WORKLOAD SECONDS [ITERATIONS]
//   workloads: getpid | close_bad (close(-1)) | openat_close | dd (read 1 byte from /dev/zero,
//              write it to /dev/null, like dd bs=1) | mixed (all of the above in turn)
//
// With ITERATIONS the loop also stops after exactly that many iterations: a fixed workload, so
// captures of it taken by different engines can be compared event for event.
// Output, one line: "loadgen workload=NAME seconds=S iterations=N syscalls=M rate=R syscalls/s
// cpu_seconds=C cpu_rate=Q syscalls/cpu-s". The second rate is over the CPU time the loop itself
// got (user + system, which includes the BPF programs run in its syscalls): on a machine where
// other work takes the CPU from the loop, the wall-clock rate measures the scheduler's share too.
#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// Each step runs a fixed number of syscalls and returns it. Raw syscall() so libc caching
// (getpid was cached by old glibc) cannot skip the kernel.
long step_getpid() {
    syscall(SYS_getpid);
    return 1;
}
long step_close_bad() {
    syscall(SYS_close, -1);
    return 1;
}
long step_openat_close() {
    const long fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) syscall(SYS_close, fd);
    return 2;
}
int g_zero = -1, g_null = -1;
long step_dd() {
    char b;
    syscall(SYS_read, g_zero, &b, 1);
    syscall(SYS_write, g_null, &b, 1);
    return 2;
}
long step_mixed() {
    return step_getpid() + step_close_bad() + step_openat_close() + step_dd();
}

double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr,
                     "usage: syscall_loadgen getpid|close_bad|openat_close|dd|mixed SECONDS [ITERATIONS]\n");
        return 2;
    }
    const std::string workload = argv[1];
    const double seconds = std::atof(argv[2]);
    const unsigned long long max_iterations = argc == 4 ? std::strtoull(argv[3], nullptr, 10) : ~0ULL;
    long (*step)() = nullptr;
    if (workload == "getpid") step = step_getpid;
    if (workload == "close_bad") step = step_close_bad;
    if (workload == "openat_close") step = step_openat_close;
    if (workload == "dd") step = step_dd;
    if (workload == "mixed") step = step_mixed;
    if (!step || seconds <= 0 || max_iterations == 0) {
        std::fprintf(stderr, "syscall_loadgen: unknown workload '%s', bad duration or bad iteration count\n",
                     argv[1]);
        return 2;
    }
    g_zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    g_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (g_zero < 0 || g_null < 0) {
        std::perror("syscall_loadgen: open /dev/zero or /dev/null");
        return 1;
    }

    using clock = std::chrono::steady_clock;
    const double cpu_start = process_cpu_seconds();
    const auto start = clock::now();
    const auto deadline =
        start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
    unsigned long long iterations = 0, syscalls = 0;
    // Check the clock every 1024 iterations: a clock read per iteration would dominate getpid.
    for (auto now = start; now < deadline && iterations < max_iterations; now = clock::now()) {
        const unsigned long long batch = std::min(1024ULL, max_iterations - iterations);
        for (unsigned long long i = 0; i < batch; ++i) syscalls += static_cast<unsigned long long>(step());
        iterations += batch;
    }
    const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
    const double cpu = process_cpu_seconds() - cpu_start;
    std::printf(
        "loadgen workload=%s seconds=%.3f iterations=%llu syscalls=%llu rate=%.0f syscalls/s "
        "cpu_seconds=%.3f "
        "cpu_rate=%.0f syscalls/cpu-s\n",
        workload.c_str(), elapsed, iterations, syscalls, static_cast<double>(syscalls) / elapsed, cpu,
        cpu > 0 ? static_cast<double>(syscalls) / cpu : 0.0);
    return 0;
}
