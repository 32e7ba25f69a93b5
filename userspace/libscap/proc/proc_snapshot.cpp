// The scan: every /proc/PID, its threads and fds, then the host-wide parts.
#include "scap/proc_snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "proc/proc_fds.h"
#include "proc/proc_host.h"
#include "proc/proc_io.h"
#include "proc/proc_parse.h"
#include "proc/proc_process.h"
#include "proc/proc_sockets.h"

namespace scap {

namespace {

uint64_t monotonic_ns() {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// The numeric entries of dir (processes in /proc, threads in /proc/PID/task).
std::vector<uint64_t> numeric_entries(int dir_fd) {
    std::vector<uint64_t> out;
    DIR* d = ::fdopendir(::dup(dir_fd));
    if (!d) return out;
    while (const dirent* e = ::readdir(d)) {
        std::string_view name(e->d_name);
        uint64_t n = 0;
        if (proc::take_u64(name, 10, n) && name.empty()) out.push_back(n);
    }
    ::closedir(d);
    return out;
}

struct scanner {
    const proc_snapshot_options& opts;
    proc_snapshot_summary& summary;
    snapshot& out;
    proc::buffer buf;
    proc::socket_tables sockets;
    std::vector<std::string> v2_controllers;
    // Pid namespace inode of each listed entry, by position in out.processes.
    std::vector<uint64_t> pidns;

    void account(proc::task_outcome o) {
        if (o == proc::task_outcome::gone) ++summary.vanished;
        if (o == proc::task_outcome::kernel_thread) ++summary.kernel_threads;
    }

    void add(process_info&& p, uint64_t ns) {
        out.upsert_process(std::move(p));
        pidns.push_back(ns);
        ++summary.threads;
    }

    void scan_process(proc::process_scan& ps, int root_fd, uint64_t pid) {
        const std::string name = std::to_string(pid);
        proc::unique_fd dir = proc::open_dir_at(root_fd, name.c_str());
        if (!dir.valid()) {
            const proc::io_result r = proc::classify_errno(errno);
            if (r == proc::io_result::gone) ++summary.vanished;
            if (r == proc::io_result::denied) ++summary.permission_denied;
            return;
        }
        process_info main;
        uint64_t main_ns = 0;
        const proc::task_outcome o = proc::read_task(ps, dir.get(), pid, nullptr, main, main_ns);
        account(o);
        // A pid filter may name a thread: /proc/TID exists but is not a process of its own.
        if (o != proc::task_outcome::listed || main.pid != pid) return;

        std::vector<process_info> threads;
        std::vector<uint64_t> thread_ns;
        if (opts.include_threads) {
            proc::unique_fd task = proc::open_dir_at(dir.get(), "task");
            for (uint64_t tid : task.valid() ? numeric_entries(task.get()) : std::vector<uint64_t>{}) {
                if (tid == pid) continue;
                const std::string tname = std::to_string(tid);
                proc::unique_fd tdir = proc::open_dir_at(task.get(), tname.c_str());
                if (!tdir.valid()) {
                    ++summary.vanished;
                    continue;
                }
                process_info t;
                uint64_t unused_ns = 0;
                const proc::task_outcome to = proc::read_task(ps, tdir.get(), tid, &main, t, unused_ns);
                account(to);
                if (to != proc::task_outcome::listed) continue;
                threads.push_back(std::move(t));
                thread_ns.push_back(main_ns);
            }
        }
        if (opts.scan_fds) {
            proc::fd_scan fs{opts, summary, buf, sockets};
            proc::read_fds(fs, dir.get(), pid, main);
        }
        add(std::move(main), main_ns);
        ++summary.processes;
        for (size_t i = 0; i < threads.size(); ++i) add(std::move(threads[i]), thread_ns[i]);
    }

    // Each pid namespace's init is the task that sees itself as pid 1 there; its start time
    // is the namespace's. (The reference takes the ctime of /proc/1/cmdline as seen from the
    // process's root instead, which is when that procfs inode was first looked at.)
    void fill_pidns_init_start() {
        std::unordered_map<uint64_t, uint64_t> init_start;
        for (size_t i = 0; i < out.processes.size(); ++i) {
            const process_info& p = out.processes[i];
            if (pidns[i] && p.vtid == 1) init_start[pidns[i]] = p.clone_ts;
        }
        for (size_t i = 0; i < out.processes.size(); ++i) {
            auto it = pidns[i] ? init_start.find(pidns[i]) : init_start.end();
            if (it != init_start.end()) out.processes[i].pidns_init_start_ts = it->second;
        }
    }

    void read_users() {
        out.has_userlist = true;
        if (buf.read_path(opts.etc_root + "/passwd") == proc::io_result::ok)
            summary.malformed += proc::parse_passwd(buf.view(), out);
        if (buf.read_path(opts.etc_root + "/group") == proc::io_result::ok)
            summary.malformed += proc::parse_group(buf.view(), out);
    }
};

}  // namespace

status read_proc_snapshot(const proc_snapshot_options& opts, snapshot& out, std::string& error,
                          proc_snapshot_summary& summary) {
    const uint64_t start = monotonic_ns();
    out = snapshot{};
    summary = proc_snapshot_summary{};
    proc::unique_fd root = proc::open_dir_at(AT_FDCWD, opts.proc_root.c_str());
    if (!root.valid()) {
        error = "cannot open " + opts.proc_root + ": " + std::strerror(errno);
        return status::error;
    }
    scanner s{opts, summary, out, {}, {}, {}, {}};
    if (s.buf.read_path(opts.proc_root + "/cgroups") == proc::io_result::ok)
        s.v2_controllers = proc::parse_v2_controllers(s.buf.view());
    if (s.v2_controllers.empty()) s.v2_controllers = {"cpuset", "cpu", "io", "memory", "pids"};
    const uint64_t boot_ns = proc::boot_time_ns(opts.proc_root, opts.proc_root == "/proc", s.buf);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    proc::process_scan ps{
        opts, summary, s.buf, s.v2_controllers, boot_ns, ticks > 0 ? static_cast<uint64_t>(ticks) : 100};

    const std::vector<uint64_t> pids = opts.pids.empty() ? numeric_entries(root.get()) : opts.pids;
    for (uint64_t pid : pids) s.scan_process(ps, root.get(), pid);
    s.fill_pidns_init_start();

    if (opts.read_users) s.read_users();
    if (opts.read_interfaces) proc::read_interfaces(out);
    if (opts.read_machine) proc::read_machine(opts.proc_root, boot_ns, s.buf, out.machine);
    summary.duration_ns = monotonic_ns() - start;
    return status::ok;
}

status read_proc_snapshot(const proc_snapshot_options& opts, snapshot& out, std::string& error) {
    proc_snapshot_summary summary;
    return read_proc_snapshot(opts, out, error, summary);
}

}  // namespace scap
