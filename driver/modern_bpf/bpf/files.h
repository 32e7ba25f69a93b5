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

#endif /* MBPF_FILES_H */
