/*
 * The legacy probe's programs: raw tracepoints (no BTF needed; the arguments are the
 * tracepoint's raw u64 values, read with helpers). They only fetch their arguments; what each
 * event carries is built by the code shared with the modern driver (table_exit.h, tp_events.h,
 * toctou_save.h).
 */
#ifndef SCAP_BPF_PROGRAMS_H
#define SCAP_BPF_PROGRAMS_H

#include "perf_output.h"
#include "table_exit.h"
#include "toctou_save.h"
#include "tp_events.h"

#define SCAP_TS_COMPAT 0x0002 /* x86 thread_info.status: a 32-bit syscall is running */

/* The six syscall argument registers and the number, read from the kernel's pt_regs copy. */
struct scap_sys_regs {
    uint64_t args[6];
    uint32_t nr;
};

/* The kernel's pt_regs from r10 to orig_ax (x86_64 layout): the argument registers and the
 * number in one read, 72 bytes of stack instead of the whole 168-byte structure (the filler's
 * call chain is near the verifier's 512-byte stack limit). */
struct scap_regs_window {
    uint64_t r10, r9, r8, ax, cx, dx, si, di, orig_ax;
};
_Static_assert(offsetof(struct pt_regs, orig_ax) - offsetof(struct pt_regs, r10) == 8 * 8,
               "pt_regs layout: r10 .. orig_ax must be contiguous");

static __always_inline int read_sys_regs(const struct pt_regs* regs, struct scap_sys_regs* out) {
    struct scap_regs_window w;
    if (bpf_probe_read_kernel(&w, sizeof w, &regs->r10)) return 0;
    out->args[0] = w.di;
    out->args[1] = w.si;
    out->args[2] = w.dx;
    out->args[3] = w.r10;
    out->args[4] = w.r8;
    out->args[5] = w.r9;
    out->nr = (uint32_t)w.orig_ax;
    return 1;
}

/* 32-bit syscalls use another numbering: not handled (yet), so never misreported. */
static __always_inline int legacy_is_compat(void) {
    struct task_struct* t = (struct task_struct*)bpf_get_current_task();
    return (BPF_CORE_READ(t, thread_info.status) & SCAP_TS_COMPAT) != 0;
}

/* sys_exit(regs, ret): drops unknown and unselected syscalls, then tail-calls the program of the
 * syscall's exit event (userspace fills exit_programs with sys_exit_table for every row). */
SEC("raw_tracepoint/sys_exit")
int sys_exit_dispatch(struct bpf_raw_tracepoint_args* ctx) {
    uint64_t nr64 = 0;
    const struct pt_regs* regs = (const struct pt_regs*)ctx->args[0];
    if (bpf_probe_read_kernel(&nr64, sizeof nr64, &regs->orig_ax)) return 0;
    uint32_t nr = (uint32_t)nr64;
    if (nr >= MBPF_SYSCALL_SLOTS) return 0;
    const struct mbpf_syscall_entry* e = selected_syscall(nr);
    if (!e) {
        /* A successful execveat exits as execve on x86_64 (see the modern driver). */
        if (nr != MBPF_NR_EXECVE || !execveat_exiting()) return 0;
        e = bpf_map_lookup_elem(&syscall_table, &nr);
        if (!e) return 0;
    }
    if (ignored_tgid && (uint32_t)(bpf_get_current_pid_tgid() >> 32) == ignored_tgid) return 0;
    if (legacy_is_compat()) return 0;
    bpf_tail_call(ctx, &exit_programs, e->event);
    return 0;
}

/* The syscall's registers, read into the scratch area, not the stack: the table program's frame
 * starts the filler's call chain, which the verifier caps at 512 bytes of stack in all. */
static __always_inline struct mbpf_scratch* exit_regs_to_scratch(const struct bpf_raw_tracepoint_args* ctx,
                                                                 uint32_t* nr) {
    struct mbpf_scratch* s = scratch_get();
    if (!s) return 0;
    const struct pt_regs* regs = (const struct pt_regs*)ctx->args[0];
    struct scap_regs_window* w = (struct scap_regs_window*)s->buf;
    if (bpf_probe_read_kernel(w, sizeof *w, &regs->r10)) return 0;
    s->args[0] = w->di;
    s->args[1] = w->si;
    s->args[2] = w->dx;
    s->args[3] = w->r10;
    s->args[4] = w->r8;
    s->args[5] = w->r9;
    *nr = (uint32_t)w->orig_ax;
    return s;
}

/* One tail-call target per filler of fillers.def: sys_exit_table_<name>, built with only the code
 * of its source families; userspace puts each event's program in exit_programs. */
