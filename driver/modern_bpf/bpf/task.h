/*
 * Reading the current task's state with CO-RE: ids (global and namespaced), limits, memory
 * figures, credentials, the executable's inode. Each reader returns a plain value so the
 * table-driven filler can store it with the schema's width.
 */
#ifndef MBPF_TASK_H
#define MBPF_TASK_H

#include "common.h"

#define MBPF_RLIMIT_NOFILE 7
#define MBPF_PAGE_SHIFT 12

/* The kernel's new_encode_dev(): the dev_t layout userspace (stat) uses. */
static __always_inline uint32_t encode_dev(uint32_t kdev) {
    uint32_t major = kdev >> 20, minor = kdev & ((1u << 20) - 1);
    return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* Number of `pid` in the namespace it was created in (what the task itself sees). */
static __always_inline int64_t pid_nr_in_own_ns(struct pid* pid) {
    if (!pid) return 0;
    uint32_t level = BPF_CORE_READ(pid, level);
    struct upid up = {};
    uint64_t off =
        bpf_core_field_offset(struct pid, numbers) + (uint64_t)(level & 31) * bpf_core_type_size(struct upid);
    bpf_probe_read_kernel(&up, sizeof up, (uint8_t*)pid + off);
    return up.nr;
}

static __always_inline int64_t pid_nr_global(struct pid* pid) {
    if (!pid) return 0;
    return BPF_CORE_READ(pid, numbers[0].nr);
}

static __always_inline struct pid* task_pgrp(struct task_struct* t) {
    return BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]);
}

static __always_inline uint64_t task_fdlimit(struct task_struct* t) {
    return BPF_CORE_READ(t, signal, rlim[MBPF_RLIMIT_NOFILE].rlim_cur);
}

/* Kernels before 6.2 keep the RSS counters as atomics in one struct mm_rss_stat; later ones as an
 * array of percpu_counter (whose `count` is the folded total, what /proc shows). */
