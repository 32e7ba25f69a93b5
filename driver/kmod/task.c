/*
 * The current task's state as the schema wants it (ids, limits, memory, credentials, the
 * executable), files behind fds, and paths. Kernel C reads the structures directly: the probes
 * run with preemption disabled, which is an RCU read-side section, so the fd table, files,
 * dentries and mounts read here cannot be freed under us. Paths come from d_path itself.
 */
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/kdev_t.h>
#include <linux/kernfs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/uidgid.h>
#include <linux/version.h>

#include "kmod.h"

/* The file behind fd in the current task's table, or NULL. */
static struct file* fd_to_file(int64_t fd) {
    struct files_struct* files = current->files;
    struct fdtable* fdt;
    if (fd < 0 || !files) return NULL;
    fdt = rcu_dereference_raw(files->fdt);
    if (!fdt || (uint64_t)fd >= fdt->max_fds) return NULL;
    return rcu_dereference_raw(fdt->fd[fd]);
}

struct file* kmod_event_file(struct kmod_evt* e, int64_t fd) {
    if (e->file_fd == fd && fd >= 0) return e->file;
    e->file_fd = fd;
    e->file = fd_to_file(fd);
    return e->file;
}

uint64_t kmod_file_ino(struct file* f) {
    return f && f->f_inode ? f->f_inode->i_ino : 0;
}

uint32_t kmod_file_dev(struct file* f) {
    return f && f->f_inode && f->f_inode->i_sb ? new_encode_dev(f->f_inode->i_sb->s_dev) : 0;
}

/* vm_size / vm_rss / vm_swap in KiB, as /proc/PID/status shows them. */
uint64_t kmod_task_vm(struct task_struct* t, int which) {
    struct mm_struct* mm = t->mm;
    uint64_t pages;
    if (!mm) return 0;
    if (which == 0)
        pages = mm->total_vm;
    else if (which == 1)
        pages = get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES) +
                get_mm_counter(mm, MM_SHMEMPAGES);
    else
        pages = get_mm_counter(mm, MM_SWAPENTS);
    return pages << (PAGE_SHIFT - 10);
}

static uint32_t task_tty(struct task_struct* t) {
    struct tty_struct* tty = t->signal ? t->signal->tty : NULL;
    if (!tty || !tty->driver) return 0;
    return new_encode_dev(MKDEV(tty->driver->major, tty->driver->minor_start + tty->index));
}

/* A kernel_cap_t as 64 bits (one u64 since 6.3, two u32 before: the same bytes). */
static uint64_t caps64(const kernel_cap_t* c) {
    uint64_t v = 0;
    BUILD_BUG_ON(sizeof(*c) != sizeof(v));
    memcpy(&v, c, sizeof v);
    return v;
}

static struct file* task_exe_file(struct task_struct* t) {
    return t->mm ? rcu_dereference_raw(t->mm->exe_file) : NULL;
}

