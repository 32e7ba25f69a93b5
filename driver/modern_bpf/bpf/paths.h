/*
 * Paths the kernel only keeps as dentry / kernfs chains: the working directory, the executable,
 * the cgroup of each controller. bpf_d_path is not callable from tracepoints, so the chains are
 * walked here, a bounded number of components, leaf first: the names are written right to left
 * into a per-CPU area and then copied into the event in one piece.
 */
#ifndef MBPF_PATHS_H
#define MBPF_PATHS_H

#include "event.h"
#include "task.h"

/* Components looked at per path: deeper paths come out with their top cut off (they still end
 * with the right leaf, which matters most to a reader). */
#define MBPF_PATH_DEPTH 48
#define MBPF_NAME_MAX 255u
#define MBPF_PATH_AREA MBPF_MAX_STR /* one path, NUL excluded, is shorter than this */
#define MBPF_PATH_MASK (MBPF_PATH_AREA - 1)

struct mbpf_path_tmp {
    /* Walk positions live here, not in the bpf_loop context on the stack: the verifier tracks
     * stack scalars exactly and would re-verify the callback for every distinct position,
     * while a value loaded from a map is just "some number" and the states converge. */
    uint32_t pos;   /* start of the path being built in buf (built right to left) */
    uint32_t total; /* cgroups: bytes of the parameter written so far */
    /* Positions are masked with MBPF_PATH_MASK and names are at most MBPF_NAME_MAX + 1 bytes,
     * so the second half only exists to make every write provably in bounds. */
    uint8_t buf[2 * MBPF_PATH_AREA];
};
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, uint32_t);
    __type(value, struct mbpf_path_tmp);
} path_tmp SEC(".maps");

