/*
 * Entry hooks for the syscalls whose user memory could change between entry and exit
 * (open, openat, openat2, creat, connect; execve, whose path is gone after success): they save the arguments
 * and the path or address, per thread, and the exit filler uses them instead of re-reading user memory.
 */
#ifndef MBPF_TOCTOU_ENTER_H
#define MBPF_TOCTOU_ENTER_H

#include "toctou_save.h"

/* The syscalls/sys_enter_* record as tracefs lays it out (its format files say so, and tools
 * rely on it): an 8-byte common header, the syscall number, then one 8-byte slot per argument
 * of that syscall: only those may be read (attaching refuses a program that reads past the
 * record). Declared here without CO-RE: relocated field offsets make clang add them to the
 * context pointer, which the verifier refuses, and a probe read per argument cost seven helper
 * calls on every open. */
struct mbpf_sys_enter_record {
    uint64_t common;
    int32_t nr;
    uint32_t pad;
    uint64_t args[6];
};

/* The engine's own process while it starts (ignored_tgid): its exits are skipped, so an entry
 * saved for it would only cost a path copy and a record for each file its /proc scan opens. */
static __always_inline int entry_ignored(void) {
    return ignored_tgid && (uint32_t)(bpf_get_current_pid_tgid() >> 32) == ignored_tgid;
}

/* The tracepoint's `nargs` arguments (the others are saved as 0), then the shared save. */
static __always_inline int save_entry(struct mbpf_sys_enter_record* ctx, const int nargs, uint32_t ppm_sc,
                                      int data_arg, int len_arg) {
    if (entry_ignored()) return 0;
    uint64_t args[6];
#pragma unroll
    for (int k = 0; k < 6; k++) args[k] = k < nargs ? ctx->args[k] : 0;
    return save_entry_args((uint32_t)ctx->nr, args, ppm_sc, data_arg, len_arg);
}

/* The same from the syscall function's own pt_regs (x86_64's argument registers). */
static __always_inline int save_entry_regs(struct pt_regs* regs, const int nargs, uint32_t ppm_sc,
                                           int data_arg, int len_arg) {
    if (entry_ignored()) return 0;
    const uint64_t all[6] = {regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9};
    uint64_t args[6];
#pragma unroll
    for (int k = 0; k < 6; k++) args[k] = k < nargs ? all[k] : 0;
    return save_entry_args((uint32_t)regs->orig_ax, args, ppm_sc, data_arg, len_arg);
}

/*
 * Each hook comes twice; userspace loads one of the two (driver.cpp, choose_entry_hooks):
 * - fentry_NAME, a trampoline on the syscall's function (__x64_sys_NAME, set as the target at
 *   load time): chosen wherever the kernel allows it. It runs for this syscall only, straight
 *   from a direct call.
 * - enter_NAME, the syscalls:sys_enter_NAME tracepoint: the fallback. Its perf glue runs on every
 *   syscall's entry to look the syscall up, and fills a record of all six arguments before the
 *   program runs (profiled at 2.5 % of an open+close loop's CPU: perf_syscall_enter and
 *   perf_trace_buf_alloc). Some kernels refuse fentry outright (this project's CI host: locked
 *   down, its ftrace files closed too), so both forms are tested.
 * One row per syscall: its name, how many arguments it has, its ppm_sc code, the argument that
 * points at the path or address, and the one holding the address length (-1: a string).
 */
#define TOCTOU_ENTRY_HOOK(name, nargs, ppm_sc, data_arg, len_arg)       \
    SEC("tracepoint/syscalls/sys_enter_" #name)                         \
    int enter_##name(struct mbpf_sys_enter_record* ctx) {               \
        return save_entry(ctx, nargs, ppm_sc, data_arg, len_arg);       \
    }                                                                   \
    SEC("fentry")                                                       \
    int BPF_PROG(fentry_##name, struct pt_regs* regs) {                 \
        return save_entry_regs(regs, nargs, ppm_sc, data_arg, len_arg); \
    }

TOCTOU_ENTRY_HOOK(open, 3, PPM_SC_OPEN, 0, -1)
TOCTOU_ENTRY_HOOK(openat, 4, PPM_SC_OPENAT, 1, -1)
TOCTOU_ENTRY_HOOK(openat2, 4, PPM_SC_OPENAT2, 1, -1)
TOCTOU_ENTRY_HOOK(creat, 2, PPM_SC_CREAT, 0, -1)
TOCTOU_ENTRY_HOOK(connect, 3, PPM_SC_CONNECT, 1, 2)
/* After a successful execve the old image (and the path string) is gone at exit. */
TOCTOU_ENTRY_HOOK(execve, 3, PPM_SC_EXECVE, 0, -1)
/* On x86_64 a successful execveat reaches sys_exit looking like an execve (orig_ax says 59):
 * the entry record (its `nr`) is what tells the exit filler which event to emit. It is saved
 * when only execve is selected too: that exit looks like execve's, and only this record tells
 * the exit filler to drop it. */
TOCTOU_ENTRY_HOOK(execveat, 5, sc_is_selected(PPM_SC_EXECVEAT) ? PPM_SC_EXECVEAT : PPM_SC_EXECVE, 1, -1)

/* See save_exec_filename (toctou_save.h). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_filename, struct task_struct* p, pid_t old_pid, struct linux_binprm* bprm) {
    return save_exec_filename(old_pid, BPF_CORE_READ(bprm, filename));
}

#endif /* MBPF_TOCTOU_ENTER_H */
