#include "state/core.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "state/helpers.h"

namespace sinsp {

uint64_t fresh_thread_epoch() {
    static std::atomic<uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

namespace {

// Whether an fd just created has a name: a path, or an inet socket's addresses (accept, or a
// capture's socketpair/connect-like creations); not a bare socket(), pipe or eventfd.
bool created_with_name(const fd_info& f) {
    if (f.is_inet()) {
        const socket_tuple none{};
        return std::memcmp(&f.tuple, &none, sizeof none) != 0;
    }
    return !f.name.empty();
}

bool is_fd_copy(uint16_t type) {
    return type == PPME_SYSCALL_DUP_1_X || type == PPME_SYSCALL_DUP2_X || type == PPME_SYSCALL_DUP3_X;
}

// Where an fd-creating event puts the new fd: the first fd-typed parameter (open's "fd",
// socketpair's "fd1"), else a plain return value (epoll_create's "res").
int created_fd_param(uint16_t type, const scap_event_info& info) {
    // A pipe's event is about its write end, the fd made last (the reference's choice: its fd
    // fields name the second fd); socketpair's is about the first.
    if (type == PPME_SYSCALL_PIPE_X || type == PPME_SYSCALL_PIPE2_X) return 2;
    for (uint32_t i = 0; i < info.nparams; ++i)
        if (info.params[i].type == PT_FD || info.params[i].type == PT_FD32) return static_cast<int>(i);
    return info.nparams > 0 && info.params[0].type == PT_ERRNO ? 0 : -1;
}

}  // namespace

state_core::state_core(const inspector_options& opts)
    : threads(strings, stats, opts.max_threads),
      m_max_fds(opts.max_fds_per_table),
      m_budget_bytes(opts.max_state_bytes) {
    if (opts.container_runtime_lookups)
        runtime = std::make_unique<container_metadata_fetcher>(opts.container_runtime);
}

inspector::memory_report state_core::memory() const {
    inspector::memory_report r;
    r.threads = threads.size();
    r.thread_bytes = threads.heap_bytes();
    // fd tables are shared: count each once.
    std::vector<const fd_table*> seen;
    threads.for_each([&](const thread_info& t) {
        if (!t.fds) return;
        if (t.fds.use_count() > 1) {
            for (auto* p : seen)
                if (p == t.fds.get()) return;
            seen.push_back(t.fds.get());
        }
        ++r.fd_tables;
        r.fd_bytes += t.fds->heap_bytes();
    });
    r.string_bytes = strings.heap_bytes();
    r.strings = strings.live();
    return r;
}

// Evicting down to the budget alone would make the next few events each pay a pass over the table;
// stopping 1/16 below it (the low-water mark) spreads one pass over many events.
void state_core::enforce_budget(std::initializer_list<int64_t> keep) {
    const size_t low_water = m_budget_bytes - m_budget_bytes / 16;
    const size_t before = state_bytes();
    if (before <= m_budget_bytes) return;
    const size_t gone = threads.evict_while([&] { return state_bytes() > low_water; }, keep);
    if (gone == 0) return;
    threads.shrink_to_fit();
    stats.threads_evicted_for_memory += gone;
    const size_t after = state_bytes();
    stats.state_bytes_evicted += before > after ? before - after : 0;
    // Evicted threads may be made up again at the same addresses: no verdict cached for them
    // may survive.
    m_epoch = fresh_thread_epoch();
}

void state_core::init_unknown(thread_info& t) {
    t.state |= k_thread_incomplete;
    t.fds = new_fd_table();
    t.fs = std::make_shared<fs_context>();
}

thread_info* state_core::thread_for(int64_t tid, bool& made_up) {
    made_up = false;
    if (tid <= 0) return nullptr;
    thread_info* t = threads.find(tid);
    if (!t) {
        t = &threads.create(tid);
        init_unknown(*t);
        // Its start time is unknown (proc.pid.ts and proc.duration are absent, as in the
        // reference): the first event seen is not when it started.
        made_up = true;
    }
    return t;
}

void state_core::add_fd(thread_info& t, int64_t fd, fd_info&& info) {
    if (fd < 0) return;
    if (!t.fds) t.fds = new_fd_table();
    // Replacing an fd never grows the table; a new one must fit.
    if (t.fds->size() >= m_max_fds && !t.fds->find(fd)) {
        ++stats.fds_refused;
        return;
    }
    t.fds->set(fd, std::move(info));
    ++stats.fds_added;
}

void state_core::remove_fd(thread_info& t, int64_t fd) {
    if (t.fds && t.fds->erase(fd)) ++stats.fds_removed;
}

// A thread that exited goes away after its exit event. A main thread whose process still has
// live threads stays (dead) so they keep finding their process; the last thread takes it along.
void state_core::reap(int64_t tid) {
    thread_info* t = threads.find(tid);
    if (!t || !t->dead()) return;
    const int64_t pid = t->pid;
    const bool main = t->is_main_thread();
    if (main && t->live_threads > 0) return;
    threads.remove(tid);
    ++stats.threads_removed;
    if (!main) {
        thread_info* m = threads.find(pid);
        if (m && m->dead() && m->live_threads == 0) {
            threads.remove(pid);
            ++stats.threads_removed;
        }
    }
}

void state_core::resolve_event_fd(const parser_entry& pe) {
    thread_info* t = m_event.thread;
    if (!t || !t->fds) return;
    const uint32_t flags = m_event.view.info().flags;
    if (flags & EF_CREATES_FD) {
        const int i = created_fd_param(m_event.view.type(), m_event.view.info());
        if (i >= 0 && static_cast<uint32_t>(i) < m_event.view.nparams()) {
            const int64_t fd = m_event.view.param(static_cast<uint32_t>(i)).as<int64_t>();
            if (fd >= 0) {
                m_event.fd_num = fd;
                m_event.fd = t->fds->find(fd);
                // A new fd's name went from nothing to what it is now (the reference's rule); a
                // copy (dup*) carries its source's name along, unchanged.
                if (m_event.fd && !is_fd_copy(m_event.view.type()))
                    m_event.fd_name_changed = created_with_name(*m_event.fd);
                return;
            }
        }
    }
    if (m_event.fd == nullptr && pe.fd_ix >= 0 && static_cast<uint32_t>(pe.fd_ix) < m_event.view.nparams()) {
        const auto p = m_event.view.param(static_cast<uint32_t>(pe.fd_ix));
        m_event.fd_num = p.len == 4 ? p.as<int32_t>() : p.as<int64_t>();
        m_event.fd = t->fds->find(m_event.fd_num);
    }
}

// Data moved on an inet socket: it is connected from now on (a pending connect is settled, a
// datagram socket has a peer), the reference's rule for fd.connected.
void state_core::note_data_moved(const scap::event_view& ev) {
    if (!(ev.info().flags & (EF_READS_FROM_FD | EF_WRITES_TO_FD)) || ev.nparams() == 0) return;
    const auto res = ev.param(0);
    const int64_t n = res.len == 8 ? res.as<int64_t>() : res.len == 4 ? res.as<int32_t>() : -1;
    if (n >= 0) m_event.fd->conn = conn_state::connected;
}

const event& state_core::process(const scap::event_ref& ref) {
    const bool reaped = m_pending_removal != -1;
    if (reaped) {
        reap(m_pending_removal);
        m_pending_removal = -1;
        m_epoch = fresh_thread_epoch();
    }
    const scap::event_view ev = ref.view();
    // The previous event's buffer may already be reused by the engine: keep its time by value.
    m_event.prev_ts = m_event.num ? m_last_ts : 0;
    m_last_ts = ev.ts();
    m_event.view = ev;
    ++stats.events;
    // The reference's numbering, which also counts the enters it hides (old captures only).
    m_event_number += 1 + ref.numbered_before;
    m_event.num = m_event_number;
    // evt.reltime counts from the first event that is not a meta event (user, group, container
    // and procinfo events describe state, they do not start the stream), as the reference does.
    if (m_event.first_ts == 0 && !(ev.info().category & EC_METAEVENT)) m_event.first_ts = ev.ts();
    m_event.cpu = ref.cpu;
    m_event.block_flags = ref.flags;
    m_event.fd = nullptr;
    m_event.fd_num = -1;
    m_event.fd_name_changed = false;

    const uint16_t type = ev.type();
    const int64_t tid = static_cast<int64_t>(ev.tid());
    thread_info* t;
    bool made_up = false;
    if (type == PPME_PROCEXIT_1_E || type == PPME_SCHEDSWITCH_6_E || type == PPME_PROCINFO_E) {
        // An exit, a context switch or a CPU-usage sample is no reason to invent a thread (the
        // reference looks these up only): kernel threads the snapshot left out stay unknown.
        t = tid > 0 ? threads.find(tid) : nullptr;
    } else if (ev.info().category & EC_METAEVENT) {
        t = nullptr;  // user, group and container events describe no thread's action
    } else {
        t = thread_for(tid, made_up);
    }
    if (t) t->last_event_ts = ev.ts();
    m_event.thread = t;

    const parser_entry& pe = m_parsers[type];
    // The fd an event uses is looked up before parsing: close must still see what it closes.
    if (t && t->fds && pe.fd_ix >= 0 && static_cast<uint32_t>(pe.fd_ix) < ev.nparams() &&
        !(ev.info().flags & EF_CREATES_FD)) {
        const auto p = ev.param(static_cast<uint32_t>(pe.fd_ix));
        m_event.fd_num = p.len == 4 ? p.as<int32_t>() : p.as<int64_t>();
        m_event.fd = t->fds->find(m_event.fd_num);
    }
    if (pe.fn) {
        if (ev.nparams() < static_cast<uint32_t>(pe.need)) {
            ++stats.parse_errors;
        } else {
            const fd_table* fds_before = t ? t->fds.get() : nullptr;
            const uint64_t layout_before = fds_before ? fds_before->layout_version() : 0;
            parse_ctx ctx{*this, ev, t, pe, m_event};
            pe.fn(ctx);
            // A parser that inserted or erased fds (fcntl F_DUPFD growing the table, say) may have
            // moved the entry the event points at: look it up again.
            if (t && m_event.fd && m_event.fd != &m_closed_fd &&
                (t->fds.get() != fds_before || (fds_before && fds_before->layout_version() != layout_before)))
                m_event.fd = t->fds ? t->fds->find(m_event.fd_num) : nullptr;
        }
    }
    if (ev.info().flags & EF_CREATES_FD) resolve_event_fd(pe);
    if (m_event.fd && m_event.fd->is_inet() && m_event.fd->conn != conn_state::connected) note_data_moved(ev);
    // Only a parser, a made-up thread or the removal of the previous event's exited thread
    // changes what the state holds: events without any (reads, writes: most of a busy stream)
    // skip the accounting.
    const bool state_changed = pe.fn != nullptr || made_up || reaped;
    // A parser may have named the event's fd in place (connect, bind, a datagram's peer).
    if (state_changed && t && t->fds && m_event.fd && m_event.fd != &m_closed_fd)
        t->fds->recount(*m_event.fd);
    // Once the event is applied, so the state handed out fits the budget; the event's thread, its
    // process's main thread and its parent stay (the event and its fields point at or look them up).
    if (state_changed) {
        if (t)
            account_state({t->tid, t->pid, t->ptid});
        else
            account_state({});
    }
    // A thread made up (the table may have grown, evicted or moved entries) or a parser that may
    // change threads, users, groups or containers: thread-derived values may differ from now on.
    // Parsers of fds or of memory counters only leave them be.
    if (made_up || (pe.fn && !pe.fds_only && !pe.counters_only)) m_epoch = fresh_thread_epoch();
    m_event.thread_epoch = m_epoch;
    // Counted once the event is parsed: a clone child whose own exit arrives before its parent's
    // (the child ran on another CPU first) is described in full by that event and is not made up.
    if (made_up) {
        if (t->state & k_thread_incomplete)
            ++stats.threads_incomplete;
        else
            ++stats.threads_child_first;
    }
    return m_event;
}

}  // namespace sinsp
