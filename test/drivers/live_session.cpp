#include "live_session.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "scap/scap.h"

namespace drvtest {

using clock_type = std::chrono::steady_clock;

std::vector<const owned_event*> run_result::of_tid(uint64_t tid) const {
    if (tid == 0) tid = static_cast<uint64_t>(pid);
    std::vector<const owned_event*> out;
    for (const owned_event& e : events)
        if (e.view().tid() == tid) out.push_back(&e);
    return out;
}

const owned_event* run_result::first(uint16_t type, uint64_t tid) const {
    for (const owned_event& e : events)
        if (e.view().type() == type && (tid == 0 || e.view().tid() == tid)) return &e;
    return nullptr;
}

std::vector<const owned_event*> run_result::all(uint16_t type) const {
    std::vector<const owned_event*> out;
    for (const owned_event& e : events)
        if (e.view().type() == type) out.push_back(&e);
    return out;
}

bool is_marker(const scap::event_view& v, int64_t marker_fd) {
    return v.type() == PPME_SYSCALL_CLOSE_X && v.nparams() >= 2 && v.param(1).as<int64_t>() == marker_fd;
}

namespace {

bool is_clone_exit(uint16_t t) {
    return t == PPME_SYSCALL_CLONE_20_X || t == PPME_SYSCALL_FORK_20_X || t == PPME_SYSCALL_VFORK_20_X ||
           t == PPME_SYSCALL_CLONE3_X;
}

}  // namespace

class live_session::impl {
  public:
    std::unique_ptr<scap::engine> engine;
    std::thread reader;
    std::atomic<bool> stop{false};
    std::array<std::atomic<uint64_t>, PPM_EVENT_MAX> emitted{};
    const uint64_t self_pid = static_cast<uint64_t>(getpid());

    // Everything below is shared with the reader thread under `mu`.
    std::mutex mu;
    std::condition_variable cv;
    uint64_t run_id = 0;                              // the active run; 0 = none
    std::unordered_map<uint64_t, uint64_t> tid_run;   // thread -> run it belongs to
    std::unordered_map<uint64_t, uint64_t> proc_run;  // thread group leader -> run
    std::vector<owned_event> stored;                  // events of the active run
    uint64_t end_procexit_tid = 0;                    // run ends at this thread's procexit...
    int64_t end_marker_fd = 0;                        // ...or at this marker close()
    uint64_t end_marker_tid = 0;
    // run_here() runs: the thread's events still in the buffers from before the run are skipped
    // up to this marker, issued once the thread is registered.
    int64_t begin_marker_fd = 0;
    bool started = true;
    bool ended = false;

    void read_loop() {
        scap::event_ref ref;
        bool reported_error = false;
        while (!stop.load(std::memory_order_relaxed)) {
            const scap::status st = engine->next(ref);
            if (st != scap::status::ok) {
                if (st == scap::status::error && !reported_error) {
                    std::fprintf(stderr, "live session: engine error: %s\n", engine->last_error().c_str());
                    reported_error = true;
                }
                continue;  // timeout: the engine already waited for the kernel
            }
            const scap::event_view v = ref.view();
            const uint16_t type = v.type();
            if (type < PPM_EVENT_MAX) emitted[type].fetch_add(1, std::memory_order_relaxed);
            std::lock_guard<std::mutex> lock(mu);
            if (run_id == 0) continue;
            const uint64_t tid = v.tid();
            auto it = tid_run.find(tid);
            if (it == tid_run.end() && is_clone_exit(type) && v.nparams() > 5 &&
                v.param(0).as<int64_t>() == 0)
                it = adopt_new_thread(v);
            if (it == tid_run.end() || it->second != run_id) continue;
            if (!started) {
                started = tid == end_marker_tid && is_marker(v, begin_marker_fd);
                continue;
            }
            owned_event e;
            e.bytes.assign(v.raw(), v.raw() + v.len());
            e.cpu = ref.cpu;
            stored.push_back(std::move(e));
            if ((type == PPME_PROCEXIT_1_E && tid == end_procexit_tid) ||
                (end_marker_fd != 0 && tid == end_marker_tid && is_marker(v, end_marker_fd))) {
                ended = true;
                cv.notify_all();
            }
        }
    }

