// Initial state from the engine's snapshot: /proc for live engines, the capture's process,
// fd, user, group and interface blocks for files.
#include <algorithm>
#include <cstring>

#include "state/core.h"
#include "state/helpers.h"

namespace sinsp {

namespace {

fd_info convert_fd(const scap::fd_info& s) {
    fd_info f;
    f.name = s.name;
    f.ino = s.ino;
    f.dev = s.dev;
    f.open_flags = s.open_flags | k_fd_from_snapshot;
    f.proto = static_cast<l4_proto>(s.l4proto);
    using T = scap::fd_type;
    switch (s.type) {
        case T::file:
        case T::file_v2:
            f.kind = (f.open_flags & k_o_directory) ? fd_kind::directory : fd_kind::file;
            break;
        case T::directory:
            f.kind = fd_kind::directory;
            break;
        case T::ipv4_sock:
        case T::ipv4_servsock:
            f.kind = fd_kind::ipv4_socket;
            std::memcpy(f.tuple.sip, &s.sip, 4);
            std::memcpy(f.tuple.dip, &s.dip, 4);
            break;
        case T::ipv6_sock:
        case T::ipv6_servsock:
            f.kind = fd_kind::ipv6_socket;
            std::memcpy(f.tuple.sip, s.sip6, 16);
            std::memcpy(f.tuple.dip, s.dip6, 16);
            break;
        case T::fifo:
            f.kind = fd_kind::pipe;
            break;
        case T::unix_sock:
            f.kind = fd_kind::unix_socket;
            f.unix_source = s.unix_source;
            f.unix_dest = s.unix_dest;
            break;
        case T::event:
            f.kind = fd_kind::eventfd;
            break;
        case T::signalfd:
            f.kind = fd_kind::signalfd;
            break;
        case T::eventpoll:
            f.kind = fd_kind::epoll;
            break;
        case T::inotify:
            f.kind = fd_kind::inotify;
            break;
        case T::timerfd:
            f.kind = fd_kind::timerfd;
            break;
        case T::netlink:
            f.kind = fd_kind::netlink;
            break;
        case T::bpf:
            f.kind = fd_kind::bpf;
            break;
        case T::userfaultfd:
            f.kind = fd_kind::userfaultfd;
            break;
        case T::io_uring:
            f.kind = fd_kind::io_uring;
            break;
        case T::memfd:
            f.kind = fd_kind::memfd;
            break;
        case T::pidfd:
            f.kind = fd_kind::pidfd;
            break;
        default:
            f.kind = fd_kind::unknown;
            break;
    }
    if (f.is_inet()) {
        f.tuple.sport = s.sport;
        f.tuple.dport = s.dport;
        if (s.type == T::ipv4_servsock || s.type == T::ipv6_servsock) f.role = sock_role::server;
        // A socket with both ends known when the capture began was connected then.
        if ((s.type == T::ipv4_sock || s.type == T::ipv6_sock) && f.tuple.known() && s.dport != 0)
            f.conn = conn_state::connected;
    }
    return f;
}

// Frees what a loaded process no longer needs: strings and fds (tid and pid stay, the second
// pass below links threads to their process by them).
void free_process_text(scap::process_info& p) {
    for (std::string* s : {&p.comm, &p.exe, &p.exepath, &p.args, &p.env, &p.cwd, &p.cgroups, &p.root})
        std::string().swap(*s);
    std::vector<scap::fd_info>().swap(p.fds);
}

// The snapshot's IPv4 sockets hold local -> remote. Like the reference, a socket whose local
// port is one some process listens on is the server end of its connection: its tuple is turned
// around so every tuple reads client -> server; the others are clients.
void orient_snapshot_sockets(thread_table& threads, const std::vector<uint16_t>& server_ports) {
    threads.for_each([&](const thread_info& ct) {
        if (!ct.fds || !ct.is_main_thread()) return;
        ct.fds->for_each_mut([&](int64_t, fd_info& f) {
            if (f.kind != fd_kind::ipv4_socket || f.role == sock_role::server) return;
            if (!std::binary_search(server_ports.begin(), server_ports.end(), f.tuple.sport)) {
                f.role = sock_role::client;
                return;
            }
            std::swap(f.tuple.sip, f.tuple.dip);
            std::swap(f.tuple.sport, f.tuple.dport);
            f.role = sock_role::server;
        });
    });
}

}  // namespace

void state_core::begin_snapshot() {
    m_epoch = fresh_thread_epoch();  // threads, users and groups replaced: see event::thread_epoch
    m_snapshot_server_ports.clear();
    m_snapshot_secondary_threads.clear();
}

void state_core::load_snapshot_process(const scap::process_info& p) {
    const auto tid = static_cast<int64_t>(p.tid);
    // An entry for a tid already given replaces it but keeps its fds (the engine's snapshot
    // does the same).
    std::shared_ptr<fd_table> earlier_fds;
    if (thread_info* before = threads.find(tid); before && before->fds && before->fds->size() > 0)
        earlier_fds = before->fds;
    thread_info& t = threads.create(tid);
    t.pid = static_cast<int64_t>(p.pid);
    t.ptid = static_cast<int64_t>(p.ptid);
    t.sid = p.sid;
    t.pgid = p.pgid;
    t.vpgid = p.vpgid;
    t.vtid = p.vtid;
    t.vpid = p.vpid;
    t.comm = strings.acquire(p.comm);
    t.exe = strings.acquire(p.exe);
    t.exepath = strings.acquire(p.exepath);
    t.args = strings.acquire(args_blob(p.args));
    t.env = strings.acquire(p.env);
    t.cgroups = strings.acquire(p.cgroups);
    set_container(t, p.cgroups);
    t.uid = t.euid = p.uid;
    t.gid = t.egid = p.gid;
    t.loginuid = p.loginuid;
    t.tty = p.tty;
    t.clone_flags = p.flags;
    t.cap_inheritable = p.cap_inheritable;
    t.cap_permitted = p.cap_permitted;
    t.cap_effective = p.cap_effective;
    t.fdlimit = p.fdlimit;
    t.exe_ino = p.exe_ino;
    t.exe_ino_ctime = p.exe_ino_ctime;
    t.exe_ino_mtime = p.exe_ino_mtime;
    t.exe_flags = (p.exe_writable ? k_exe_writable : 0u) | (p.exe_upper_layer ? k_exe_upper_layer : 0u) |
                  (p.exe_from_memfd ? k_exe_from_memfd : 0u) | (p.exe_lower_layer ? k_exe_lower_layer : 0u);
    t.vmsize_kb = p.vmsize_kb;
    t.vmrss_kb = p.vmrss_kb;
    t.vmswap_kb = p.vmswap_kb;
    t.pfmajor = p.pfmajor;
    t.pfminor = p.pfminor;
    t.pidns_init_start_ts = p.pidns_init_start_ts;
    t.clone_ts = p.clone_ts;
    t.state = k_thread_from_snapshot;
    t.fds = earlier_fds ? std::move(earlier_fds) : new_fd_table();
    for (const auto& f : p.fds) load_snapshot_fd(t, f);
    t.fs = std::make_shared<fs_context>();
    t.fs->cwd = strings.acquire(p.cwd);
    t.fs->root = strings.acquire(p.root);
    if (p.tid != p.pid) m_snapshot_secondary_threads.push_back(tid);
    // The budget holds during the load too (a host with many processes is where it matters).
    // Threads loaded earlier may go; finish_snapshot() skips threads whose main thread went.
    account_state({tid});
}

void state_core::load_snapshot_fd(thread_info& t, const scap::fd_info& f) {
    using T = scap::fd_type;
    // Listening sockets, remembered as they come: finish_snapshot() orients the others by them.
    if (f.type == T::ipv4_servsock || f.type == T::ipv6_servsock) m_snapshot_server_ports.push_back(f.sport);
    add_fd(t, f.fd, convert_fd(f));
}

bool state_core::begin_snapshot_fds(int64_t tid) {
    if (threads.find(tid)) return true;
    // fds of a thread the process list did not describe: a bare thread holds them, as the
    // engine's snapshot keeps a bare entry.
    scap::process_info bare;
    bare.tid = static_cast<uint64_t>(tid);
    load_snapshot_process(bare);
    return false;
}

void state_core::load_snapshot_fd(int64_t tid, const scap::fd_info& f) {
    thread_info* t = threads.find(tid);
    if (!t) {  // the budget took it while its list was read: nothing to keep the fd on
        ++stats.fds_evicted;
        return;
    }
    load_snapshot_fd(*t, f);
    account_state({tid});
}

void state_core::finish_snapshot(const scap::snapshot& rest) {
    // Threads of a process share its fd table and fs context; the snapshot lists fds once, on
    // the main thread.
    threads.for_each([&](const thread_info& ct) {
        if (ct.is_main_thread()) const_cast<thread_info&>(ct).live_threads += 1;
    });
    for (int64_t tid : m_snapshot_secondary_threads) {
        thread_info* t = threads.find(tid);
        if (!t || t->tid == t->pid) continue;  // gone (budget), or replaced by a main-thread entry
        thread_info* m = threads.find(t->pid);
        if (!m) continue;
        ++m->live_threads;
        if (t->fds->size() == 0) t->fds = m->fds;
        if (t->fs.use_count() == 1) {
            strings.release(t->fs->cwd);
            strings.release(t->fs->root);
        }
        t->fs = m->fs;
    }
    std::vector<int64_t>().swap(m_snapshot_secondary_threads);
    std::sort(m_snapshot_server_ports.begin(), m_snapshot_server_ports.end());
    orient_snapshot_sockets(threads, m_snapshot_server_ports);
    std::vector<uint16_t>().swap(m_snapshot_server_ports);
    for (const auto& u : rest.users) users[u.uid] = u;
    for (const auto& g : rest.groups) groups[g.gid] = g;
    ifaces_v4 = rest.ifaces_v4;
    ifaces_v6 = rest.ifaces_v6;
    // Linking threads to their main thread may have freed strings; the figures as of the load.
    account_state({});
}

void state_core::load_snapshot(const scap::snapshot& snap, scap::snapshot* free_as_loaded) {
    begin_snapshot();
    for (size_t i = 0; i < snap.processes.size(); ++i) {
        load_snapshot_process(snap.processes[i]);
        // The raw strings are freed as soon as the state holds them, so the state grows into
        // the memory the snapshot gives back rather than beside it (the peak with many processes).
        if (free_as_loaded) free_process_text(free_as_loaded->processes[i]);
    }
    finish_snapshot(snap);
}

}  // namespace sinsp
