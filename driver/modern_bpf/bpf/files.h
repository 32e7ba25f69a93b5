/* From a file descriptor of the current task to its struct file, and what the schema wants of it. */
#ifndef MBPF_FILES_H
#define MBPF_FILES_H

#include "task.h"

static __always_inline struct file* fd_to_file(int64_t fd) {
    if (fd < 0) return 0;
    struct task_struct* t = (struct task_struct*)bpf_get_current_task_btf();
    struct fdtable* fdt = BPF_CORE_READ(t, files, fdt);
    if (!fdt) return 0;
    uint32_t max = BPF_CORE_READ(fdt, max_fds);
    if ((uint64_t)fd >= max) return 0;
    struct file** fds = BPF_CORE_READ(fdt, fd);
    struct file* f = 0;
    bpf_probe_read_kernel(&f, sizeof f, &fds[fd]);
    return f;
}

static __always_inline uint64_t fd_ino(int64_t fd) {
    struct file* f = fd_to_file(fd);
    return f ? BPF_CORE_READ(f, f_inode, i_ino) : 0;
}

static __always_inline uint32_t fd_dev(int64_t fd) {
    struct file* f = fd_to_file(fd);
    return f ? encode_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev)) : 0;
}

#endif /* MBPF_FILES_H */
