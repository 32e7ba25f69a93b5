// The state engine behind sinsp::inspector: owns the tables and applies events to them.
// Private to libsinsp.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "scap/snapshot.h"
#include "sinsp/container_runtime.h"
#include "sinsp/inspector.h"
#include "state/parser_registry.h"

namespace sinsp {

// A thread_epoch no inspector of this process has used yet (see event::thread_epoch): a ruleset
// evaluated on several inspectors in turn must not take one's epoch for another's, whose threads
// may sit at the same addresses.
uint64_t fresh_thread_epoch();

class state_core {
  public:
    explicit state_core(const inspector_options& opts);

    const event& process(const scap::event_ref& ref);
    // `free_as_loaded` (the same snapshot, when the caller lets the state consume it): each
    // process's strings and fds are freed once loaded.
    void load_snapshot(const scap::snapshot& snap, scap::snapshot* free_as_loaded = nullptr);
    // The same load in steps, for process and fd lists that arrive one entry at a time (a
    // capture's, through snapshot_loader): begin, then processes and fds in any order, then
    // finish with the rest of the snapshot (users, groups, interfaces).
    void begin_snapshot();
    void load_snapshot_process(const scap::process_info& p);
    // The fds that follow belong to `tid`; false when no process entry described it (a bare
    // thread then holds them).
    bool begin_snapshot_fds(int64_t tid);
    void load_snapshot_fd(int64_t tid, const scap::fd_info& f);
    void finish_snapshot(const scap::snapshot& rest);

    // The thread of the current event, made up (and flagged incomplete, made_up set) when the tid
    // is new.
    thread_info* thread_for(int64_t tid, bool& made_up);
    // Fills a thread's process-wide defaults when it was made up from nothing.
    void init_unknown(thread_info& t);
    // Removes t after the current event (it exited); its process goes with its last thread.
    void schedule_removal(int64_t tid) { m_pending_removal = tid; }
    // Keeps a copy of an fd about to be closed so the event can still show it.
    // Moves the fd out (it is erased right after), avoiding a copy of its name per close.
    void keep_closed_fd(int64_t fd, fd_info&& info) {
        m_closed_fd = std::move(info);
        m_event.fd_num = fd;
        m_event.fd = &m_closed_fd;
    }
    // Stores fd in t's table, unless the table is full (then counted in fds_refused).
    void add_fd(thread_info& t, int64_t fd, fd_info&& info);
    size_t max_fds_per_table() const { return m_max_fds; }
    // Sets t's container id and entry from its cgroups (container_state.cpp).
    void set_container(thread_info& t, std::string_view cgroups);
    // After an exec: whether t is its container's init or one of its health probes.
    void identify_role(thread_info& t);
    // A container event: stores the metadata (container_state.cpp).
    void apply_container_json(std::string_view json);
    void remove_fd(thread_info& t, int64_t fd);
    // Timestamp of the last event applied (0 before the first).
    uint64_t last_ts() const { return m_last_ts; }
    // What the state holds, as inspector::memory() reports it (visits every thread and fd table).
    inspector::memory_report memory() const;
    // The same bytes, estimated from counters kept as the state changes: O(1), read per event.
    size_t state_bytes() const { return threads.heap_bytes() + fd_table_bytes + strings.heap_bytes(); }
    // A new, empty fd table counted in fd_table_bytes.
    std::shared_ptr<fd_table> new_fd_table() { return std::make_shared<fd_table>(&fd_table_bytes); }

    // Bytes of every fd table made by new_fd_table() (or copied from one): their meter. Declared
    // before the thread table, whose fd tables give their bytes back to it when destroyed.
    size_t fd_table_bytes = 0;
    string_interner strings;
    state_stats stats;
    thread_table threads;
    std::unordered_map<uint32_t, scap::user_info> users;
    std::unordered_map<uint32_t, scap::group_info> groups;
    std::vector<scap::iface_v4> ifaces_v4;
    std::vector<scap::iface_v6> ifaces_v6;
    container_table containers;
    // Runtime metadata lookups (inspector_options::container_runtime_lookups); null when off.
    std::unique_ptr<container_metadata_fetcher> runtime;

  private:
    void reap(int64_t tid);
    void resolve_event_fd(const parser_entry& pe);
    void note_data_moved(const scap::event_view& ev);
    // max_state_bytes: when the estimate is over it, evicts the least useful threads (never those
    // in keep) until it is under the low-water mark; bumps the epoch if any went.
    void enforce_budget(std::initializer_list<int64_t> keep);
    // Stores the estimate and its peak in stats, evicting first when over the budget. Inline:
    // it runs after every state-changing event, and without a budget it is three loads and a max.
    void account_state(std::initializer_list<int64_t> keep) {
        if (m_budget_bytes != 0) enforce_budget(keep);
        const size_t now = state_bytes();
        stats.state_bytes = now;
        if (now > stats.state_bytes_peak) stats.state_bytes_peak = now;
    }
    void load_snapshot_fd(thread_info& t, const scap::fd_info& f);

    parser_registry m_parsers;
    event m_event;
    fd_info m_closed_fd;
    int64_t m_pending_removal = -1;
    size_t m_max_fds;
    size_t m_budget_bytes;
    uint64_t m_last_ts = 0;
    uint64_t m_event_number = 0;  // evt.num of the last event
    // event::thread_epoch: replaced whenever thread, user, group or container state may change.
    uint64_t m_epoch = fresh_thread_epoch();
    // While a snapshot loads: its listening ports (to orient the other sockets) and the threads
    // that are not their process's main thread (linked to it at the end).
    std::vector<uint16_t> m_snapshot_server_ports;
    std::vector<int64_t> m_snapshot_secondary_threads;
};

}  // namespace sinsp