static uint64_t ts_ns(struct timespec64 ts) {
    return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static uint64_t exe_time(struct task_struct* t, int mtime) {
    struct file* f = task_exe_file(t);
    struct inode* ino = f ? f->f_inode : NULL;
    if (!ino) return 0;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
    return ts_ns(mtime ? inode_get_mtime(ino) : inode_get_ctime(ino));
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
    return ts_ns(mtime ? ino->i_mtime : inode_get_ctime(ino));
#else
    return ts_ns(mtime ? ino->i_mtime : ino->i_ctime);
#endif
}

/* Start time (epoch ns) of the init process of the task's pid namespace. */
static uint64_t pidns_start(struct kmod_evt* e, struct task_struct* t) {
    struct pid_namespace* ns = task_active_pid_ns(t);
    struct task_struct* reaper = ns ? READ_ONCE(ns->child_reaper) : NULL;
    return reaper ? reaper->start_boottime + e->ses->boot_to_epoch_ns : 0;
}

/* Whether the task could write its own executable (owner, primary group or other write bit, or
 * CAP_DAC_OVERRIDE; never on a read-only superblock or for an immutable inode). */
static bool exe_writable(struct task_struct* t, struct inode* ino) {
    const struct cred* c = rcu_dereference_raw(t->cred);
    uint32_t mode = ino->i_mode;
    if (sb_rdonly(ino->i_sb) || IS_IMMUTABLE(ino)) return false;
    if (uid_eq(c->fsuid, ino->i_uid)) return true;
    if (gid_eq(c->fsgid, ino->i_gid)) mode >>= 3;
    if (mode & 02) return true;
    return (caps64(&c->cap_effective) >> CAP_DAC_OVERRIDE) & 1;
}

#define KMOD_PPM_EXE_WRITABLE 0x1
#define KMOD_PPM_EXE_FROM_MEMFD 0x4

static uint64_t exe_flags(struct task_struct* t) {
    struct file* f = task_exe_file(t);
    struct dentry* d;
    uint64_t flags = 0;
    if (!f) return 0;
    if (f->f_inode && exe_writable(t, f->f_inode)) flags |= KMOD_PPM_EXE_WRITABLE;
    d = f->f_path.dentry;
    /* A memfd is an unlinked shmem file whose dentry is its own parent, named "memfd:...". */
    if (d && d->d_parent == d && strncmp((const char*)d->d_name.name, "memfd:", 6) == 0)
        flags |= KMOD_PPM_EXE_FROM_MEMFD;
    return flags;
}

uint64_t kmod_task_value(struct kmod_evt* e, struct task_struct* t, uint32_t kind) {
    const struct cred* c = rcu_dereference_raw(t->cred);
    switch (kind) {
        case MBPF_SRC_TASK_TID:
            return t->pid;
        case MBPF_SRC_TASK_PID:
            return t->tgid;
        case MBPF_SRC_TASK_PTID: {
            struct task_struct* parent = rcu_dereference_raw(t->real_parent);
            return parent ? parent->pid : 0;
        }
        case MBPF_SRC_TASK_VTID:
            return task_pid_vnr(t);
        case MBPF_SRC_TASK_VPID:
            return task_tgid_vnr(t);
        case MBPF_SRC_TASK_PGID:
            return pid_nr(task_pgrp(t));
        case MBPF_SRC_TASK_VPGID:
            return task_pgrp_vnr(t);
        case MBPF_SRC_TASK_FDLIMIT:
            return task_rlimit(t, RLIMIT_NOFILE);
        case MBPF_SRC_TASK_PGFT_MAJ:
            return t->maj_flt;
        case MBPF_SRC_TASK_PGFT_MIN:
            return t->min_flt;
        case MBPF_SRC_TASK_VM_SIZE:
            return kmod_task_vm(t, 0);
        case MBPF_SRC_TASK_VM_RSS:
            return kmod_task_vm(t, 1);
        case MBPF_SRC_TASK_VM_SWAP:
            return kmod_task_vm(t, 2);
        case MBPF_SRC_TASK_TTY:
            return task_tty(t);
        case MBPF_SRC_TASK_LOGINUID:
#ifdef CONFIG_AUDIT
            return __kuid_val(audit_get_loginuid(t));
#else
            return (uint32_t)-1;
#endif
        case MBPF_SRC_TASK_UID:
            return __kuid_val(c->euid);
        case MBPF_SRC_TASK_GID:
            return __kgid_val(c->egid);
        case MBPF_SRC_TASK_CAP_INH:
            return caps64(&c->cap_inheritable);
        case MBPF_SRC_TASK_CAP_PRM:
            return caps64(&c->cap_permitted);
        case MBPF_SRC_TASK_CAP_EFF:
            return caps64(&c->cap_effective);
        case MBPF_SRC_TASK_EXE_INO:
            return kmod_file_ino(task_exe_file(t));
        case MBPF_SRC_TASK_EXE_CTIME:
            return exe_time(t, 0);
        case MBPF_SRC_TASK_EXE_MTIME:
            return exe_time(t, 1);
        case MBPF_SRC_TASK_PIDNS_START:
            return pidns_start(e, t);
        case MBPF_SRC_TASK_EXE_FLAGS:
            return exe_flags(t);
    }
    return 0;
}

/* exe (which 0: first string of the argument area), args (1: the rest) or env (2). */
void kmod_push_task_area(struct kmod_evt* e, uint32_t i, int which) {
    struct mm_struct* mm = current->mm;
    uint64_t start, end;
    if (!mm) return kmod_push_empty(e, i);
    start = which == 2 ? mm->env_start : mm->arg_start;
    end = which == 2 ? mm->env_end : mm->arg_end;
    if (end <= start) return kmod_push_empty(e, i);
    if (which == 0) return kmod_push_user_str(e, i, start);
    if (which == 1) {
        long first = kmod_user_str(kmod_cursor(e), start, min_t(uint32_t, kmod_room(e), MBPF_MAX_STR));
        start += first > 0 ? first : 0;
        if (end <= start) return kmod_push_empty(e, i);
    }
    kmod_push_user_bytes(e, i, start, min_t(uint64_t, end - start, MBPF_MAX_ARGS_AREA));
}

/* d_path of p (from the current task's root, as d_path does), written at the cursor. */
void kmod_push_path(struct kmod_evt* e, uint32_t i, const struct path* p) {
    uint32_t room = min_t(uint32_t, kmod_room(e), MBPF_MAX_STR);
    char* buf = (char*)kmod_cursor(e);
    char* s;
    size_t n;
    if (!p->dentry || !p->mnt || room < 2) return kmod_push_empty(e, i);
    s = d_path(p, buf, room);
    if (IS_ERR(s)) return kmod_push_empty(e, i);
    /* d_path builds the path at the end of buf, NUL-terminated. */
    n = strlen(s) + 1;
    memmove(buf, s, n);
    kmod_param_done(e, i, (uint32_t)n);
}

/* The task's working directory (exe == 0) or the path of its executable. */
void kmod_push_task_path(struct kmod_evt* e, uint32_t i, int exe) {
    struct path p = {};
    if (exe) {
        struct file* f = task_exe_file(current);
        if (!f) return kmod_push_empty(e, i);
        p = f->f_path;
    } else {
        struct fs_struct* fs = current->fs;
        if (!fs) return kmod_push_empty(e, i);
        /* A copy without references: the walk stays inside this RCU section. */
        spin_lock(&fs->lock);
        p = fs->pwd;
        spin_unlock(&fs->lock);
    }
    kmod_push_path(e, i, &p);
}

/* "controller=path" for every controller attached to the task, NUL-separated, like
 * /proc/PID/cgroup (one entry per controller, v1 or v2). */
void kmod_push_cgroups(struct kmod_evt* e, uint32_t i) {
#ifdef CONFIG_CGROUPS
    struct css_set* cs = rcu_dereference_raw(current->cgroups);
    uint32_t total = 0, k;
    char* base = (char*)kmod_cursor(e);
    uint32_t room = min_t(uint32_t, kmod_room(e), 8 * MBPF_MAX_STR);
    if (!cs) return kmod_push_empty(e, i);
    for (k = 0; k < CGROUP_SUBSYS_COUNT; k++) {
        struct cgroup_subsys_state* css = cs->subsys[k];
        size_t name_len;
        int n;
        if (!css || !css->ss || !css->cgroup || !css->cgroup->kn) continue;
        name_len = strlen(css->ss->name);
        if (total + name_len + 2 >= room) break;
        memcpy(base + total, css->ss->name, name_len);
        base[total + name_len] = '=';
        n = kernfs_path_from_node(css->cgroup->kn, NULL, base + total + name_len + 1,
                                  room - total - name_len - 1);
        if (n < 0 || total + name_len + 1 + n + 1 > room) break;
        total += name_len + 1 + n + 1;
    }
    kmod_param_done(e, i, total);
#else
    kmod_push_empty(e, i);
#endif
}
