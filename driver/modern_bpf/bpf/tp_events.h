/*
 * Events that do not come from a syscall exit, as both drivers build them: process exit, context
 * switches, user page faults, signal delivery, and the clone3 flags copied at fork. The
 * programs (tracepoints.h here, the legacy probe's raw tracepoints) only fetch their arguments.
 */
#ifndef MBPF_TP_EVENTS_H
#define MBPF_TP_EVENTS_H

#include "fill.h"

static __always_inline int emit_proc_exit(void* ctx, struct task_struct* p) {
    /* A thread killed inside a TOCTOU syscall (exit_group from a sibling while it waits in
     * connect) never reaches that syscall's exit: drop its saved entry so the map cannot fill
     * (where the store is a map; task storage goes with the task). */
    saved_forget_exiting();
    if (!tp_is_enabled(MBPF_TP_PROC_EXIT, PPM_SC_SCHED_PROCESS_EXIT)) return 0;
    struct mbpf_scratch* s = scratch_get();
    if (!s) return 0;
    int32_t code = BPF_CORE_READ(p, exit_code);
    event_begin(s, PPME_PROCEXIT_1_E, 5);
    push_int(s, 0, (int64_t)code, 8);
    /* Exit status as a shell sees it: exit code when exited, signal number when killed. */
    push_int(s, 1, (code & 0x7f) ? 0 : (uint64_t)((code >> 8) & 0xff), 8);
    push_int(s, 2, code & 0x7f, 1);
    push_int(s, 3, (code & 0x80) ? 1 : 0, 1);
    push_int(s, 4, 0, 8); /* reaper: resolved by userspace state from the parent */
    event_submit(ctx, s, BPF_CORE_READ(p, pid));
    return 0;
}

/*
 * clone3 passes its flags in user memory (struct clone_args), usually on the caller's stack. The
 * child's exit event would read them after the parent has returned and possibly reused that
 * stack, so at fork, while the parent is still inside clone3 and before the child can run, the
 * flags are copied to where the child's exit filler looks (the child's saved record).
 * `regs`: the parent's user registers.
 */
static __always_inline int clone3_flags_save(struct pt_regs* regs, struct task_struct* child) {
    if (!sc_is_selected(PPM_SC_CLONE3)) return 0;
    if (!regs || BPF_CORE_READ(regs, orig_ax) != MBPF_NR_CLONE3) return 0;
    const void* uargs = (const void*)BPF_CORE_READ(regs, di);
    uint64_t flags = 0;
    if (!uargs || bpf_probe_read_user(&flags, sizeof flags, uargs)) return 0;
    struct mbpf_saved_args* sv = saved_new_for_child(child);
    if (!sv) return 0;
    *(uint64_t*)sv->data = flags;
    sv->data_len = 8;
    for (int k = 0; k < 6; k++) sv->args[k] = 0;
    sv->args[0] = (uint64_t)uargs;
    sv->nr = MBPF_NR_CLONE3;
    saved_commit_for_child(sv, child);
    return 0;
}

static __always_inline int emit_sched_switch(void* ctx, struct task_struct* prev, struct task_struct* next) {
    if (!tp_is_enabled(MBPF_TP_SCHED_SWITCH, PPM_SC_SCHED_SWITCH)) return 0;
    struct mbpf_scratch* s = scratch_get();
    if (!s) return 0;
    event_begin(s, PPME_SCHEDSWITCH_6_E, 6);
    push_int(s, 0, BPF_CORE_READ(next, pid), 8);
    push_int(s, 1, BPF_CORE_READ(prev, maj_flt), 8);
    push_int(s, 2, BPF_CORE_READ(prev, min_flt), 8);
    push_int(s, 3, task_vm(prev, 0), 4);
    push_int(s, 4, task_vm(prev, 1), 4);
    push_int(s, 5, task_vm(prev, 2), 4);
    event_submit(ctx, s, BPF_CORE_READ(prev, pid));
    return 0;
}

/* x86 page fault error code -> pf_flags. */
static __always_inline uint32_t pf_flags(uint64_t err) {
    uint32_t f = 0;
    f |= (err & 1) ? 0x1 : 0x2;   /* protection violation : page not present */
    f |= (err & 2) ? 0x4 : 0x8;   /* write : read */
    f |= (err & 4) ? 0x10 : 0x20; /* user : supervisor */
    if (err & 8) f |= 0x40;       /* reserved bit */
    if (err & 16) f |= 0x80;      /* instruction fetch */
    return f;
}

static __always_inline int emit_page_fault(void* ctx, uint64_t address, struct pt_regs* regs,
                                           uint64_t error_code) {
    if (!tp_is_enabled(MBPF_TP_PAGE_FAULT, PPM_SC_PAGE_FAULT_USER)) return 0;
    struct mbpf_scratch* s = scratch_get();
    if (!s) return 0;
    event_begin(s, PPME_PAGE_FAULT_E, 3);
    push_int(s, 0, address, 8);
    push_int(s, 1, BPF_CORE_READ(regs, ip), 8);
    push_int(s, 2, pf_flags(error_code), 4);
    event_submit(ctx, s, current_tid());
    return 0;
}

#define MBPF_SI_USER 0

static __always_inline int emit_signal_deliver(void* ctx, int sig, struct kernel_siginfo* info) {
    if (!tp_is_enabled(MBPF_TP_SIGNAL_DELIVER, PPM_SC_SIGNAL_DELIVER)) return 0;
    struct mbpf_scratch* s = scratch_get();
    if (!s) return 0;
    int64_t spid = 0;
    if (info) {
        int si_code = BPF_CORE_READ(info, si_code);
        /* Only signals sent by a process (kill, tkill, sigqueue) carry a sender pid. */
        if (si_code <= MBPF_SI_USER) spid = BPF_CORE_READ(info, _sifields._kill._pid);
    }
    event_begin(s, PPME_SIGNALDELIVER_E, 3);
    push_int(s, 0, (uint64_t)spid, 8);
    push_int(s, 1, current_tid(), 8);
    push_int(s, 2, (uint64_t)sig, 1);
    event_submit(ctx, s, current_tid());
    return 0;
}

#endif /* MBPF_TP_EVENTS_H */
