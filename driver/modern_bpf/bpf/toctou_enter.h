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
    const uint8_t* sel = bpf_map_lookup_elem(&sc_selected, &ppm_sc);
    if (!sel || !*sel) return 0;
    uint32_t zero = 0;
    struct mbpf_saved_args* sv = bpf_map_lookup_elem(&saved_args_stage, &zero);
    if (!sv) return 0;
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
    sv->nr = (uint32_t)BPF_CORE_READ(ctx, id);
    uint64_t key = bpf_get_current_pid_tgid();
    bpf_map_update_elem(&saved_args, &key, sv, BPF_ANY);
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

/* Saved for the same reason, and because a successful execveat exits with execve's number: the
 * number saved here is what tells the two apart (see exit_nr). */
SEC("tracepoint/syscalls/sys_enter_execveat")
int enter_execveat(struct trace_event_raw_sys_enter* ctx) {
    return save_entry(ctx, PPM_SC_EXECVEAT, 1, -1);
}

#endif /* MBPF_TOCTOU_ENTER_H */
