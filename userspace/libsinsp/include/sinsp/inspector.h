// sinsp::inspector: reads events from a libscap engine and keeps the state they imply — threads,
// processes, their fds, users, groups and interfaces — up to date, one event at a time.
//
//   sinsp::inspector insp;
//   insp.open_file("capture.scap", error);
//   const sinsp::event* e;
//   while (insp.next(e) == scap::status::ok) { ... e->thread, e->fd ... }
//
// Nothing is allocated per event; pointers in an event stay valid until the next call to next().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scap/batch_reader.h"
#include "scap/engine.h"
#include "scap/savefile.h"
#include "scap/snapshot.h"
#include "sinsp/container_runtime.h"
#include "sinsp/fd.h"
#include "sinsp/stats.h"
#include "sinsp/thread.h"
#include "sinsp/thread_table.h"

namespace sinsp {

struct inspector_options {
    // Bound on tracked threads, as in the reference implementation. Past it, the least useful
    // threads are evicted (counted in threads_evicted).
    size_t max_threads = 262144;
    // Bound on the fds tracked per fd table (a process, or threads sharing one), as the
    // reference's 4096. Past it, new fds are not tracked (counted in fds_refused); their events
    // show no fd information, as for an fd opened before the capture.
    size_t max_fds_per_table = 4096;
    // A memory budget for the state (threads, fd tables, interned strings), in bytes; 0: none.
    // The state keeps an estimate of those bytes as it changes (state_bytes()); after an event
    // leaves it over the budget, the least useful threads are evicted with their fd tables
    // (exited threads first, then the least recently active) until it is 1/16 under, never the
    // event's own thread, its process's main thread or its parent. So between events the state
    // stays within the budget, plus what one event's protected threads add. Evicted threads
    // come back, made up like any unknown thread, when they are seen again. Counted in
    // threads_evicted_for_memory, fds_evicted and state_bytes_evicted (proposal 0012).
    size_t max_state_bytes = 0;
    // 1: the engine is read on the caller's thread, one event at a time. 2 or more: it is read
    // (decompressed, parsed, converted) on a worker thread and events come over in batches;
    // state, filters and output stay on the caller's thread. Same events, same order, same
    // state either way. 0: 2 when the machine has more than one core, else 1.
    unsigned threads = 1;
    // Events per hand-off batch and batches in flight (0: scap::batch_reader's defaults).
    uint32_t batch_events = 0;
    uint32_t batch_ring = 0;
    // CPUs the library's worker threads (file reading, the reading thread) may run on; empty:
    // wherever the caller may. A caller that pins its own thread keeps them off its CPU.
    scap::cpu_list worker_cpus;
    // Keep the engine's process list (threads and fds) after the state has loaded it, for
    // callers that copy it (writers of filtered captures). Otherwise it is freed then: the
    // state holds the same facts in a fraction of the memory.
    bool keep_engine_processes = false;
    // Live: ask the container runtime (Docker/Podman Engine API sockets, container_runtime.h) for
    // the metadata of each container threads' cgroups name. Lookups run on a worker thread;
    // answers arrive as container events (PPME_CONTAINER_JSON_2_E) in the stream next() returns,
    // so filters, output and capture writers see them like a capture's. Off for capture files,
    // whose container events are what the capture says.
    bool container_runtime_lookups = false;
    container_runtime_options container_runtime;
};

struct event {
    scap::event_view view;
    uint64_t num = 0;  // 1-based position in the stream
    uint16_t cpu = 0;
    uint32_t block_flags = 0;       // flags of the capture block that held the event (0 if none)
    uint64_t first_ts = 0;          // timestamp of the first non-meta event (evt.reltime); 0 before it
    uint64_t prev_ts = 0;           // timestamp of the previous event (evt.delta); 0 for the first
    thread_info* thread = nullptr;  // the thread that generated the event (null for tid 0/unknown)
    // For events that use or create an fd: the fd number and what it refers to (fd is null when
    // unknown). For close, a copy of the fd as it was before being closed.
    int64_t fd_num = -1;
    fd_info* fd = nullptr;
    // The event changed the name of an fd that already existed (connect or bind filling in a
    // socket's addresses): fd.name_changed.
    bool fd_name_changed = false;
    // Changes whenever the state may have changed in a way other than fd tables: a thread made,
    // removed, evicted or changed (clone, exec, exit, set*id, prctl, chdir...), users, groups or
    // containers. While it stays the same, every thread's own fields (proc.name, proc.exepath,
    // proc.pname, user.name, container.id...) keep their values, so values and verdicts derived
    // from them may be kept per thread pointer (the rules do). Memory figures and page-fault
    // counts (proc.vmsize, proc.vmrss, proc.vmswap, thread.pfmajor, thread.pfminor: context
    // switches, brk, mmap, munmap) change without it. Changes made through the mutable
    // thread_table& of inspector::threads() do not bump it. Never 0 from an inspector, and never
    // the same in two inspectors of one process.
    uint64_t thread_epoch = 0;

