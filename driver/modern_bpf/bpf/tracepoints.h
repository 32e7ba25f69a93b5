/*
 * Events that do not come from a syscall exit: process exit, context switches, user page
 * faults, signal delivery (built in tp_events.h). Each is gated by its bit in tp_enabled and its
 * ppm_sc selection.
 */
#ifndef MBPF_TRACEPOINTS_H
#define MBPF_TRACEPOINTS_H

#include "prefilter.h"
#include "ring_output.h"
#include "tp_events.h"

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct* p) {
    prefilter_task_gone(p);
    return emit_proc_exit(ctx, p);
}

/* See clone3_flags_save (tp_events.h). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(clone3_flags_at_fork, struct task_struct* parent, struct task_struct* child) {
    return clone3_flags_save((struct pt_regs*)bpf_task_pt_regs(parent), child);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct* prev, struct task_struct* next) {
    return emit_sched_switch(ctx, prev, next);
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(page_fault_user, unsigned long address, struct pt_regs* regs, unsigned long error_code) {
    return emit_page_fault(ctx, address, regs, error_code);
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo* info) {
    return emit_signal_deliver(ctx, sig, info);
}

#endif /* MBPF_TRACEPOINTS_H */
