/*
 * Entry hooks for the syscalls whose user memory could change between entry and exit
 * (open, openat, openat2, creat, connect; execve, whose path is gone after success): they save the arguments
 * and the path or address, per thread, and the exit filler uses them instead of re-reading user memory.
 */
#ifndef MBPF_TOCTOU_ENTER_H
#define MBPF_TOCTOU_ENTER_H

#include "maps.h"

/* data_arg: which argument points at the data; len_arg < 0: a string, else the sockaddr
 * length argument. */
static __always_inline int save_entry(struct trace_event_raw_sys_enter* ctx, uint32_t ppm_sc, int data_arg,
                                      int len_arg) {
    uint32_t nr = (uint32_t)BPF_CORE_READ(ctx, id);
    if (!sc_is_selected(ppm_sc)) return 0;
    struct mbpf_saved_stage* st = saved_stage_get();
    if (!st) return 0;
    struct mbpf_saved_args* sv = &st->head;
    for (int k = 0; k < 6; k++) sv->args[k] = BPF_CORE_READ(ctx, args[k]);
    const void* src = (const void*)sv->args[data_arg & 7];
    long n = 0;
    if (len_arg < 0) {
        n = bpf_probe_read_user_str(sv->data, MBPF_MAX_STR, src);
    } else {
        uint64_t len = sv->args[len_arg & 7];
        if (len > MBPF_SOCKADDR_MAX) len = MBPF_SOCKADDR_MAX;
        n = bpf_probe_read_user(sv->data, MBPF_MASK((uint32_t)len, MBPF_SOCKADDR_MAX * 2 - 1), src)
                ? -1
                : (long)len;
    }
    sv->data_len = n > 0 ? (uint32_t)n : 0;
    sv->nr = nr;
    saved_put(bpf_get_current_pid_tgid(), st);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_open")
int enter_open(struct trace_event_raw_sys_enter* ctx) {
    return save_entry(ctx, PPM_SC_OPEN, 0, -1);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter* ctx) {
    return save_entry(ctx, PPM_SC_OPENAT, 1, -1);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int enter_openat2(struct trace_event_raw_sys_enter* ctx) {
    return save_entry(ctx, PPM_SC_OPENAT2, 1, -1);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int enter_creat(struct trace_event_raw_sys_enter* ctx) {
    return save_entry(ctx, PPM_SC_CREAT, 0, -1);
}

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter* ctx) {
    return save_entry(ctx, PPM_SC_CONNECT, 1, 2);
}

/* After a successful execve the old image (and the path string) is gone at exit. */
SEC("tracepoint/syscalls/sys_enter_execve")
int enter_execve(struct trace_event_raw_sys_enter* ctx) {
    return save_entry(ctx, PPM_SC_EXECVE, 0, -1);
}

/* On x86_64 a successful execveat reaches sys_exit looking like an execve (orig_ax says 59):
 * the entry record (its `nr`) is what tells the exit filler which event to emit. */
SEC("tracepoint/syscalls/sys_enter_execveat")
int enter_execveat(struct trace_event_raw_sys_enter* ctx) {
    /* Saved when only execve is selected too: that exit looks like execve's, and only this
     * record tells the exit filler to drop it. */
    return save_entry(ctx, sc_is_selected(PPM_SC_EXECVEAT) ? PPM_SC_EXECVEAT : PPM_SC_EXECVE, 1, -1);
}

/*
 * The entry copy of execve's path is not enough: a fork child usually has not touched the page
 * holding the path string yet (fork does not copy page tables of untouched file-backed
 * mappings), and a non-sleepable BPF program cannot fault it in, so the entry read fails and
 * the saved path is empty. And an execve from a non-leader thread changes the caller's tid,
 * so the entry saved under the old tid is not found at exit. The kernel's own copy of the path
 * (bprm->filename) is valid here, after the new image is in place and before the syscall
 * returns, and `current` already has its final tid: store it where the exit filler looks.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_filename, struct task_struct* p, pid_t old_pid, struct linux_binprm* bprm) {
    if (!sc_is_selected(PPM_SC_EXECVE) && !sc_is_selected(PPM_SC_EXECVEAT)) return 0;
    struct mbpf_saved_stage* st = saved_stage_get();
    if (!st) return 0;
    struct mbpf_saved_args* sv = &st->head;
    uint64_t key = bpf_get_current_pid_tgid();
    uint64_t old_key = (key & ~0xffffffffull) | (uint32_t)old_pid;
    const struct mbpf_saved_args* entry = bpf_map_lookup_elem(&saved_args, &old_key);
    for (int k = 0; k < 6; k++) sv->args[k] = entry ? entry->args[k] : 0;
    /* Without an entry record (entry hooks unavailable) the exit says execve: so do we. */
    sv->nr = entry ? entry->nr : MBPF_NR_EXECVE;
    long n = bpf_probe_read_kernel_str(sv->data, MBPF_MAX_STR, BPF_CORE_READ(bprm, filename));
    sv->data_len = n > 0 ? (uint32_t)n : 0;
    if (old_key != key) saved_drop(old_key, 0);
    saved_put(key, st);
    return 0;
}

#endif /* MBPF_TOCTOU_ENTER_H */
