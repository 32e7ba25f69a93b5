/*
 * Kernel types for the legacy probe: the kernel's own headers (the kbuild include paths of the
 * headers folder the probe is built against), not BTF. Included by the shared common.h in place
 * of vmlinux.h when MBPF_LEGACY is set.
 *
 * The shared driver code reads kernel structures with libbpf's CO-RE macros. Here they must
 * become plain reads at the offsets these headers say, fixed at build time: the builtins the
 * macros expand to are defined below as what they mean for a known layout (the probe is built
 * for exactly one kernel and refuses to load on another). Field existence cannot be answered
 * this way; the few places that depend on it test LINUX_VERSION_CODE under MBPF_LEGACY.
 */
#ifndef MBPF_LEGACY_KERNEL_H
#define MBPF_LEGACY_KERNEL_H

#include <linux/version.h>
#include <linux/types.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/mm_types.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/fdtable.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/binfmts.h>
#include <linux/cgroup-defs.h>
#include <linux/kernfs.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/poll.h>
#include <linux/signal_types.h>
#include <net/sock.h>
#include <net/af_unix.h>
#include <asm/processor.h>
#include <uapi/linux/bpf.h>

/* The kernel's names the shared code also uses for its own readers (BPF versions of them). */
#define task_pgrp mbpf_task_pgrp
/* libbpf's __noinline is __attribute__((noinline)): the kernel's `noinline` macro would expand
 * inside it. Every kernel header is included above, so the macro is no longer needed. */
#undef noinline

/* struct mount is private to fs/ (not in the headers package). Its first members have kept this
 * layout since 3.x; the path walk only reads these. */
struct mount {
    struct hlist_node mnt_hash;
    struct mount* mnt_parent;
    struct dentry* mnt_mountpoint;
    struct vfsmount mnt;
};

/* CO-RE builtins as fixed layout facts (see above). The probe is compiled for the host
 * architecture and lowered to BPF by llc, so the BPF-only builtins do not exist here anyway. */
#define __builtin_preserve_access_index(x) (x)
#define __builtin_preserve_field_info(ref, kind) mbpf_field_info_##kind(ref)
#define mbpf_field_info_BPF_FIELD_BYTE_OFFSET(ref) ((uint64_t)(unsigned long)&(ref))
#define mbpf_field_info_BPF_FIELD_BYTE_SIZE(ref) ((uint64_t)sizeof(ref))
#define __builtin_preserve_type_info(x, kind) mbpf_type_info_##kind(x)
#define mbpf_type_info_BPF_TYPE_SIZE(x) ((uint64_t)sizeof(x))

/* Without BTF the current task is a plain kernel address: every read goes through a helper. */
#define bpf_get_current_task_btf() ((struct task_struct*)bpf_get_current_task())

#endif /* MBPF_LEGACY_KERNEL_H */