struct mm_rss_stat___old {
    atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
    struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline uint64_t mm_counter_pages(struct mm_struct* mm, int i) {
    int64_t v;
#ifdef MBPF_LEGACY
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
    v = BPF_CORE_READ(mm, rss_stat.count[i & 3].counter);
#else
    v = BPF_CORE_READ(mm, rss_stat[i & 3].count);
#endif
#else
    if (bpf_core_type_exists(struct mm_rss_stat___old))
        v = BPF_CORE_READ((struct mm_struct___old*)mm, rss_stat.count[i & 3].counter);
    else
        v = BPF_CORE_READ(mm, rss_stat[i].count);
#endif
    return v > 0 ? (uint64_t)v : 0;
}

/* vm_size / vm_rss / vm_swap in KiB, as /proc/PID/status shows them. */
static __always_inline uint64_t task_vm(struct task_struct* t, int which) {
    struct mm_struct* mm = BPF_CORE_READ(t, mm);
    if (!mm) return 0;
    uint64_t pages;
    if (which == 0)
        pages = BPF_CORE_READ(mm, total_vm);
    else if (which == 1)
        pages = mm_counter_pages(mm, MM_FILEPAGES) + mm_counter_pages(mm, MM_ANONPAGES) +
                mm_counter_pages(mm, MM_SHMEMPAGES);
    else
        pages = mm_counter_pages(mm, MM_SWAPENTS);
    return pages << (MBPF_PAGE_SHIFT - 10);
}

static __always_inline uint32_t task_tty(struct task_struct* t) {
    struct tty_struct* tty = BPF_CORE_READ(t, signal, tty);
    if (!tty) return 0;
    uint32_t major = BPF_CORE_READ(tty, driver, major);
    uint32_t minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
    return encode_dev((major << 20) | minor);
}

/* A kernel_cap_t as 64 bits (one u64 since 6.3, two u32 before: same bytes). */
static __always_inline uint64_t read_caps(const void* field) {
    uint64_t v = 0;
    bpf_probe_read_kernel(&v, sizeof v, field);
    return v;
}

static __always_inline uint64_t task_caps(struct task_struct* t, int which) {
    const struct cred* c = BPF_CORE_READ(t, cred);
    if (!c) return 0;
    if (which == 0) return read_caps(__builtin_preserve_access_index(&c->cap_inheritable));
    if (which == 1) return read_caps(__builtin_preserve_access_index(&c->cap_permitted));
    return read_caps(__builtin_preserve_access_index(&c->cap_effective));
}

static __always_inline struct inode* task_exe_inode(struct task_struct* t) {
    return BPF_CORE_READ(t, mm, exe_file, f_inode);
}

/* The inode's ctime and mtime moved three times: timespec64 i_ctime/i_mtime (before 6.6),
 * __i_ctime with i_mtime (6.6), __i_ctime/__i_mtime (6.7-6.10), then split seconds and nanoseconds
 * i_ctime_sec/i_ctime_nsec (6.11 on). One flavor per layout; CO-RE keeps the one this kernel has. */
struct inode___pre66 {
    struct timespec64 i_ctime;
    struct timespec64 i_mtime;
} __attribute__((preserve_access_index));
struct inode___v66 {
    struct timespec64 __i_ctime;
    struct timespec64 i_mtime;
} __attribute__((preserve_access_index));
struct inode___v67 {
    struct timespec64 __i_ctime;
    struct timespec64 __i_mtime;
} __attribute__((preserve_access_index));

static __always_inline uint64_t timespec_ns(struct timespec64 ts) {
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ctime (which == 0) or mtime of the executable, ns since the epoch; 0 when the layout is unknown. */
static __always_inline uint64_t task_exe_time(struct task_struct* t, int which) {
    struct inode* ino = task_exe_inode(t);
    if (!ino) return 0;
#ifdef MBPF_LEGACY
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
    if (which == 0)
        return (uint64_t)BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ull + BPF_CORE_READ(ino, i_ctime_nsec);
    return (uint64_t)BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ull + BPF_CORE_READ(ino, i_mtime_nsec);
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
    return timespec_ns(which == 0 ? BPF_CORE_READ(ino, __i_ctime) : BPF_CORE_READ(ino, __i_mtime));
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
    return timespec_ns(which == 0 ? BPF_CORE_READ(ino, __i_ctime) : BPF_CORE_READ(ino, i_mtime));
#else
    return timespec_ns(which == 0 ? BPF_CORE_READ(ino, i_ctime) : BPF_CORE_READ(ino, i_mtime));
#endif
#else
    if (bpf_core_field_exists(ino->i_ctime_sec)) {
        if (which == 0)
            return (uint64_t)BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ull +
                   BPF_CORE_READ(ino, i_ctime_nsec);
        return (uint64_t)BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ull + BPF_CORE_READ(ino, i_mtime_nsec);
    }
    if (bpf_core_field_exists(((struct inode___v67*)ino)->__i_mtime)) {
        struct inode___v67* i = (struct inode___v67*)ino;
        return timespec_ns(which == 0 ? BPF_CORE_READ(i, __i_ctime) : BPF_CORE_READ(i, __i_mtime));
    }
    if (bpf_core_field_exists(((struct inode___v66*)ino)->__i_ctime)) {
        struct inode___v66* i = (struct inode___v66*)ino;
        return timespec_ns(which == 0 ? BPF_CORE_READ(i, __i_ctime) : BPF_CORE_READ(i, i_mtime));
    }
    if (bpf_core_field_exists(((struct inode___pre66*)ino)->i_ctime)) {
        struct inode___pre66* i = (struct inode___pre66*)ino;
        return timespec_ns(which == 0 ? BPF_CORE_READ(i, i_ctime) : BPF_CORE_READ(i, i_mtime));
    }
    return 0;
#endif
}

/* Start time (epoch ns) of the init process of the task's pid namespace. */
static __always_inline uint64_t task_pidns_start(struct task_struct* t) {
    struct pid* pid = BPF_CORE_READ(t, thread_pid);
    if (!pid) return 0;
    uint32_t level = BPF_CORE_READ(pid, level);
    struct upid up = {};
    uint64_t off =
        bpf_core_field_offset(struct pid, numbers) + (uint64_t)(level & 31) * bpf_core_type_size(struct upid);
    bpf_probe_read_kernel(&up, sizeof up, (uint8_t*)pid + off);
    if (!up.ns) return 0;
    struct task_struct* reaper = BPF_CORE_READ(up.ns, child_reaper);
    if (!reaper) return 0;
    return BPF_CORE_READ(reaper, start_boottime) + boot_to_epoch_ns;
}

#endif /* MBPF_TASK_H */