#define FILLER(name, families)                                       \
    MBPF_DEFINE_FILLER(name, families)                               \
    MBPF_DEFINE_TABLE_EXIT(name)                                     \
    SEC("raw_tracepoint/sys_exit")                                   \
    int sys_exit_table_##name(struct bpf_raw_tracepoint_args* ctx) { \
        uint32_t nr = 0;                                             \
        struct mbpf_scratch* s = exit_regs_to_scratch(ctx, &nr);     \
        if (!s) return 0;                                            \
        return table_exit_##name(ctx, s, nr, (long)ctx->args[1]);    \
    }
#include "fillers.def"
#undef FILLER

/* x86_64 numbers of the TOCTOU syscalls. */
#define SCAP_NR_OPEN 2
#define SCAP_NR_CONNECT 42
#define SCAP_NR_CREAT 85
#define SCAP_NR_OPENAT 257
#define SCAP_NR_OPENAT2 437

/* sys_enter(regs, id): one hook for every syscall, so it returns at once for all but the seven
 * whose arguments are saved (the tracepoint-per-syscall programs of the modern driver need
 * tracefs event ids, which a raw tracepoint does not). */
SEC("raw_tracepoint/sys_enter")
int sys_enter_toctou(struct bpf_raw_tracepoint_args* ctx) {
    const uint64_t id = ctx->args[1];
    uint32_t sc;
    int data_arg = 0, len_arg = -1;
    switch (id) {
        case SCAP_NR_OPEN:
            sc = PPM_SC_OPEN;
            break;
        case SCAP_NR_CREAT:
            sc = PPM_SC_CREAT;
            break;
        case SCAP_NR_OPENAT:
            sc = PPM_SC_OPENAT;
            data_arg = 1;
            break;
        case SCAP_NR_OPENAT2:
            sc = PPM_SC_OPENAT2;
            data_arg = 1;
            break;
        case SCAP_NR_CONNECT:
            sc = PPM_SC_CONNECT;
            data_arg = 1;
            len_arg = 2;
            break;
        case MBPF_NR_EXECVE:
            sc = PPM_SC_EXECVE;
            break;
        case MBPF_NR_EXECVEAT:
            /* Saved when only execve is selected too: only this record tells the exit to drop it. */
            sc = sc_is_selected(PPM_SC_EXECVEAT) ? PPM_SC_EXECVEAT : PPM_SC_EXECVE;
            data_arg = 1;
            break;
        default:
            return 0;
    }
    if (legacy_is_compat()) return 0;
    struct scap_sys_regs r = {};
    if (!read_sys_regs((const struct pt_regs*)ctx->args[0], &r)) return 0;
    return save_entry_args((uint32_t)id, r.args, sc, data_arg, len_arg);
}

/* sched_process_exec(p, old_pid, bprm): see save_exec_filename. */
SEC("raw_tracepoint/sched_process_exec")
int exec_filename(struct bpf_raw_tracepoint_args* ctx) {
    const struct linux_binprm* bprm = (const struct linux_binprm*)ctx->args[2];
    return save_exec_filename((pid_t)ctx->args[1], BPF_CORE_READ(bprm, filename));
}

/* sched_process_fork(parent, child): current is the parent; its user registers sit at the top of
 * its kernel stack (the kernel's task_pt_regs, with this kernel's THREAD_SIZE). */
SEC("raw_tracepoint/sched_process_fork")
int clone3_flags_at_fork(struct bpf_raw_tracepoint_args* ctx) {
    struct task_struct* parent = (struct task_struct*)ctx->args[0];
    void* stack = BPF_CORE_READ(parent, stack);
    if (!stack) return 0;
    struct pt_regs* regs = (struct pt_regs*)((uint8_t*)stack + THREAD_SIZE - TOP_OF_KERNEL_STACK_PADDING) - 1;
    return clone3_flags_save(regs, (struct task_struct*)ctx->args[1]);
}

/* sched_process_exit(p) */
SEC("raw_tracepoint/sched_process_exit")
int proc_exit(struct bpf_raw_tracepoint_args* ctx) {
    return emit_proc_exit(ctx, (struct task_struct*)ctx->args[0]);
}

/* sched_switch(preempt, prev, next, ...) */
SEC("raw_tracepoint/sched_switch")
int sched_switch(struct bpf_raw_tracepoint_args* ctx) {
    return emit_sched_switch(ctx, (struct task_struct*)ctx->args[1], (struct task_struct*)ctx->args[2]);
}

/* page_fault_user(address, regs, error_code) */
SEC("raw_tracepoint/page_fault_user")
int page_fault_user(struct bpf_raw_tracepoint_args* ctx) {
    return emit_page_fault(ctx, ctx->args[0], (struct pt_regs*)ctx->args[1], ctx->args[2]);
}

/* signal_deliver(sig, info, ka) */
SEC("raw_tracepoint/signal_deliver")
int signal_deliver(struct bpf_raw_tracepoint_args* ctx) {
    return emit_signal_deliver(ctx, (int)ctx->args[0], (struct kernel_siginfo*)ctx->args[1]);
}

#endif /* SCAP_BPF_PROGRAMS_H */