    uint16_t type() const { return view.type(); }
    uint64_t ts() const { return view.ts(); }
    uint64_t tid() const { return view.tid(); }
};

class state_core;
class snapshot_loader;

class inspector {
  public:
    explicit inspector(inspector_options opts = {});
    ~inspector();
    inspector(const inspector&) = delete;
    inspector& operator=(const inspector&) = delete;

    // Syscalls (by ppm_sc code) whose events the state needs even when nothing else asks for
    // them: process lifecycle, credentials, cwd and everything that creates or closes fds. Live
    // engines select at least these, plus whatever the filter can match, so filtering in the
    // kernel never leaves the state blind.
    static std::vector<bool> state_syscalls();

    // Opens a capture file (plain or gzip) through libscap.
    scap::status open_file(const std::string& path, std::string& error);
    // Reads from an engine the caller already opened.
    void open(std::unique_ptr<scap::engine> engine);
    // For a caller that opens an engine itself: set as scap::savefile_options::processes_to, the
    // capture's process and fd lists load into this inspector's state as they are read, never
    // held whole by the engine (a host of many processes in memory once, not twice); set as a
    // live engine's processes_to (modern_bpf, bpf, kmod options), the /proc scan's processes
    // load while the scan goes on, during the engine's start(). Then pass the engine to open().
    // Null when options.keep_engine_processes asks the engine to keep them.
    scap::snapshot_sink* process_loader();
    // The options open_file() opens a capture with (process_loader(), the reading layout, the
    // worker CPUs), for a caller that opens the engine itself and then passes it to open().
    scap::savefile_options file_options(const std::string& path);

    // The next event, with state updated for it. On status::error see last_error().
    scap::status next(const event*& out);
    // Ends reading: stops the reading thread (options.threads >= 2), after which the engine's
    // stats are safe to read; next() returns eof from then on.
    void stop_reading();
    // Whether a capture file read with `reading_threads` (reading_threads()) should decompress on
    // the engine's own worker thread (scap::savefile_options::background_read).
    static bool file_background_read(unsigned reading_threads);
    // Threads actually used for reading and state (options.threads resolved).
    unsigned reading_threads() const { return m_threads; }
    // Applies one event that did not come from the engine (tests, other sources).
    const event& process(const scap::event_ref& ref);
    // Loads threads, fds, users, groups and interfaces from a snapshot (open/next do it
    // themselves for the engine's snapshot).
    void load_snapshot(const scap::snapshot& snap);

    // The engine being read (null before open); for its stats and its raw snapshot, which
    // writers of filtered captures copy.
    scap::engine* engine() { return m_engine.get(); }
    const scap::engine* engine() const { return m_engine.get(); }

    thread_table& threads();
    const thread_table& threads() const;
    const state_stats& stats() const;
    const std::string& last_error() const { return m_error; }
    const string_interner& strings() const;

    // Text of an interned field.
    std::string_view str(string_id id) const;
    // cwd of a thread ("" if unknown).
    std::string_view cwd(const thread_info& t) const;
    // The command line: exe followed by the arguments, space separated (allocates).
    std::string cmdline(const thread_info& t) const;
    // Arguments after argv[0] (allocates).
    std::vector<std::string> arg_list(const thread_info& t) const;

    const scap::user_info* user(uint32_t uid) const;
    const scap::group_info* group(uint32_t gid) const;
    const std::vector<scap::iface_v4>& ifaces_v4() const;
    const std::vector<scap::iface_v6>& ifaces_v6() const;
    // Containers seen so far: from container events and threads' cgroups.
    const container_table& containers() const;
    // Runtime lookups so far (all zero when container_runtime_lookups is off).
    container_runtime_stats container_runtime() const;

    // Approximate memory held by the state: the thread table, fd tables and interned strings.
    struct memory_report {
        size_t threads = 0;
        size_t thread_bytes = 0;  // sizeof(thread_info) * n + table slots
        size_t fd_tables = 0;
        size_t fd_bytes = 0;      // fd table slots and names
        size_t string_bytes = 0;  // interner
        size_t strings = 0;
        size_t total() const { return thread_bytes + fd_bytes + string_bytes; }
    };
    memory_report memory() const;
    // The state's bytes as memory() counts them, from counters kept as the state changes (O(1);
    // what max_state_bytes is held against). Also in stats().state_bytes after each event.
    size_t state_bytes() const;

  private:
    scap::status next_from_batches(const event*& out);
    void load_engine_snapshot();

    // A container event built from a runtime answer, handed out by next() (see
    // container_runtime_lookups); true when one was.
    bool next_container_event(const event*& out);

    std::unique_ptr<state_core> m_core;
    std::unique_ptr<snapshot_loader> m_loader;  // made by process_loader()
    std::vector<uint8_t> m_container_event;
    std::unique_ptr<scap::engine> m_engine;
    bool m_snapshot_loaded = false;
    bool m_stopped = false;
    std::string m_error;
    inspector_options m_opts;
    unsigned m_threads = 1;
    // Parallel reading (threads >= 2): declared after the engine, so it stops first.
    std::unique_ptr<scap::batch_reader> m_reader;
    const scap::event_batch* m_batch = nullptr;
    uint32_t m_batch_pos = 0;
};

}  // namespace sinsp
