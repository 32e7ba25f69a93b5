// Process lifecycle and credentials: clone/fork/vfork/clone3, execve/execveat, procexit,
// set*id, setsid/setpgid, chdir/fchdir/chroot, prctl(PR_SET_NAME), capset.
#include "state/core.h"
#include "state/helpers.h"

namespace sinsp {

namespace {

constexpr uint32_t k_cl_clone_files = 0x1;
constexpr uint32_t k_cl_clone_fs = 0x2;
constexpr uint32_t k_cl_clone_thread = 0x2000;
constexpr uint32_t k_pr_set_name = 0xf;
constexpr uint32_t k_cl_child_in_pidns = 0x20000000;  // PPM_CL_CHILD_IN_PIDNS

// ---- clone family --------------------------------------------------------------------------

enum clone_slot {
    c_res,
    c_exe,
    c_args,
    c_tid,
    c_pid,
    c_ptid,
    c_cwd,
    c_fdlimit,
    c_comm,
    c_cgroups,
    c_flags,
    c_uid,
    c_gid,
    c_vtid,
    c_vpid,
    c_pgft_maj,
    c_pgft_min,
    c_vm_size,
    c_vm_rss,
    c_vm_swap,
    c_pidns_init
};

// Fills child from the clone event. The event's strings describe the caller; clone copies them
// to the child. Shared state follows the clone flags: CLONE_THREAD or CLONE_FILES share the fd
// table, CLONE_THREAD or CLONE_FS share cwd/root; otherwise the child gets copies.
void fill_child(parse_ctx& c, thread_info& child, const thread_info* parent, bool child_side) {
    state_core& core = c.core;
    string_interner& s = core.strings;
    const uint32_t flags = c.u32(c_flags);
    const bool same_process = (flags & k_cl_clone_thread) != 0;

    if (child_side) {
        child.pid = c.i64(c_pid);
        child.ptid = c.i64(c_ptid);
        child.vtid = c.i64(c_vtid);
        child.vpid = c.i64(c_vpid);
    } else {
        child.pid = same_process ? c.thr->pid : child.tid;
        child.ptid = same_process ? c.thr->ptid : c.thr->tid;
        // Outside a pid namespace virtual ids equal the real ones; inside we cannot know them yet.
        const bool host_ns = c.thr->vtid == c.thr->tid;
        child.vtid = host_ns ? child.tid : -1;
        child.vpid = host_ns ? child.pid : -1;
    }
    child.clone_flags = flags;
    child.clone_ts = c.ev.ts();
    child.last_event_ts = c.ev.ts();
    child.comm = s.acquire(c.p(c_comm).str());
    child.exe = s.acquire(c.p(c_exe).str());
    // The args parameter holds argv[1..], each NUL-terminated (argv[0] is the exe parameter).
    child.args = s.acquire(args_blob(c.p(c_args).bytes()));
    const std::string_view cg = c.p(c_cgroups).bytes();
    child.cgroups = s.acquire(cg);
    core.set_container(child, cg);
    child.fdlimit = c.u64(c_fdlimit);
    child.pfmajor = c.u64(c_pgft_maj);
    child.pfminor = c.u64(c_pgft_min);
    child.vmsize_kb = c.u32(c_vm_size);
    child.vmrss_kb = c.u32(c_vm_rss);
    child.vmswap_kb = c.u32(c_vm_swap);
    child.pidns_init_start_ts = c.u64(c_pidns_init);
    child.uid = child.euid = c.u32(c_uid);
    child.gid = child.egid = c.u32(c_gid);

    if (parent) {
        child.exepath = parent->exepath;
        s.retain(child.exepath);
        child.env = parent->env;
        s.retain(child.env);
        child.sid = parent->sid;
        child.pgid = parent->pgid;
        child.vpgid = parent->vpgid;
        child.loginuid = parent->loginuid;
        child.tty = parent->tty;
        child.cap_inheritable = parent->cap_inheritable;
        child.cap_permitted = parent->cap_permitted;
        child.cap_effective = parent->cap_effective;
        child.exe_ino = parent->exe_ino;
        child.exe_ino_ctime = parent->exe_ino_ctime;
        child.exe_ino_mtime = parent->exe_ino_mtime;
        child.exe_flags = parent->exe_flags;
        if (parent->euid != UINT32_MAX) child.euid = parent->euid;
        if (parent->egid != UINT32_MAX) child.egid = parent->egid;
    } else {
        child.exepath = s.acquire(c.p(c_exe).str());
    }

    if (parent && parent->fds && (same_process || (flags & k_cl_clone_files)))
        child.fds = parent->fds;
    else if (parent && parent->fds)
        child.fds = std::make_shared<fd_table>(*parent->fds);
    else
        child.fds = c.core.new_fd_table();

    if (parent && parent->fs && (same_process || (flags & k_cl_clone_fs))) {
        child.fs = parent->fs;
    } else {
        child.fs = std::make_shared<fs_context>();
        // A copy of the caller's cwd. Drivers often leave clone's cwd parameter empty: then the
        // parent's is the one (the reference always takes the parent's).
        const std::string_view cwd = c.p(c_cwd).str();
        if (cwd.empty() && parent && parent->fs) {
            child.fs->cwd = parent->fs->cwd;
            s.retain(child.fs->cwd);
        } else {
            child.fs->cwd = s.acquire(cwd);
        }
        if (parent && parent->fs) {
            child.fs->root = parent->fs->root;
            s.retain(child.fs->root);
        }
    }

    core.identify_role(child);

    if (child.pid == child.tid) {
        child.live_threads = 1;
    } else if (thread_info* m = core.threads.find(child.pid)) {
        ++m->live_threads;
    }
}

// Exit of clone and friends. It is seen twice for a successful clone: in the caller (res = the
// child's tid) and in the child (res = 0); whichever comes first creates the child.
void parse_clone(parse_ctx& c) {
    const int64_t res = c.i64(c_res);
    if (res < 0 || !c.thr) return;
    if (res == 0) {
        thread_info& child = *c.thr;
        // Already built from the caller's side: keep it (only the child knows its virtual ids).
        if (!(child.state & (k_thread_incomplete | k_thread_dead)) && child.clone_ts != 0 && child.pid > 0) {
            child.vtid = c.i64(c_vtid);
            child.vpid = c.i64(c_vpid);
            return;
        }
        const uint32_t flags = c.u32(c_flags);
        const int64_t src = (flags & k_cl_clone_thread) ? c.i64(c_pid) : c.i64(c_ptid);
        c.core.threads.clear(child);
        const thread_info* parent = c.core.threads.find(src);
        fill_child(c, child, parent, true);
        return;
    }
    if (thread_info* existing = c.core.threads.find(res)) {
        if (!(existing->state & (k_thread_incomplete | k_thread_dead))) return;
    }
    const int64_t caller = c.thr->tid;
    thread_info& child = c.core.threads.create(res, caller, c.thr->pid);
    thread_info* parent = c.core.threads.find(caller);
    fill_child(c, child, parent, false);
}

// ---- execve ---------------------------------------------------------------------------------

enum exec_slot {
    x_res,
    x_exe,
    x_args,
    x_pid,
    x_ptid,
    x_cwd,
    x_comm,
    x_cgroups,
    x_env,
    x_trusted,
    x_fdlimit,
    x_tty,
    x_vpgid,
    x_pgid,
    x_loginuid,
    x_flags,
    x_capi,
    x_capp,
    x_cape,
    x_exe_ino,
    x_uid,
    x_gid,
    x_filename,
    x_pgft_maj,
    x_pgft_min,
    x_vm_size,
    x_vm_rss,
    x_vm_swap,
    x_exe_ino_ctime,
    x_exe_ino_mtime
};

// Sets field from the parameter in slot when the event carries it; an empty parameter (old
// captures lack most of them) leaves the value the thread had, unknown (-1) for a thread the
// capture never described, as the reference does. Zero would be a real value (uid 0 is root).
template <typename T>
void set_if_given(const parse_ctx& c, int slot, T& field) {
    const scap::param_view p = c.p(slot);
    if (!p.empty()) field = p.as<T>();
}

void parse_execve(parse_ctx& c) {
    if (c.i64(x_res) != 0 || !c.thr) return;  // a failed exec changes nothing
    thread_info& t = *c.thr;
    string_interner& s = c.core.strings;

    if (t.state & k_thread_incomplete) {
        t.pid = c.i64(x_pid);
        t.ptid = c.i64(x_ptid);
        if (t.pid == t.tid) t.live_threads = 1;
        // A thread first seen here: outside a pid namespace (no clone said otherwise) its
        // virtual ids are its ids, as the reference assumes too.
        if (!(t.clone_flags & k_cl_child_in_pidns)) {
            t.vtid = t.tid;
            t.vpid = t.pid;
        }
        t.state &= ~k_thread_incomplete;
    }
    s.assign(t.exe, c.p(x_exe).str());
    s.assign(t.args, args_blob(c.p(x_args).bytes()));  // argv[1..]; argv[0] is exe
    // Captures older than the comm parameter: the name is the exe, as the reference has it.
    const std::string_view comm = c.p(x_comm).str();
    s.assign(t.comm, comm.empty() ? c.p(x_exe).str() : comm);
    if (!c.p(x_env).empty()) s.assign(t.env, c.p(x_env).bytes());
    if (!c.p(x_cgroups).empty()) {
        const std::string_view cg = c.p(x_cgroups).bytes();
        s.assign(t.cgroups, cg);
        c.core.set_container(t, cg);
    }
    if (!t.fs) t.fs = std::make_shared<fs_context>();
    // exec does not change the working directory: an empty cwd parameter (drivers that leave it
    // out) keeps the one the thread has; a given one fills in threads the capture never described.
    if (const std::string_view cwd = c.p(x_cwd).str(); !cwd.empty()) s.assign(t.fs->cwd, cwd);
    // The path the kernel resolved is best; older drivers give the filename the caller passed
    // (relative to the working directory). Captures with neither leave the path unknown (empty):
    // argv[0] is whatever the caller chose, not the executable's path.
    if (const std::string_view trusted = c.p(x_trusted).str(); !trusted.empty()) {
        s.assign(t.exepath, trusted);
    } else if (const std::string_view name = c.p(x_filename).str(); !name.empty()) {
        s.assign(t.exepath, name.front() == '/' ? std::string(name) : join_path(s.get(t.fs->cwd), name));
    } else {
        s.assign(t.exepath, std::string_view{});
    }

    t.fdlimit = c.u64(x_fdlimit);
    set_if_given(c, x_tty, t.tty);
    set_if_given(c, x_vpgid, t.vpgid);
    // The group id alone becomes unknown when not given: the new program may have changed it.
    t.pgid = c.p(x_pgid).empty() ? -1 : c.i64(x_pgid);
    set_if_given(c, x_loginuid, t.loginuid);
    set_if_given(c, x_capi, t.cap_inheritable);
    set_if_given(c, x_capp, t.cap_permitted);
    set_if_given(c, x_cape, t.cap_effective);
    set_if_given(c, x_exe_ino, t.exe_ino);
    if (!c.p(x_uid).empty()) t.uid = t.euid = c.u32(x_uid);
    if (!c.p(x_gid).empty()) t.gid = t.egid = c.u32(x_gid);
    set_if_given(c, x_flags, t.exe_flags);
    set_if_given(c, x_exe_ino_ctime, t.exe_ino_ctime);
    set_if_given(c, x_exe_ino_mtime, t.exe_ino_mtime);
    set_if_given(c, x_pgft_maj, t.pfmajor);
    set_if_given(c, x_pgft_min, t.pfminor);
    set_if_given(c, x_vm_size, t.vmsize_kb);
    set_if_given(c, x_vm_rss, t.vmrss_kb);
    set_if_given(c, x_vm_swap, t.vmswap_kb);
    c.core.identify_role(t);

    // exec unshares the fd table and closes close-on-exec fds.
    if (t.fds) {
        if (t.fds.use_count() > 1) t.fds = std::make_shared<fd_table>(*t.fds);
        c.core.stats.fds_removed +=
            t.fds->erase_if([](int64_t, const fd_info& f) { return (f.open_flags & k_o_cloexec) != 0; });
    }
}

// ---- exit -----------------------------------------------------------------------------------

// Who adopts the children of an exiting thread: the reaper the kernel chose (procexit's
// reaper_tid, in captures that carry it); otherwise another live thread of the same process
// (its main thread), or init when the thread lives in the host pid namespace. -1: unknown.
int64_t reaper_for(parse_ctx& c, const thread_info& t, const thread_info* m) {
    const int64_t reaper = c.i64(0);  // empty (0) when the capture predates reaper_tid
    if (reaper > 0 && reaper != t.tid) return reaper;
    if (m && m != &t && !m->dead()) return m->tid;
    if (t.vtid == t.tid) return 1;
    return -1;
}

void parse_procexit(parse_ctx& c) {
    if (!c.thr || c.thr->dead()) return;
    thread_info& t = *c.thr;
    t.state |= k_thread_dead;
    t.exit_ts = c.ev.ts();
    thread_info* m = t.is_main_thread() ? &t : c.core.threads.find(t.pid);
    if (m && m->live_threads > 0) --m->live_threads;
    // Children of the exiting thread are reparented, so lineage fields (proc.pname, proc.aname)
    // keep working for orphans. One pass over the table per exit: there is no child index, which
    // would cost memory on every thread for the benefit of exits only.
    const int64_t reaper = reaper_for(c, t, m);
    if (reaper > 0) {
        const int64_t tid = t.tid;
        c.core.threads.for_each_mut([&](thread_info& x) {
            if (x.ptid == tid && x.tid != tid) x.ptid = reaper;
        });
    }
    c.core.schedule_removal(t.tid);
}

// ---- credentials, session, cwd, name ----------------------------------------------------------

void parse_setuid(parse_ctx& c) {
    if (c.i64(0) == 0 && c.thr) c.thr->uid = c.thr->euid = c.u32(1);
}
void parse_setgid(parse_ctx& c) {
    if (c.i64(0) == 0 && c.thr) c.thr->gid = c.thr->egid = c.u32(1);
}
// setresuid/setresgid: -1 leaves a value unchanged.
void parse_setresuid(parse_ctx& c) {
    if (c.i64(0) != 0 || !c.thr) return;
    if (c.u32(1) != UINT32_MAX) c.thr->uid = c.u32(1);
    if (c.u32(2) != UINT32_MAX) c.thr->euid = c.u32(2);
}
void parse_setresgid(parse_ctx& c) {
    if (c.i64(0) != 0 || !c.thr) return;
    if (c.u32(1) != UINT32_MAX) c.thr->gid = c.u32(1);
    if (c.u32(2) != UINT32_MAX) c.thr->egid = c.u32(2);
}
void parse_setsid(parse_ctx& c) {
    const int64_t res = c.i64(0);
    if (res >= 0 && c.thr) c.thr->sid = res;
}
// setpgid(pid, pgid): pid 0 means the caller, pgid 0 means pgid = pid.
void parse_setpgid(parse_ctx& c) {
    if (c.i64(0) != 0 || !c.thr) return;
    int64_t pid = c.i64(1), pgid = c.i64(2);
    if (pid == 0) pid = c.thr->tid;
    if (pgid == 0) pgid = pid;
    if (thread_info* t = c.core.threads.find(pid)) t->pgid = pgid;
}
void parse_chdir(parse_ctx& c) {
    if (c.i64(0) != 0 || !c.thr || !c.thr->fs) return;
    string_interner& s = c.core.strings;
    s.assign(c.thr->fs->cwd, join_path(s.get(c.thr->fs->cwd), c.p(1).str()));
}
void parse_fchdir(parse_ctx& c) {
    if (c.i64(0) != 0 || !c.thr || !c.thr->fs || !c.out.fd) return;
    c.core.strings.assign(c.thr->fs->cwd, c.out.fd->name);
}
void parse_chroot(parse_ctx& c) {
    if (c.i64(0) != 0 || !c.thr || !c.thr->fs) return;
    string_interner& s = c.core.strings;
    s.assign(c.thr->fs->root, join_path(s.get(c.thr->fs->cwd), c.p(1).str()));
}
void parse_prctl(parse_ctx& c) {
    if (c.i64(0) < 0 || !c.thr || c.u32(1) != k_pr_set_name) return;
    c.core.strings.assign(c.thr->comm, c.p(2).str());
}
void parse_capset(parse_ctx& c) {
    if (c.i64(0) != 0 || !c.thr) return;
    c.thr->cap_inheritable = c.u64(1);
    c.thr->cap_permitted = c.u64(2);
    c.thr->cap_effective = c.u64(3);
}

// Memory figures the kernel reports after the event (the reference keeps them the same way):
// a context switch gives the page faults of the thread switched out and the memory of its
// process; brk, mmap and munmap give the memory of the calling thread's entry.
void parse_switch(parse_ctx& c) {
    if (!c.thr || c.p(4).len == 0) return;  // older switch events stop before the figures
    c.thr->pfmajor = c.u64(0);
    c.thr->pfminor = c.u64(1);
    thread_info* m = c.thr->is_main_thread() ? c.thr : c.core.threads.find(c.thr->pid);
    if (!m) return;
    m->vmsize_kb = c.u32(2);
    m->vmrss_kb = c.u32(3);
    m->vmswap_kb = c.u32(4);
}
void parse_memory_call(parse_ctx& c) {
    if (!c.thr) return;
    if (c.p(0).len != 0) c.thr->vmsize_kb = c.u32(0);
    if (c.p(2).len != 0) {
        c.thr->vmrss_kb = c.u32(1);
        c.thr->vmswap_kb = c.u32(2);
    }
}

}  // namespace

void register_process_parsers(parser_registry& r) {
    for (uint16_t t :
         {PPME_SYSCALL_CLONE_20_X, PPME_SYSCALL_FORK_20_X, PPME_SYSCALL_VFORK_20_X, PPME_SYSCALL_CLONE3_X}) {
        r.add(
            t, parse_clone,
            {"res",     "exe",       "args",      "tid",      "pid",     "ptid",     "cwd",
             "fdlimit", "comm",      "cgroups",   "flags",    "uid",     "gid",      "vtid",
             "vpid",    "?pgft_maj", "?pgft_min", "?vm_size", "?vm_rss", "?vm_swap", "?pidns_init_start_ts"});
    }
    for (uint16_t t : {PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_EXECVEAT_X}) {
        r.add(t, parse_execve,
              {"res",
               "exe",
               "args",
               "pid",
               "ptid",
               "cwd",
               "comm",
               "cgroups",
               "env",
               "trusted_exepath",
               "fdlimit",
               "tty",
               "vpgid",
               "pgid",
               "loginuid",
               "flags",
               "cap_inheritable",
               "cap_permitted",
               "cap_effective",
               "exe_ino",
               "uid",
               "gid",
               "filename",
               "?pgft_maj",
               "?pgft_min",
               "?vm_size",
               "?vm_rss",
               "?vm_swap",
               "?exe_ino_ctime",
               "?exe_ino_mtime"});
    }
    r.add(PPME_PROCEXIT_1_E, parse_procexit, {"?reaper_tid"});
    // Counters only: a context switch (a third of the events of a busy host) must not bump
    // event::thread_epoch, or nothing kept per thread and epoch survives from one event to the next.
    r.add_counters(PPME_SCHEDSWITCH_6_E, parse_switch,
                   {"?pgft_maj", "?pgft_min", "?vm_size", "?vm_rss", "?vm_swap"});
    for (uint16_t t :
         {PPME_SYSCALL_BRK_4_X, PPME_SYSCALL_MMAP_X, PPME_SYSCALL_MMAP2_X, PPME_SYSCALL_MUNMAP_X})
        r.add_counters(t, parse_memory_call, {"?vm_size", "?vm_rss", "?vm_swap"});
    r.add(PPME_SYSCALL_SETUID_X, parse_setuid, {"res", "uid"});
    r.add(PPME_SYSCALL_SETGID_X, parse_setgid, {"res", "gid"});
    r.add(PPME_SYSCALL_SETRESUID_X, parse_setresuid, {"res", "ruid", "euid"});
    r.add(PPME_SYSCALL_SETRESGID_X, parse_setresgid, {"res", "rgid", "egid"});
    r.add(PPME_SYSCALL_SETSID_X, parse_setsid, {"res"});
    r.add(PPME_SYSCALL_SETPGID_X, parse_setpgid, {"res", "pid", "pgid"});
    r.add(PPME_SYSCALL_CHDIR_X, parse_chdir, {"res", "path"});
    r.add(PPME_SYSCALL_FCHDIR_X, parse_fchdir, {"res", "fd"});
    r.add(PPME_SYSCALL_CHROOT_X, parse_chroot, {"res", "path"});
    r.add(PPME_SYSCALL_PRCTL_X, parse_prctl, {"res", "option", "arg2_str"});
    r.add(PPME_SYSCALL_CAPSET_X, parse_capset, {"res", "cap_inheritable", "cap_permitted", "cap_effective"});
}

}  // namespace sinsp
