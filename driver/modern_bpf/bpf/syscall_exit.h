/*
 * The only syscall hook: the sys_exit raw tracepoint. The dispatcher drops unknown and
 * unselected syscalls before doing anything else, then tail-calls the program registered for
 * the syscall's exit event (userspace fills exit_programs: the table-driven filler for every
 * event with a fill_table.def row).
 */
#ifndef MBPF_SYSCALL_EXIT_H
#define MBPF_SYSCALL_EXIT_H

#include "fill.h"

#define MBPF_TS_COMPAT 0x0002

/* 32-bit syscalls use another numbering: not handled (yet), so never misreported. */
static __always_inline int is_compat_syscall(void) {
    struct task_struct* t = (struct task_struct*)bpf_get_current_task_btf();
    if (!bpf_core_field_exists(t->thread_info.status)) return 0;
    return (BPF_CORE_READ(t, thread_info.status) & MBPF_TS_COMPAT) != 0;
}

static __always_inline const struct mbpf_syscall_entry* selected_syscall(uint32_t nr) {
    const struct mbpf_syscall_entry* e = bpf_map_lookup_elem(&syscall_table, &nr);
    if (!e || !e->ppm_sc) return 0;
    uint32_t sc = e->ppm_sc;
    const uint8_t* sel = bpf_map_lookup_elem(&sc_selected, &sc);
    return sel && *sel ? e : 0;
}

#define MBPF_NR_EXECVE 59
#define MBPF_NR_EXECVEAT 322

/* The syscall number at exit. On x86_64 a successful execveat reaches sys_exit with execve's
 * number in orig_ax (seen by DriverProcess.ExecveatSuccessAndFailure; the reference driver notes
 * the same), so the number the execveat entry hook saved wins there. Only successful execves pay
 * the lookup. */
static __always_inline uint32_t exit_nr(struct pt_regs* regs, long ret) {
    uint32_t nr = (uint32_t)regs->orig_ax;
    if (nr != MBPF_NR_EXECVE || ret != 0) return nr;
    uint64_t key = bpf_get_current_pid_tgid();
    const struct mbpf_saved_args* sv = bpf_map_lookup_elem(&saved_args, &key);
    return sv && sv->nr == MBPF_NR_EXECVEAT ? MBPF_NR_EXECVEAT : nr;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_dispatch, struct pt_regs* regs, long ret) {
    uint32_t nr = exit_nr(regs, ret);
    if (nr >= MBPF_SYSCALL_SLOTS || is_compat_syscall()) return 0;
    const struct mbpf_syscall_entry* e = selected_syscall(nr);
    if (!e) return 0;
    bpf_tail_call(ctx, &exit_programs, e->event);
    return 0;
}

/* Tail-call target for every table-described exit event. */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_table, struct pt_regs* regs, long ret) {
    uint32_t nr = exit_nr(regs, ret);
    const struct mbpf_syscall_entry* e = bpf_map_lookup_elem(&syscall_table, &nr);
    struct mbpf_scratch* s = scratch_get();
    if (!e || !s) return 0;
    uint32_t code = e->event;
    if (code >= MBPF_EVENT_MAX) return 0;
    s->nr = nr;
    s->ppm_sc = e->ppm_sc;
    s->ret = ret;
    s->args[0] = regs->di;
    s->args[1] = regs->si;
    s->args[2] = regs->dx;
    s->args[3] = regs->r10;
    s->args[4] = regs->r8;
    s->args[5] = regs->r9;

    /* TOCTOU syscalls: the arguments and the path/address as they were at entry win. */
    uint64_t key = bpf_get_current_pid_tgid();
    int toctou = fill_specs[code].toctou;
    if (toctou) {
        const struct mbpf_saved_args* sv = bpf_map_lookup_elem(&saved_args, &key);
        if (sv) {
            for (int k = 0; k < 6; k++) s->args[k] = sv->args[k];
        } else {
            struct mbpf_counters* c = counters_get();
            if (c) c->n_toctou_misses++;
            toctou = 0;
        }
    }
    fill_from_table(s, code);
    if (toctou) bpf_map_delete_elem(&saved_args, &key);
    return 0;
}

#endif /* MBPF_SYSCALL_EXIT_H */