    // A clone child's first event names its process and parent: it joins the run of the thread
    // group it was created in, or of its parent, or the active run when this process forked it.
    // The child side is its first event, so nothing of it was missed before.
    std::unordered_map<uint64_t, uint64_t>::iterator adopt_new_thread(const scap::event_view& v) {
        const uint64_t tid = v.tid();
        const uint64_t pid = static_cast<uint64_t>(v.param(4).as<int64_t>());
        const uint64_t ptid = static_cast<uint64_t>(v.param(5).as<int64_t>());
        uint64_t run = 0;
        if (pid != tid) {
            auto p = proc_run.find(pid);
            if (p != proc_run.end()) run = p->second;
        } else if (ptid == self_pid) {
            run = run_id;
        } else {
            auto p = proc_run.find(ptid);
            if (p != proc_run.end()) run = p->second;
        }
        if (run == 0) return tid_run.end();
        if (pid == tid) proc_run[pid] = run;
        return tid_run.emplace(tid, run).first;
    }

    uint64_t begin_run() {
        std::lock_guard<std::mutex> lock(mu);
        static uint64_t next_run = 0;
        run_id = ++next_run;
        tid_run.clear();
        proc_run.clear();
        stored.clear();
        end_procexit_tid = 0;
        end_marker_fd = 0;
        end_marker_tid = 0;
        begin_marker_fd = 0;
        started = true;
        ended = false;
        return run_id;
    }

    bool wait_end(clock_type::time_point deadline) {
        std::unique_lock<std::mutex> lock(mu);
        return cv.wait_until(lock, deadline, [&] { return ended; });
    }

    std::vector<owned_event> end_run() {
        std::lock_guard<std::mutex> lock(mu);
        run_id = 0;
        tid_run.clear();
        proc_run.clear();
        return std::move(stored);
    }
};

namespace {

std::string g_skip_reason;
std::string g_error;
live_session* g_session = nullptr;
live_session::impl* g_impl = nullptr;
bool g_tried = false;

int64_t next_marker_fd() {
    // close() takes an unsigned int: these numbers are far above any fd limit.
    static int64_t n = 0;
    return -1000000 - ++n;
}

// The engines the live suite can drive, chosen with SCAP_TEST_ENGINE (default modern_bpf). Each
// row fills the open options, or says why this machine cannot run it (a skip) through `skip`.
struct test_engine {
    const char* name;
    bool (*prepare)(scap::open_options& opts, std::string& skip);
};

bool prepare_modern_bpf(scap::open_options& opts, std::string& skip) {
    if (geteuid() != 0) {
        skip = "needs root (CAP_BPF, CAP_PERFMON)";
        return false;
    }
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
        skip = "kernel has no BTF (/sys/kernel/btf/vmlinux): the CO-RE driver cannot load";
        return false;
    }
    if (!scap::modern_bpf_available()) {
        skip = "libscap was built without the modern_bpf engine";
        return false;
    }
    opts.kind = scap::engine_kind::modern_bpf;
    opts.modern_bpf.buffer_bytes = 16ull * 1024 * 1024;  // room for other CPUs' noise between reads
    opts.modern_bpf.snaplen = k_snaplen;
    opts.modern_bpf.program_stats = false;
    return true;
}

// The kernel module must be loaded already (insmod, as the VM guests do) or SCAP_KMOD_PATH must
// name a scap_kmod.ko the engine loads itself; otherwise opening fails (a failure, not a skip).
bool prepare_kmod(scap::open_options& opts, std::string& skip) {
    if (geteuid() != 0) {
        skip = "needs root (the scap_kmod device is root-only)";
        return false;
    }
    opts.kind = scap::engine_kind::kmod;
    opts.kmod.buffer_bytes = 16ull * 1024 * 1024;  // room for other CPUs' noise between reads
    opts.kmod.snaplen = k_snaplen;
    return true;
}

// The legacy eBPF probe for this kernel: SCAP_BPF_PROBE names the object (driver/bpf/build.sh);
// without it opening fails with the engine's own message (a failure, not a skip).
bool prepare_bpf(scap::open_options& opts, std::string& skip) {
    if (geteuid() != 0) {
        skip = "needs root (CAP_BPF, CAP_PERFMON)";
        return false;
    }
    if (!scap::bpf_available()) {
        skip = "libscap was built without the bpf engine (no libbpf)";
        return false;
    }
    opts.kind = scap::engine_kind::bpf;
    const char* probe = std::getenv("SCAP_BPF_PROBE");
    opts.bpf.probe_path = probe ? probe : "";
    opts.bpf.buffer_bytes = 16ull * 1024 * 1024;  // room for other CPUs' noise between reads
    opts.bpf.snaplen = k_snaplen;
    return true;
}

constexpr test_engine k_test_engines[] = {
    {"modern_bpf", prepare_modern_bpf},
    {"kmod", prepare_kmod},
    {"bpf", prepare_bpf},
};

}  // namespace

