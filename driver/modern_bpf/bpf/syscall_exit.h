/*
 * The only syscall hook: the sys_exit raw tracepoint. The dispatcher drops unknown and
 * unselected syscalls before doing anything else. Fast rows (integers, one I/O buffer, the open
 * family) are built right here (in_place.h, open_exit.h); every other exit tail-calls the program
 * registered for its event (userspace fills exit_programs: the table-driven filler for every
 * event with a fill_table.def row).
 */
#ifndef MBPF_SYSCALL_EXIT_H
#define MBPF_SYSCALL_EXIT_H

#include "in_place.h"
#include "open_exit.h"
#include "prefilter.h"
#include "table_exit.h"

#define MBPF_TS_COMPAT 0x0002

/* 32-bit syscalls use another numbering: not handled (yet), so never misreported. */
static __always_inline int is_compat_syscall(struct task_struct* t) {
    if (!bpf_core_field_exists(t->thread_info.status)) return 0;
    /* A trusted BTF pointer: a direct load, no probe-read helper call on every syscall. */
    return (t->thread_info.status & MBPF_TS_COMPAT) != 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_dispatch, struct pt_regs* regs, long ret) {
    uint32_t nr = (uint32_t)regs->orig_ax;
    if (nr >= MBPF_SYSCALL_SLOTS) return 0;
    struct task_struct* t = bpf_get_current_task_btf();
    if (is_compat_syscall(t)) return 0;
    const struct mbpf_syscall_entry* e = selected_syscall(nr);
    if (!e) {
        /* A successful execveat exits as execve on x86_64: selected without execve, it must
         * still pass (sys_exit_table turns it into its own event). */
        if (nr != MBPF_NR_EXECVE || !execveat_exiting()) return 0;
        e = bpf_map_lookup_elem(&syscall_table, &nr);
        if (!e) return 0;
    }
    /* After the selection: unselected syscalls pay nothing for this. */
    if (ignored_tgid && (uint32_t)t->tgid == ignored_tgid) return 0;
    uint32_t code = e->event;
    prefilter_exec_done(t, code, ret);
    if (prefilter_on) {
        /* Before anything is reserved or filled: an event the filter cannot match costs a map
         * lookup and a few compares. */
        if (!prefilter_passes(t, code, ret)) {
            struct mbpf_counters* c = counters_get();
            if (c) c->n_prefiltered++;
            /* The entry program saved this call's arguments: the table exit would have dropped them. */
            if (code < MBPF_EVENT_MAX && fill_specs[code].toctou) saved_release(0);
            return 0;
        }
    }
    uint32_t fast = code < MBPF_EVENT_MAX ? fill_specs[code].fast : 0;
    if (fast == MBPF_FAST_ROW_OPEN) {
        /* Opens whose path the entry saved inline: see open_exit.h. */
        if (emit_fast_open(t, regs, ret, nr, code) == 0) return 0;
    } else if (fast) {
        /* The bulk of the syscall volume is built right here: no tail call, no second lookup.
         * One call site per record class, each with its constant size. */
        uint32_t len = fill_specs[code].fast_len;
        if (len <= MBPF_FAST_SMALL)
            build_in_place(t, regs, 0, 0, ret, nr, e->ppm_sc, code, MBPF_FAST_SMALL, 0, MBPF_FAST_PARAMS);
        else if (len <= MBPF_FAST_LARGE)
            build_in_place(t, regs, 0, 0, ret, nr, e->ppm_sc, code, MBPF_FAST_LARGE, 0, MBPF_FAST_PARAMS);
        else
            build_in_place(t, regs, 0, 0, ret, nr, e->ppm_sc, code, MBPF_FAST_IO, 0, MBPF_FAST_PARAMS);
        return 0;
    }
    bpf_tail_call(ctx, &exit_programs, code);
    return 0;
}

/* The modern driver's one filler: every source family (fill.h, table_exit.h). */
MBPF_DEFINE_FILLER(all, MBPF_FAM_ALL)
MBPF_DEFINE_TABLE_EXIT(all)

/* Tail-call target for every table-described exit event (table_exit.h). */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_table, struct pt_regs* regs, long ret) {
    struct mbpf_scratch* s = scratch_get();
    if (!s) return 0;
    s->args[0] = regs->di;
    s->args[1] = regs->si;
    s->args[2] = regs->dx;
    s->args[3] = regs->r10;
    s->args[4] = regs->r8;
    s->args[5] = regs->r9;
    return table_exit_all(ctx, s, (uint32_t)regs->orig_ax, ret);
}

#endif /* MBPF_SYSCALL_EXIT_H */