/* Kernels before 6.15 call kernfs_node's parent `parent`. */
struct kernfs_node___old {
    struct kernfs_node* parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node* kn_parent(struct kernfs_node* kn) {
#ifdef MBPF_LEGACY
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
    return BPF_CORE_READ(kn, __parent);
#else
    return BPF_CORE_READ(kn, parent);
#endif
#else
    if (bpf_core_field_exists(kn->__parent)) return BPF_CORE_READ(kn, __parent);
    return BPF_CORE_READ((struct kernfs_node___old*)kn, parent);
#endif
}

static __always_inline struct mount* real_mount(struct vfsmount* m) {
    return (struct mount*)((uint8_t*)m - bpf_core_field_offset(struct mount, mnt));
}

/* Prepends "/name" (len bytes of kernel memory) before position *pos; 0 when it does not fit. */
static __always_inline int prepend_name(struct mbpf_path_tmp* t, uint32_t* pos, const void* name,
                                        uint32_t len) {
    if (len > MBPF_NAME_MAX) len = MBPF_NAME_MAX;
    if (*pos < len + 1) return 0;
    uint32_t p = *pos - len - 1;
    t->buf[p & MBPF_PATH_MASK] = '/';
    if (len && bpf_probe_read_kernel(&t->buf[(p + 1) & MBPF_PATH_MASK], MBPF_MASK(len, MBPF_NAME_MAX), name))
        return 0;
    *pos = p;
    return 1;
}

/* Copies the path built at [pos, MBPF_PATH_AREA) of `t` (plus a NUL) to the event cursor
 * `at` bytes past s->off; returns the bytes written. An empty walk is the root, "/". */
static __always_inline uint32_t emit_walked(struct mbpf_scratch* s, uint32_t at, struct mbpf_path_tmp* t,
                                            uint32_t pos) {
    if (pos >= MBPF_PATH_AREA) {
        pos = MBPF_PATH_AREA - 1;
        t->buf[pos] = '/';
    }
    uint32_t n = MBPF_PATH_AREA - pos;
    if (s->off + at + n + 1 > MBPF_SCRATCH_HALF) return 0;
    uint8_t* dst = &s->buf[(s->off + at) & MBPF_OFF_MASK];
    if (bpf_probe_read_kernel(dst, MBPF_MASK(n, 2 * MBPF_PATH_AREA - 1), &t->buf[pos & MBPF_PATH_MASK]))
        return 0;
    s->buf[(s->off + at + n) & MBPF_OFF_MASK] = 0;
    return n + 1;
}

struct dentry_walk {
    struct vfsmount* vmnt;
    struct mount* mnt;
    struct dentry* d;
    struct vfsmount* root_mnt;
    struct dentry* root_d;
};

/* One step up the dentry chain (a bpf_loop callback: the verifier checks it once, not once per
 * component). Returns 1 to stop. */
static long dentry_step(uint32_t k, void* vctx) {
    struct dentry_walk* w = vctx;
    uint32_t zero = 0;
    struct mbpf_path_tmp* t = bpf_map_lookup_elem(&path_tmp, &zero);
    if (!t) return 1;
    /* Locals, not w->...: CO-RE reads must start from a kernel pointer, not a field of ours. */
    struct dentry* d = w->d;
    struct vfsmount* vmnt = w->vmnt;
    struct mount* mnt = w->mnt;
    if (d == w->root_d && vmnt == w->root_mnt) return 1;
    if (d == BPF_CORE_READ(vmnt, mnt_root)) {
        /* Top of this mount: continue from where it is mounted in the parent mount. */
        struct mount* parent = BPF_CORE_READ(mnt, mnt_parent);
        if (!parent || parent == mnt) return 1;
        w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
        w->mnt = parent;
        w->vmnt = __builtin_preserve_access_index(&parent->mnt);
        return 0;
    }
    struct dentry* parent = BPF_CORE_READ(d, d_parent);
    if (!parent || parent == d) return 1;
    if (!prepend_name(t, &t->pos, BPF_CORE_READ(d, d_name.name), BPF_CORE_READ(d, d_name.len))) return 1;
    w->d = parent;
    return 0;
}

/* Writes parameter i: the path of (vmnt, d) as seen from the current task's root. */
static __noinline void push_walked_path(struct mbpf_scratch* s, uint32_t i, struct vfsmount* vmnt,
                                        struct dentry* d) {
    uint32_t zero = 0;
    struct mbpf_path_tmp* t = bpf_map_lookup_elem(&path_tmp, &zero);
    struct task_struct* task = (struct task_struct*)bpf_get_current_task_btf();
    struct dentry_walk w = {
        .vmnt = vmnt,
        .d = d,
        .root_mnt = BPF_CORE_READ(task, fs, root.mnt),
        .root_d = BPF_CORE_READ(task, fs, root.dentry),
    };
    if (!t || !w.vmnt || !w.d) return push_empty(s, i);
    w.mnt = real_mount(w.vmnt);
    t->pos = MBPF_PATH_AREA;
    bpf_loop(MBPF_PATH_DEPTH, dentry_step, &w, 0);
    param_done(s, i, emit_walked(s, 0, t, t->pos));
}

/* Writes parameter i: the task's working directory (exe == 0) or the path of its executable. */
static __always_inline void push_task_path(struct mbpf_scratch* s, uint32_t i, int exe) {
    struct task_struct* task = (struct task_struct*)bpf_get_current_task_btf();
    if (exe) {
        struct file* f = BPF_CORE_READ(task, mm, exe_file);
        if (!f) return push_empty(s, i);
        return push_walked_path(s, i, BPF_CORE_READ(f, f_path.mnt), BPF_CORE_READ(f, f_path.dentry));
    }
    push_walked_path(s, i, BPF_CORE_READ(task, fs, pwd.mnt), BPF_CORE_READ(task, fs, pwd.dentry));
}

/* Writes parameter i: the path of an open file. */
static __always_inline void push_file_path(struct mbpf_scratch* s, uint32_t i, struct file* f) {
    if (!f) return push_empty(s, i);
    push_walked_path(s, i, BPF_CORE_READ(f, f_path.mnt), BPF_CORE_READ(f, f_path.dentry));
}

struct kn_walk {
    struct kernfs_node* kn;
};

/* One step up a kernfs chain (bpf_loop callback). kernfs names are NUL-terminated, not
 * counted: each is read into the spare half of the area first. */
static long kn_step(uint32_t k, void* vctx) {
    struct kn_walk* w = vctx;
    uint32_t zero = 0;
    struct mbpf_path_tmp* t = bpf_map_lookup_elem(&path_tmp, &zero);
    struct kernfs_node* kn = w->kn;
    if (!t || !kn) return 1;
    struct kernfs_node* parent = kn_parent(kn);
    if (!parent) return 1; /* the hierarchy's root has no name of its own */
    long n = bpf_probe_read_kernel_str(&t->buf[MBPF_PATH_AREA], MBPF_NAME_MAX + 1, BPF_CORE_READ(kn, name));
    if (n <= 1) return 1;
    if (!prepend_name(t, &t->pos, &t->buf[MBPF_PATH_AREA], (uint32_t)n - 1)) return 1;
    w->kn = parent;
    return 0;
}

struct cg_walk {
    struct css_set* cs;
    uint32_t nsub;
};

/* One controller's "name=path\0", appended at s->off + total (bpf_loop callback). */
static long cg_step(uint32_t k, void* vctx) {
    struct cg_walk* w = vctx;
    uint32_t zero = 0;
    struct mbpf_scratch* s = scratch_get();
    struct mbpf_path_tmp* t = bpf_map_lookup_elem(&path_tmp, &zero);
    if (!s || !t || k >= w->nsub) return 1;
    struct css_set* cs = w->cs;
    struct cgroup_subsys_state* css = 0;
    bpf_probe_read_kernel(&css, sizeof css,
                          (uint8_t*)cs + bpf_core_field_offset(struct css_set, subsys) + k * sizeof(void*));
    if (!css) return 0;
    uint32_t total = t->total;
    if (s->off + total + 64 > MBPF_SCRATCH_HALF) return 1;
    long n = bpf_probe_read_kernel_str(&s->buf[(s->off + total) & MBPF_OFF_MASK], 32,
                                       BPF_CORE_READ(css, ss, name));
    if (n <= 1) return 0;
    s->buf[(s->off + total + n - 1) & MBPF_OFF_MASK] = '=';
    struct kn_walk kw = {.kn = BPF_CORE_READ(css, cgroup, kn)};
    t->pos = MBPF_PATH_AREA;
    bpf_loop(MBPF_PATH_DEPTH, kn_step, &kw, 0);
    uint32_t written = emit_walked(s, total + (uint32_t)n, t, t->pos);
    if (!written) return 1;
    t->total = total + (uint32_t)n + written;
    return 0;
}

/* "controller=path" for every controller attached to the task, NUL-separated, like
 * /proc/PID/cgroup says it (one entry per controller, v1 or v2). */
static __noinline void push_task_cgroups(struct mbpf_scratch* s, uint32_t i) {
    struct task_struct* task = (struct task_struct*)bpf_get_current_task_btf();
    struct css_set* cs = BPF_CORE_READ(task, cgroups);
    if (!cs) return push_empty(s, i);
    uint32_t zero = 0;
    struct mbpf_path_tmp* t = bpf_map_lookup_elem(&path_tmp, &zero);
    if (!t) return push_empty(s, i);
    t->total = 0;
    struct cg_walk w = {.cs = cs, .nsub = bpf_core_field_size(cs->subsys) / sizeof(void*)};
    bpf_loop(16, cg_step, &w, 0);
    param_done(s, i, t->total);
}

#define MBPF_SB_RDONLY 1
#define MBPF_S_IMMUTABLE (1u << 3)
#define MBPF_CAP_DAC_OVERRIDE 1
#define MBPF_PPM_EXE_WRITABLE 0x1
#define MBPF_PPM_EXE_FROM_MEMFD 0x4

/* Whether the task could write its own executable: owner, group (primary only) or other write
 * bit, or CAP_DAC_OVERRIDE; never on a read-only mount or for an immutable file. An
 * approximation of the kernel's permission check (no ACLs, no supplementary groups). */
static __always_inline int exe_writable(struct task_struct* task, struct inode* ino) {
    if (BPF_CORE_READ(ino, i_sb, s_flags) & MBPF_SB_RDONLY) return 0;
    if (BPF_CORE_READ(ino, i_flags) & MBPF_S_IMMUTABLE) return 0;
    uint32_t mode = BPF_CORE_READ(ino, i_mode);
    uint32_t fsuid = BPF_CORE_READ(task, cred, fsuid.val), fsgid = BPF_CORE_READ(task, cred, fsgid.val);
    if (fsuid == BPF_CORE_READ(ino, i_uid.val)) return 1; /* the owner may always chmod it writable */
    if (fsgid == BPF_CORE_READ(ino, i_gid.val)) mode >>= 3;
    if (mode & 02) return 1;
    return (task_caps(task, 2) >> MBPF_CAP_DAC_OVERRIDE) & 1;
}

/* A memfd is an unlinked shmem file whose dentry is its own parent, named "memfd:<name>". */
static __always_inline int exe_from_memfd(struct file* f) {
    struct dentry* d = BPF_CORE_READ(f, f_path.dentry);
    if (!d || BPF_CORE_READ(d, d_parent) != d) return 0;
    char pfx[7] = {};
    if (bpf_probe_read_kernel_str(pfx, sizeof pfx, BPF_CORE_READ(d, d_name.name)) != sizeof pfx) return 0;
    return pfx[0] == 'm' && pfx[1] == 'e' && pfx[2] == 'm' && pfx[3] == 'f' && pfx[4] == 'd' && pfx[5] == ':';
}

/* execve's PPM_EXE_* flags (overlayfs layers not detected yet). */
static __always_inline uint64_t task_exe_flags(struct task_struct* task) {
    struct file* exe = BPF_CORE_READ(task, mm, exe_file);
    if (!exe) return 0;
    uint64_t f = 0;
    struct inode* ino = BPF_CORE_READ(exe, f_inode);
    if (ino && exe_writable(task, ino)) f |= MBPF_PPM_EXE_WRITABLE;
    if (exe_from_memfd(exe)) f |= MBPF_PPM_EXE_FROM_MEMFD;
    return f;
}

#endif /* MBPF_PATHS_H */