const char* selected_engine() {
    const char* e = std::getenv("SCAP_TEST_ENGINE");
    return e && *e ? e : "modern_bpf";
}

live_session* live_session::get() {
    if (g_tried) return g_session;
    g_tried = true;
    const std::string wanted = selected_engine();
    const test_engine* chosen = nullptr;
    std::string known;
    for (const test_engine& e : k_test_engines) {
        if (wanted == e.name) chosen = &e;
        known += known.empty() ? e.name : std::string(", ") + e.name;
    }
    if (!chosen) {
        // A typo must not turn into a green run of nothing: this is a failure, not a skip.
        g_error = "SCAP_TEST_ENGINE=" + wanted + ": no such test engine (known: " + known + ")";
        return nullptr;
    }
    scap::open_options opts;
    if (!chosen->prepare(opts, g_skip_reason)) return nullptr;
    auto p = std::make_unique<impl>();
    p->engine = scap::open_engine(opts, g_error);
    if (!p->engine) return nullptr;
    if (p->engine->start() != scap::status::ok) {
        g_error = "start: " + p->engine->last_error();
        return nullptr;
    }
    g_impl = p.release();
    g_impl->reader = std::thread([] { g_impl->read_loop(); });
    g_session = new live_session(g_impl);
    return g_session;
}

live_session* live_session::opened() {
    return g_session;
}
const std::string& live_session::skip_reason() {
    return g_skip_reason;
}
const std::string& live_session::error() {
    return g_error;
}

void live_session::shutdown() {
    if (!g_impl) return;
    g_impl->stop = true;
    g_impl->reader.join();
    g_impl->engine.reset();
}

const scap::snapshot& live_session::snapshot() const {
    return m->engine->get_snapshot();
}

std::vector<uint64_t> live_session::emitted_counts() const {
    std::vector<uint64_t> out(PPM_EVENT_MAX);
    for (size_t i = 0; i < out.size(); ++i) out[i] = m->emitted[i].load(std::memory_order_relaxed);
    return out;
}

run_result live_session::run_in_child(const std::function<int()>& body, std::chrono::milliseconds budget) {
    run_result r;
    const auto deadline = clock_type::now() + budget;
    m->begin_run();
    const pid_t child = fork();
    if (child == 0) _exit(body());
    r.pid = child;
    if (child < 0) {
        m->end_run();
        return r;
    }
    {
        // The child may already be gone and its procexit stored: look before waiting for it.
        std::lock_guard<std::mutex> lock(m->mu);
        m->end_procexit_tid = static_cast<uint64_t>(child);
        for (const owned_event& e : m->stored)
            if (e.view().type() == PPME_PROCEXIT_1_E && e.view().tid() == m->end_procexit_tid)
                m->ended = true;
    }
    // Reap with a deadline: a child stuck in a syscall is killed rather than hanging the binary.
    while (waitpid(child, &r.wait_status, WNOHANG) == 0) {
        if (clock_type::now() > deadline) {
            kill(child, SIGKILL);
            waitpid(child, &r.wait_status, 0);
            break;
        }
        poll(nullptr, 0, 1);
    }
    r.complete = m->wait_end(deadline);
    r.events = m->end_run();
    return r;
}

run_result live_session::run_here(const std::function<void()>& body, std::chrono::milliseconds budget) {
    run_result r;
    const auto deadline = clock_type::now() + budget;
    const uint64_t run = m->begin_run();
    const uint64_t tid = static_cast<uint64_t>(syscall(SYS_gettid));
    r.pid = static_cast<pid_t>(tid);
    const int64_t begin = next_marker_fd();
    const int64_t marker = next_marker_fd();
    {
        std::lock_guard<std::mutex> lock(m->mu);
        m->tid_run[tid] = run;
        m->end_marker_fd = marker;
        m->end_marker_tid = tid;
        m->begin_marker_fd = begin;
        m->started = false;
    }
    syscall(SYS_close, static_cast<unsigned int>(begin));
    body();
    syscall(SYS_close, static_cast<unsigned int>(marker));
    r.complete = m->wait_end(deadline);
    r.events = m->end_run();
    return r;
}

}  // namespace drvtest
