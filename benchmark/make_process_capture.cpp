// Writes a capture of a host with many processes (benchmark/synthetic_processes.h) with the
// project's writer, for measuring replay memory at scale:
//   make_process_capture OUT.scap [PROCESSES THREADS FDS [events]]   (default 20000 21500 125000)
// After the snapshot come one close(-1) per thread (so every thread is seen by an event).
// With `events`, the same host appears after the capture started instead: an empty process list,
// then per process a clone (from tid 1), its execve (command line, environment, cgroups) and one
// openat per fd, and a clone per extra thread followed by a close(-1) in it. What the state holds
// then grows with the events, as on a host that starts many processes during a long capture (what
// the state budget, proposal 0012, bounds).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "event_builder.h"
#include "scap/savefile.h"
#include "synthetic_processes.h"

namespace {

using scap::test::make_event;
using scap::test::str;
using scap::test::val;

bool put(scap::dumper& d, const scap::test::bytes& evt) {
    if (d.write(reinterpret_cast<const scap::event_header*>(evt.data()), 0) == scap::status::ok) return true;
    std::fprintf(stderr, "make_process_capture: %s\n", d.last_error().c_str());
    return false;
}

int write_as_events(scap::dumper& d, const scap::snapshot& snap, const synthetic::shape& sh, uint64_t ts,
                    const std::string& out) {
    constexpr uint32_t k_clone_files = 0x1, k_clone_fs = 0x2, k_clone_vm = 0x100, k_clone_thread = 0x2000;
    for (const auto& p : snap.processes) {
        const bool main = p.tid == p.pid;
        const int64_t parent = main ? 1 : static_cast<int64_t>(p.pid);
        const uint32_t flags = main ? 0 : k_clone_files | k_clone_fs | k_clone_vm | k_clone_thread;
        if (!put(d, make_event(PPME_SYSCALL_CLONE_20_X, static_cast<uint64_t>(parent),
                               {{"res", val<int64_t>(static_cast<int64_t>(p.tid))},
                                {"exe", str(main ? "/sbin/init" : p.exe)},
                                {"args", str("")},
                                {"tid", val<int64_t>(parent)},
                                {"pid", val<int64_t>(parent)},
                                {"ptid", val<int64_t>(main ? 0 : 1)},
                                {"cwd", str(main ? "/" : p.cwd)},
                                {"comm", str(main ? "init" : p.comm)},
                                {"flags", val<uint32_t>(flags)}},
                               ts++)))
            return 1;
        if (!main) {
            const auto close = scap::test::event_builder(PPME_SYSCALL_CLOSE_X, p.tid, ts++)
                                   .num<int64_t>(-9)
                                   .num<int64_t>(-1)
                                   .build();
            if (!put(d, close)) return 1;
            continue;
        }
        if (!put(d, make_event(PPME_SYSCALL_EXECVE_19_X, p.tid,
                               {{"res", val<int64_t>(0)},
                                {"exe", str(p.exe)},
                                {"args", str(p.args)},
                                {"env", str(p.env)},
                                {"pid", val<int64_t>(static_cast<int64_t>(p.pid))},
                                {"ptid", val<int64_t>(1)},
                                {"cwd", str(p.cwd)},
                                {"comm", str(p.comm)},
                                {"cgroups", str(p.cgroups)},
                                {"trusted_exepath", str(p.exepath)}},
                               ts++)))
            return 1;
        for (const auto& f : p.fds) {
            const std::string name = f.name.empty() ? "/run/worker/sock." + std::to_string(f.fd) : f.name;
            if (!put(d, make_event(PPME_SYSCALL_OPENAT_2_X, p.tid,
                                   {{"fd", val<int64_t>(f.fd)},
                                    {"dirfd", val<int64_t>(-100)},
                                    {"name", str(name)},
                                    {"flags", val<uint32_t>(f.open_flags)}},
                                   ts++)))
                return 1;
        }
    }
    if (d.close() != scap::status::ok) {
        std::fprintf(stderr, "make_process_capture: %s\n", d.last_error().c_str());
        return 1;
    }
    std::printf("%s: %zu processes, %zu threads, %zu fds as events, %llu events, %llu bytes\n", out.c_str(),
                sh.processes, sh.threads, snap.fd_count(),
                static_cast<unsigned long long>(d.events_written()),
                static_cast<unsigned long long>(d.bytes_written()));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const bool as_events = argc == 6 && std::string(argv[5]) == "events";
    if (argc != 2 && argc != 5 && !as_events) {
        std::fprintf(stderr, "usage: %s OUT.scap [PROCESSES THREADS FDS [events]]\n", argv[0]);
        return 2;
    }
    synthetic::shape sh;
    if (argc >= 5) {
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
    scap::snapshot header;
    if (as_events) {
        header.machine = snap.machine;
        header.has_userlist = snap.has_userlist;
        header.users = snap.users;
        header.groups = snap.groups;
    }
    auto d = scap::dumper::open(out, out.size() > 3 && out.compare(out.size() - 3, 3, ".gz") == 0,
                                as_events ? header : snap, error);
    if (!d) {
        std::fprintf(stderr, "make_process_capture: %s\n", error.c_str());
        return 1;
    }
    uint64_t ts = 1700000000000000000ull;
    if (as_events) return write_as_events(*d, snap, sh, ts, out);
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
