/* From a file descriptor of the current task to its struct file, and what the schema wants of it. */
#ifndef MBPF_FILES_H
#define MBPF_FILES_H

#include "task.h"

/* The struct file behind fd in the current task's table, or 0. The walk down to the table is
 * made of direct loads from the trusted task pointer (no helper call each): only the slot,
 * an index into an array of pointers, needs a probe read. */
static __always_inline struct file* fd_to_file(int64_t fd) {
    if (fd < 0) return 0;
    struct task_struct* t = (struct task_struct*)bpf_get_current_task_btf();
#ifdef MBPF_LEGACY
    /* No BTF, no trusted pointers: every step is a probe read. */
    struct fdtable* fdt = BPF_CORE_READ(t, files, fdt);
    if (!fdt) return 0;
    if ((uint64_t)fd >= BPF_CORE_READ(fdt, max_fds)) return 0;
    struct file** fds = BPF_CORE_READ(fdt, fd);
#else
    struct files_struct* files = t->files;
    if (!files) return 0;
    struct fdtable* fdt = files->fdt;
    if (!fdt) return 0;
    if ((uint64_t)fd >= fdt->max_fds) return 0;
    struct file** fds = fdt->fd;
#endif
    struct file* f = 0;
    bpf_probe_read_kernel(&f, sizeof f, &fds[fd]);
    return f;
}

/* fd_to_file, remembered for the event being built: open's dev, inode and "created" flag ask
 * for the same file three times. */
static __always_inline struct file* event_file(struct mbpf_scratch* s, int64_t fd) {
    if (s->file_fd == fd && fd >= 0) return s->file;
    struct file* f = fd_to_file(fd);
    s->file_fd = fd;
    s->file = f;
    return f;
}

static __always_inline uint64_t file_ino(struct file* f) {
    return f ? BPF_CORE_READ(f, f_inode, i_ino) : 0;
}

static __always_inline uint32_t file_dev(struct file* f) {
    return f ? encode_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev)) : 0;
}

#define MBPF_FMODE_CREATED (1u << 20)

#ifdef MBPF_LEGACY
/* The legacy probe reads each value on its own (its filler programs are split by source
 * family, and their verification budget is tight). */
static __always_inline uint32_t event_file_dev(struct mbpf_scratch* s, int64_t fd) {
    return file_dev(event_file(s, fd));
}
static __always_inline uint64_t event_file_ino(struct mbpf_scratch* s, int64_t fd) {
    return file_ino(event_file(s, fd));
}
static __always_inline int event_file_created(struct mbpf_scratch* s, int64_t fd) {
    struct file* f = event_file(s, fd);
    return f && (BPF_CORE_READ(f, f_mode) & MBPF_FMODE_CREATED);
}
#else
/* Bytes one probe read covers to fetch two fields of a structure together. */
#define MBPF_PAIR_WINDOW 64u

/*
 * Two fields of the kernel object at `p`, the first `a_size` (4 or 8) bytes at offset `a_off`,
 * the second 8 bytes at `b_off`, with one probe read when they lie within MBPF_PAIR_WINDOW
 * bytes of each other (the offsets are CO-RE relocated constants: the verifier sees which
 * branch is taken). The window starts 8-aligned: stack loads must be aligned.
 */
static __always_inline int read_field_pair(const void* p, uint32_t a_off, uint32_t a_size, uint32_t b_off,
                                           uint64_t* a, uint64_t* b) {
    uint32_t lo = (a_off < b_off ? a_off : b_off) & ~7u;
    uint32_t hi = a_off + a_size > b_off + 8 ? a_off + a_size : b_off + 8;
    if (hi - lo > MBPF_PAIR_WINDOW) {
        *a = 0;
        if (bpf_probe_read_kernel(a, a_size == 4 ? 4 : 8, (const uint8_t*)p + a_off)) return -1;
        return bpf_probe_read_kernel(b, 8, (const uint8_t*)p + b_off) ? -1 : 0;
    }
    uint64_t w[MBPF_PAIR_WINDOW / 8] = {};
    if (bpf_probe_read_kernel(w, hi - lo, (const uint8_t*)p + lo)) return -1;
    const uint8_t* at = (const uint8_t*)w;
    *a = a_size == 4 ? *(const uint32_t*)(at + (a_off - lo)) : *(const uint64_t*)(at + (a_off - lo));
    *b = *(const uint64_t*)(at + (b_off - lo));
    return 0;
}

/* The facts the schema wants of an open file: its device (encoded), inode number and f_mode. */
struct mbpf_file_facts {
    uint64_t ino;
    uint32_t dev;
    uint32_t mode;
};

/* Reads them in three probe reads (file: f_mode and f_inode; inode: i_sb and i_ino; s_dev) where
 * the separate chains took six. Unreadable parts are left 0. */
static __always_inline void read_file_facts(struct file* f, struct mbpf_file_facts* out) {
    out->ino = 0;
    out->dev = 0;
    out->mode = 0;
    uint64_t mode = 0, inode = 0, sb = 0, ino = 0;
    if (!f || read_field_pair(f, bpf_core_field_offset(struct file, f_mode),
                              bpf_core_field_size(struct file, f_mode),
                              bpf_core_field_offset(struct file, f_inode), &mode, &inode))
        return;
    out->mode = (uint32_t)mode;
    if (!inode || read_field_pair((const void*)inode, bpf_core_field_offset(struct inode, i_ino),
                                  bpf_core_field_size(struct inode, i_ino),
                                  bpf_core_field_offset(struct inode, i_sb), &ino, &sb))
        return;
    out->ino = ino;
    if (sb) out->dev = encode_dev(BPF_CORE_READ((struct super_block*)sb, s_dev));
}

/* The file facts of fd, read once per event: open's row asks for all three. */
static __always_inline void event_file_facts(struct mbpf_scratch* s, int64_t fd) {
    if (s->facts_fd == fd && fd >= 0) return; /* the three facts of this fd are already read */
    s->facts_fd = fd;
    struct mbpf_file_facts ff;
    read_file_facts(event_file(s, fd), &ff);
    s->facts_ino = ff.ino;
    s->facts_dev = ff.dev;
    s->facts_mode = ff.mode;
}

static __always_inline uint32_t event_file_dev(struct mbpf_scratch* s, int64_t fd) {
    event_file_facts(s, fd);
    return s->facts_dev;
}
static __always_inline uint64_t event_file_ino(struct mbpf_scratch* s, int64_t fd) {
    event_file_facts(s, fd);
    return s->facts_ino;
}
static __always_inline int event_file_created(struct mbpf_scratch* s, int64_t fd) {
    event_file_facts(s, fd);
    return (s->facts_mode & MBPF_FMODE_CREATED) != 0;
}
#endif

#endif /* MBPF_FILES_H */
