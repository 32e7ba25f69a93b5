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

/* The tracepoint's `nargs` arguments (the others are saved as 0), then the shared save. */
static __always_inline int save_entry(struct mbpf_sys_enter_record* ctx, const int nargs, uint32_t ppm_sc,
                                      int data_arg, int len_arg) {
    /* The engine's own process while it starts (ignored_tgid): its exits are skipped, so an entry
     * saved here would only cost a path copy and a map update for each file its /proc scan
     * opens, and stay behind. */
    if (ignored_tgid && (uint32_t)(bpf_get_current_pid_tgid() >> 32) == ignored_tgid) return 0;
    uint64_t args[6];
#pragma unroll
    for (int k = 0; k < 6; k++) args[k] = k < nargs ? ctx->args[k] : 0;
    return save_entry_args((uint32_t)ctx->nr, args, ppm_sc, data_arg, len_arg);
}

SEC("tracepoint/syscalls/sys_enter_open")
int enter_open(struct mbpf_sys_enter_record* ctx) {
    return save_entry(ctx, 3, PPM_SC_OPEN, 0, -1);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct mbpf_sys_enter_record* ctx) {
    return save_entry(ctx, 4, PPM_SC_OPENAT, 1, -1);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int enter_openat2(struct mbpf_sys_enter_record* ctx) {
    return save_entry(ctx, 4, PPM_SC_OPENAT2, 1, -1);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int enter_creat(struct mbpf_sys_enter_record* ctx) {
    return save_entry(ctx, 2, PPM_SC_CREAT, 0, -1);
}

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct mbpf_sys_enter_record* ctx) {
    return save_entry(ctx, 3, PPM_SC_CONNECT, 1, 2);
}

/* After a successful execve the old image (and the path string) is gone at exit. */
SEC("tracepoint/syscalls/sys_enter_execve")
int enter_execve(struct mbpf_sys_enter_record* ctx) {
    return save_entry(ctx, 3, PPM_SC_EXECVE, 0, -1);
}

/* On x86_64 a successful execveat reaches sys_exit looking like an execve (orig_ax says 59):
 * the entry record (its `nr`) is what tells the exit filler which event to emit. */
SEC("tracepoint/syscalls/sys_enter_execveat")
int enter_execveat(struct mbpf_sys_enter_record* ctx) {
    /* Saved when only execve is selected too: that exit looks like execve's, and only this
     * record tells the exit filler to drop it. */
    return save_entry(ctx, 5, sc_is_selected(PPM_SC_EXECVEAT) ? PPM_SC_EXECVEAT : PPM_SC_EXECVE, 1, -1);
}

/* See save_exec_filename (toctou_save.h). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_filename, struct task_struct* p, pid_t old_pid, struct linux_binprm* bprm) {
    return save_exec_filename(old_pid, BPF_CORE_READ(bprm, filename));
}

#endif /* MBPF_TOCTOU_ENTER_H */
