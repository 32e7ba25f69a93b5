// Writes a capture of a host with many processes (benchmark/synthetic_processes.h) with the
// project's writer, for measuring replay memory at scale:
//   make_process_capture OUT.scap [PROCESSES THREADS FDS]   (default 20000 21500 125000)
// After the snapshot come one close(-1) per thread (so every thread is seen by an event).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "event_builder.h"
#include "scap/savefile.h"
#include "synthetic_processes.h"

int main(int argc, char** argv) {
    if (argc != 2 && argc != 5) {
        std::fprintf(stderr, "usage: %s OUT.scap [PROCESSES THREADS FDS]\n", argv[0]);
        return 2;
    }
    synthetic::shape sh;
    if (argc == 5) {
        sh.processes = std::strtoull(argv[2], nullptr, 10);
        sh.threads = std::strtoull(argv[3], nullptr, 10);
        sh.fds = std::strtoull(argv[4], nullptr, 10);
        if (sh.processes == 0 || sh.threads < sh.processes) {
            std::fprintf(stderr, "make_process_capture: need PROCESSES > 0 and THREADS >= PROCESSES\n");
            return 2;
        }
    }
    const scap::snapshot snap = synthetic::make_snapshot(sh);
    std::string error;
    const std::string out = argv[1];
    auto d =
        scap::dumper::open(out, out.size() > 3 && out.compare(out.size() - 3, 3, ".gz") == 0, snap, error);
    if (!d) {
        std::fprintf(stderr, "make_process_capture: %s\n", error.c_str());
        return 1;
    }
    uint64_t ts = 1700000000000000000ull;
    for (const auto& p : snap.processes) {
        const auto evt = scap::test::event_builder(PPME_SYSCALL_CLOSE_X, p.tid, ts++)
                             .num<int64_t>(-9)  // EBADF
                             .num<int64_t>(-1)
                             .build();
        if (d->write(reinterpret_cast<const scap::event_header*>(evt.data()), 0) != scap::status::ok) {
            std::fprintf(stderr, "make_process_capture: %s\n", d->last_error().c_str());
            return 1;
        }
    }
    if (d->close() != scap::status::ok) {
        std::fprintf(stderr, "make_process_capture: %s\n", d->last_error().c_str());
        return 1;
    }
    std::printf("%s: %zu processes, %zu threads, %zu fds, %llu events, %llu bytes\n", out.c_str(),
                sh.processes, sh.threads, snap.fd_count(),
                static_cast<unsigned long long>(d->events_written()),
                static_cast<unsigned long long>(d->bytes_written()));
    return 0;
}
