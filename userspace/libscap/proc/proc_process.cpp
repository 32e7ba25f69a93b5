#include "proc/proc_process.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>

#include "proc/proc_parse.h"

namespace scap::proc {

namespace {

constexpr uint64_t k_pf_kthread = 0x00200000;  // PF_KTHREAD in the stat flags field
// PPM_CL_* clone flags. Threads found in /proc were almost surely made by pthread_create,
// which shares the fd table; the state layer relies on these to share it too.
constexpr uint32_t k_clone_files = 0x1;
constexpr uint32_t k_clone_thread = 0x2000;

uint64_t timespec_ns(const struct timespec& ts) {
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void note(process_scan& scan, io_result r) {
    if (r == io_result::denied) ++scan.summary.permission_denied;
}

// Reads an optional file; returns true with its text in scan.buf.
bool read_optional(process_scan& scan, int dir, const char* name) {
    const io_result r = scan.buf.read_at(dir, name);
    note(scan, r);
    return r == io_result::ok;
}

// Like exe_writable in the reference, but from the file's mode rather than by switching our
// credentials to the process's: the owner (or root) may always chmod it, and group/other write
// bits count for matching ids. Supplementary groups and ACLs are not considered.
bool writable_by(const struct stat& st, uint32_t uid, uint32_t gid) {
    if (uid == 0 || st.st_uid == uid) return true;
    if (st.st_gid == gid && (st.st_mode & S_IWGRP)) return true;
    return (st.st_mode & S_IWOTH) != 0;
}

void read_process_wide(process_scan& scan, int dir, process_info& p) {
    if (read_optional(scan, dir, "cmdline")) split_cmdline(scan.buf.view(), p.exe, p.args);
    if (scan.opts.read_env && read_optional(scan, dir, "environ")) assign_nul_list(scan.buf.view(), p.env);
    note(scan, readlink_at(dir, "exe", p.exepath));
    note(scan, readlink_at(dir, "cwd", p.cwd));
    note(scan, readlink_at(dir, "root", p.root));
    // prlimit needs our uid to match the process's (or CAP_SYS_RESOURCE): others fall back to
    // the file, which anyone may read. The soft limit is what the file's first column shows.
    struct rlimit lim;
    if (scan.pids_are_ours && ::prlimit(static_cast<pid_t>(p.tid), RLIMIT_NOFILE, nullptr, &lim) == 0)
        p.fdlimit = lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(lim.rlim_cur);
    else if (read_optional(scan, dir, "limits") && !parse_nofile_limit(scan.buf.view(), p.fdlimit))
        ++scan.summary.malformed;
    if (read_optional(scan, dir, "loginuid")) {
        std::string_view v = scan.buf.view();
        uint64_t u = 0;
        if (take_u64(v, 10, u))
            p.loginuid = static_cast<uint32_t>(u);
        else
            ++scan.summary.malformed;
    }
    if (read_optional(scan, dir, "cgroup"))
        scan.summary.malformed += parse_cgroup(scan.buf.view(), scan.v2_controllers, p.cgroups);
    // stat() through the exe link reaches the file even inside another mount namespace.
    struct stat st;
    if (!p.exepath.empty() && ::fstatat(dir, "exe", &st, 0) == 0) {
        p.exe_ino = st.st_ino;
        p.exe_ino_ctime = timespec_ns(st.st_ctim);
        p.exe_ino_mtime = timespec_ns(st.st_mtim);
        p.exe_writable = writable_by(st, p.uid, p.gid);
    }
    p.exe_from_memfd = p.exepath.compare(0, 7, "/memfd:") == 0;
}

void copy_process_wide(const process_info& m, process_info& p) {
    p.exe = m.exe;
    p.exepath = m.exepath;
    p.args = m.args;
    p.env = m.env;
    p.cwd = m.cwd;
    p.root = m.root;
    p.fdlimit = m.fdlimit;
    p.loginuid = m.loginuid;
    p.cgroups = m.cgroups;
    p.exe_ino = m.exe_ino;
    p.exe_ino_ctime = m.exe_ino_ctime;
    p.exe_ino_mtime = m.exe_ino_mtime;
    p.exe_writable = m.exe_writable;
    p.exe_from_memfd = m.exe_from_memfd;
}

}  // namespace

task_outcome read_task(process_scan& scan, int dir, uint64_t tid, const process_info* main, process_info& p,
                       task_facts& facts) {
    facts = task_facts{};
    io_result r = scan.buf.read_at(dir, "stat");
    if (r == io_result::gone) return task_outcome::gone;
    if (r != io_result::ok) {
        note(scan, r);
        return task_outcome::malformed;
    }
    stat_fields st;
    if (!parse_stat(scan.buf.view(), st)) {
        ++scan.summary.malformed;
        return task_outcome::malformed;
    }
    if (!st.complete) ++scan.summary.malformed;  // keep what the truncated line gave
    if (st.kflags & k_pf_kthread) return task_outcome::kernel_thread;
    p.tid = tid;
    p.comm.assign(st.comm);
    p.sid = st.sid;
    p.pgid = st.pgid;
    p.tty = st.tty;
    p.pfminor = st.minflt;
    p.pfmajor = st.majflt;
    if (st.complete && scan.ticks_per_sec)
        p.clone_ts = scan.boot_ns + st.starttime * 1000000000ull / scan.ticks_per_sec;

    r = scan.buf.read_at(dir, "status");
    if (r == io_result::gone) return task_outcome::gone;
    status_fields ss;
    if (r == io_result::ok) {
        scan.summary.malformed += parse_status(scan.buf.view(), ss);
    } else {
        note(scan, r);
        ++scan.summary.malformed;
    }
    // status is the only place with the thread group id; without it a task can only be
    // taken for its own process.
    p.pid = ss.tgid >= 0 ? static_cast<uint64_t>(ss.tgid) : (main ? main->pid : tid);
    // For a thread the kernel reports the parent of its process, not the thread that made it;
    // that is also what the capture format stores. stat's ppid is the same value.
    const int64_t ppid = ss.ppid >= 0 ? ss.ppid : st.ppid;
    p.ptid = ppid >= 0 ? static_cast<uint64_t>(ppid) : 0;
    p.uid = ss.euid >= 0 ? static_cast<uint32_t>(ss.euid) : UINT32_MAX;
    p.gid = ss.egid >= 0 ? static_cast<uint32_t>(ss.egid) : UINT32_MAX;
    p.vtid = ss.vtid >= 0 ? ss.vtid : static_cast<int64_t>(p.tid);
    p.vpid = ss.vpid >= 0 ? ss.vpid : static_cast<int64_t>(p.pid);
    p.vpgid = ss.vpgid >= 0 ? ss.vpgid : p.pgid;
    p.vmsize_kb = ss.vmsize_kb;
    p.vmrss_kb = ss.vmrss_kb;
    p.vmswap_kb = ss.vmswap_kb;
    p.cap_inheritable = ss.cap_inh;
    p.cap_permitted = ss.cap_prm;
    p.cap_effective = ss.cap_eff;
    p.flags = p.tid == p.pid ? 0 : (k_clone_thread | k_clone_files);
    facts.threads = ss.threads;

    if (main) {
        copy_process_wide(*main, p);
        return task_outcome::listed;  // threads share their process's pid namespace
    }
    read_process_wide(scan, dir, p);
    // NSpid lists ids from procfs's own pid namespace inward: one entry means the process
    // lives in that namespace, which needs no inode (and pid 1 often hides its ns link).
    struct stat ns;
    if (ss.root_pidns)
        facts.pidns_ino = k_procfs_pidns;
    else if (::fstatat(dir, "ns/pid", &ns, 0) == 0)
        facts.pidns_ino = ns.st_ino;
    return task_outcome::listed;
}

}  // namespace scap::proc
