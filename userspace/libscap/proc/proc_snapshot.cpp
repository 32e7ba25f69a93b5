// The scan: every /proc/PID, its threads and fds, then the host-wide parts.
#include "scap/proc_snapshot.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "proc/proc_close_batch.h"
#include "proc/proc_fds.h"
#include "proc/proc_host.h"
#include "proc/proc_io.h"
#include "proc/proc_parse.h"
#include "proc/proc_process.h"
#include "proc/proc_sockets.h"

namespace scap {

namespace {

// Pids handed to a worker at a time: large enough that the shared counter is touched rarely,
// small enough that one slow process (thousands of fds) does not leave the other workers idle.
constexpr size_t k_chunk_pids = 64;

uint64_t monotonic_ns() {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// What one worker read from a run of consecutive pids: entries in scan order, each with its pid
// namespace inode, and the worker's counts for that run.
struct scanned_chunk {
    std::vector<process_info> entries;
    std::vector<uint64_t> pidns;
    proc_snapshot_summary summary;
};

// Host-wide facts every worker reads but none changes.
struct scan_context {
    const proc_snapshot_options& opts;
    int root_fd;
    std::vector<std::string> v2_controllers;
    uint64_t boot_ns;
    uint64_t ticks_per_sec;
    bool pids_are_ours = false;  // see proc_is_our_pid_namespace
};

// True when the procfs at root_fd numbers processes as our pid namespace does ("self" there is
// our own pid), so a pid read from it may be handed to a syscall such as prlimit. A fake tree,
// or a procfs mounted from another namespace, is read through its files only.
bool proc_is_our_pid_namespace(int root_fd) {
    std::string self;
    return proc::readlink_at(root_fd, "self", self) == proc::io_result::ok &&
           self == std::to_string(::getpid());
}

// One worker's private buffers: the read buffer and the socket tables of the network
// namespaces it met (each worker reads a namespace's tables once; sharing them would put a
// lock on every socket fd).
struct scan_worker {
    const scan_context& ctx;
    int root_fd;  // ctx.root_fd, or its number in the worker's private fd table
    proc::buffer buf;
    proc::socket_tables sockets;
    std::vector<uint64_t> tids;        // a process's task/ listing, reused
    std::vector<uint64_t> fd_numbers;  // and its fd/ listing

    void account(proc_snapshot_summary& summary, proc::task_outcome o) {
        if (o == proc::task_outcome::gone) ++summary.vanished;
        if (o == proc::task_outcome::kernel_thread) ++summary.kernel_threads;
    }

    void scan_process(uint64_t pid, scanned_chunk& out) {
        proc_snapshot_summary& summary = out.summary;
        proc::process_scan ps{ctx.opts,          summary,          buf, ctx.v2_controllers, ctx.boot_ns,
                              ctx.ticks_per_sec, ctx.pids_are_ours};
        char name[24];
        std::snprintf(name, sizeof name, "%llu", static_cast<unsigned long long>(pid));
        proc::unique_fd dir = proc::open_dir_at(root_fd, name);
        if (!dir.valid()) {
            const proc::io_result r = proc::classify_errno(errno);
            if (r == proc::io_result::gone) ++summary.vanished;
            if (r == proc::io_result::denied) ++summary.permission_denied;
            return;
        }
        process_info main;
        proc::task_facts facts;
        const proc::task_outcome o = proc::read_task(ps, dir.get(), pid, nullptr, main, facts);
        const uint64_t main_ns = facts.pidns_ino;
        account(summary, o);
        // A pid filter may name a thread: /proc/TID exists but is not a process of its own.
        if (o != proc::task_outcome::listed || main.pid != pid) return;

        const size_t main_at = out.entries.size();
        out.entries.push_back(std::move(main));
        out.pidns.push_back(main_ns);
        ++summary.processes;
        ++summary.threads;
        // Most processes have one thread, which status says: listing task/ would cost an open,
        // two getdents and a close for nothing. A thread made after status was read is missed
        // either way; a live capture sees its clone.
        if (ctx.opts.include_threads && facts.threads != 1) {
            proc::unique_fd task = proc::open_dir_at(dir.get(), "task");
            tids.clear();
            if (task.valid()) proc::list_numeric_entries(task.get(), tids);
            for (uint64_t tid : tids) {
                if (tid == pid) continue;
                std::snprintf(name, sizeof name, "%llu", static_cast<unsigned long long>(tid));
                proc::unique_fd tdir = proc::open_dir_at(task.get(), name);
                if (!tdir.valid()) {
                    ++summary.vanished;
                    continue;
                }
                process_info t;
                proc::task_facts thread_facts;
                const proc::task_outcome to =
                    proc::read_task(ps, tdir.get(), tid, &out.entries[main_at], t, thread_facts);
                account(summary, to);
                if (to != proc::task_outcome::listed) continue;
                out.entries.push_back(std::move(t));
                out.pidns.push_back(main_ns);
                ++summary.threads;
            }
        }
        if (ctx.opts.scan_fds) {
            proc::fd_scan fs{ctx.opts, summary, buf, sockets, fd_numbers};
            proc::read_fds(fs, dir.get(), pid, out.entries[main_at]);
        }
    }
};

void add_counts(proc_snapshot_summary& to, const proc_snapshot_summary& from) {
    to.processes += from.processes;
    to.threads += from.threads;
    to.fds += from.fds;
    to.kernel_threads += from.kernel_threads;
    to.vanished += from.vanished;
    to.permission_denied += from.permission_denied;
    to.malformed += from.malformed;
    to.fd_capped += from.fd_capped;
    to.unresolved_sockets += from.unresolved_sockets;
}

unsigned worker_count(const proc_snapshot_options& opts, size_t pids) {
    unsigned n = opts.scan_threads;
    if (n == 0) n = std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
    // Below a few chunks a thread costs more to start than it saves.
    const size_t useful = (pids + k_chunk_pids - 1) / k_chunk_pids;
    return static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(n, useful)));
}

// Scans pids on `workers` threads. Pids are handed out in chunks by an atomic counter
// (processes differ a lot in cost: threads, fds); each chunk's result lands in its own slot and
// `take` receives the slots in pid-list order, on the calling thread, as soon as each one and
// those before it are done, whatever the interleaving was. So the calling thread merges (or
// hands entries to a consumer) while the workers go on, and a chunk's memory is freed for the
// workers to reuse. Only workers scan when there are any: each gives itself a private fd table
// to close its files in batches (proc_close_batch.h), which the caller's thread must not do to
// itself. When no thread can be started, or for a few pids, the calling thread scans alone,
// closing file by file, and takes each chunk after scanning it.
template <typename Take>
void scan_pids(const scan_context& ctx, const std::vector<uint64_t>& pids, unsigned workers, Take&& take) {
    std::vector<scanned_chunk> chunks((pids.size() + k_chunk_pids - 1) / k_chunk_pids);
    std::unique_ptr<std::atomic<bool>[]> done(new std::atomic<bool>[chunks.size()]);
    for (size_t c = 0; c < chunks.size(); ++c) done[c].store(false, std::memory_order_relaxed);
    std::atomic<size_t> next{0};
    std::mutex m;
    std::condition_variable finished;
    auto scan_chunk = [&](scan_worker& w, size_t c) {
        const size_t end = std::min(pids.size(), (c + 1) * k_chunk_pids);
        chunks[c].entries.reserve(end - c * k_chunk_pids);  // one entry a process, most often
        chunks[c].pidns.reserve(end - c * k_chunk_pids);
        for (size_t i = c * k_chunk_pids; i < end; ++i) {
            w.scan_process(pids[i], chunks[c]);
            proc::close_batch::close_all();
        }
    };
    auto work = [&](bool batch) {
        const bool batching = batch && proc::close_batch::enter(ctx.root_fd);
        scan_worker w{ctx, batching ? proc::close_batch::k_kept_fd : ctx.root_fd, {}, {}};
        for (size_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < chunks.size();) {
            scan_chunk(w, c);
            {
                std::lock_guard<std::mutex> lock(m);
                done[c].store(true, std::memory_order_release);
            }
            finished.notify_one();
        }
    };
    std::vector<std::thread> threads;
    // A scan of a few pids (a pid filter) is not worth a thread and a copy of the fd table.
    if (pids.size() < k_chunk_pids) workers = 0;
    for (unsigned i = 0; i < workers; ++i) {
        try {
            threads.emplace_back(work, ctx.opts.batch_closes);
        } catch (const std::system_error&) {
            break;  // no more threads to be had: the ones running do the rest
        }
    }
    if (threads.empty()) {
        scan_worker w{ctx, ctx.root_fd, {}, {}};
        for (size_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < chunks.size();) {
            scan_chunk(w, c);
            take(chunks[c]);
            chunks[c] = scanned_chunk{};
        }
        return;
    }
    try {
        for (size_t c = 0; c < chunks.size(); ++c) {
            if (!done[c].load(std::memory_order_acquire)) {
                std::unique_lock<std::mutex> lock(m);
                finished.wait(lock, [&] { return done[c].load(std::memory_order_acquire); });
            }
            take(chunks[c]);
            chunks[c] = scanned_chunk{};  // its memory goes back for the workers' next chunks
        }
    } catch (...) {
        // The consumer failed (out of memory): the workers stop after their current chunk, and
        // must be joined before their threads are destroyed.
        next.store(chunks.size(), std::memory_order_relaxed);
        for (auto& t : threads) t.join();
        throw;
    }
    for (auto& t : threads) t.join();
}

// Each pid namespace's init is the task that sees itself as pid 1 there; its start time
// is the namespace's. (The reference takes the ctime of /proc/1/cmdline as seen from the
// process's root instead, which is when that procfs inode was first looked at.)
void fill_pidns_init_start(snapshot& out, const std::vector<uint64_t>& pidns) {
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

// Receives the scan's chunks in pid order and puts their entries in the snapshot's list, or
// hands them to the consumer's sink (proc_snapshot_options::processes_to).
class chunk_merger {
  public:
    chunk_merger(snapshot& out, snapshot_sink* sink, proc_snapshot_summary& summary, size_t pids)
        : m_out(out), m_sink(sink), m_summary(summary) {
        if (!m_sink) {
            // Most pids give one entry; threads grow the list a little past this.
            m_out.reserve_processes(pids);
            m_pidns.reserve(pids);
        }
    }

    void take(scanned_chunk& c) {
        add_counts(m_summary, c.summary);
        for (size_t i = 0; i < c.entries.size(); ++i) {
            if (m_sink)
                to_sink(std::move(c.entries[i]), c.pidns[i]);
            else
                to_list(std::move(c.entries[i]), c.pidns[i]);
        }
    }

    // Sets each entry's pidns_init_start_ts now that every init is known; the sink receives
    // the entries that waited for theirs.
    void finish() {
        if (!m_sink) {
            fill_pidns_init_start(m_out, m_pidns);
            return;
        }
        for (auto& [p, ns] : m_held) {
            auto it = m_init_start.find(ns);
            if (it != m_init_start.end()) p.pidns_init_start_ts = it->second;
            m_sink->add_process(std::move(p));
        }
        std::vector<std::pair<process_info, uint64_t>>().swap(m_held);
    }

  private:
    void to_list(process_info&& p, uint64_t ns) {
        // A pid listed twice in a pid filter replaces its first entry; keep m_pidns aligned.
        const size_t before = m_out.processes.size();
        const process_info& kept = m_out.upsert_process(std::move(p));
        if (m_out.processes.size() > before)
            m_pidns.push_back(ns);
        else
            m_pidns[static_cast<size_t>(&kept - m_out.processes.data())] = ns;
    }

    // The namespace's init comes first in pid order almost always (pid 1 for the host's);
    // an entry met before it waits, so every entry reaches the sink with the value the list
    // would hold.
    void to_sink(process_info&& p, uint64_t ns) {
        if (ns == 0) {
            m_sink->add_process(std::move(p));
            return;
        }
        if (p.vtid == 1) m_init_start[ns] = p.clone_ts;
        auto it = m_init_start.find(ns);
        if (it == m_init_start.end()) {
            m_held.emplace_back(std::move(p), ns);
            return;
        }
        p.pidns_init_start_ts = it->second;
        m_sink->add_process(std::move(p));
    }

    snapshot& m_out;
    snapshot_sink* m_sink;
    proc_snapshot_summary& m_summary;
    std::vector<uint64_t> m_pidns;                          // list: each entry's pid namespace
    std::unordered_map<uint64_t, uint64_t> m_init_start;    // sink: namespace -> its init's start
    std::vector<std::pair<process_info, uint64_t>> m_held;  // sink: entries waiting for their init
};

void read_users(const proc_snapshot_options& opts, proc::buffer& buf, snapshot& out,
                proc_snapshot_summary& summary) {
    out.has_userlist = true;
    if (buf.read_path(opts.etc_root + "/passwd") == proc::io_result::ok)
        summary.malformed += proc::parse_passwd(buf.view(), out);
    if (buf.read_path(opts.etc_root + "/group") == proc::io_result::ok)
        summary.malformed += proc::parse_group(buf.view(), out);
}

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
    proc::buffer buf;
    scan_context ctx{opts, root.get(), {}, 0, 100};
    if (buf.read_path(opts.proc_root + "/cgroups") == proc::io_result::ok)
        ctx.v2_controllers = proc::parse_v2_controllers(buf.view());
    if (ctx.v2_controllers.empty()) ctx.v2_controllers = {"cpuset", "cpu", "io", "memory", "pids"};
    ctx.boot_ns = proc::boot_time_ns(opts.proc_root, opts.proc_root == "/proc", buf);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks > 0) ctx.ticks_per_sec = static_cast<uint64_t>(ticks);
    ctx.pids_are_ours = proc_is_our_pid_namespace(root.get());

    std::vector<uint64_t> pids = opts.pids;
    if (pids.empty()) proc::list_numeric_entries(root.get(), pids);
    chunk_merger merger(out, opts.processes_to, summary, pids.size());
    scan_pids(ctx, pids, worker_count(opts, pids.size()), [&](scanned_chunk& c) { merger.take(c); });
    merger.finish();

    if (opts.read_users) read_users(opts, buf, out, summary);
    if (opts.read_interfaces) proc::read_interfaces(out);
    if (opts.read_machine) proc::read_machine(opts.proc_root, ctx.boot_ns, buf, out.machine);
    summary.duration_ns = monotonic_ns() - start;
    return status::ok;
}

status read_proc_snapshot(const proc_snapshot_options& opts, snapshot& out, std::string& error) {
    proc_snapshot_summary summary;
    return read_proc_snapshot(opts, out, error, summary);
}

}  // namespace scap
