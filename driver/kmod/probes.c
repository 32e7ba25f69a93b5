/*
 * The module's probes on the kernel's tracepoints: sys_exit emits every syscall event (exit-only,
 * from the shared rows); sys_enter saves the TOCTOU arguments; sched_process_exec and
 * sched_process_fork keep what the exit needs (execve's filename, clone3's flags);
 * sched_process_exit, sched_switch, signal_deliver and page_fault_user emit their own events.
 * Tracepoints are not exported symbols: they are found by name at load time.
 */
#include <linux/binfmts.h>
#include <linux/compat.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>

#include "kmod.h"

enum kmod_tp {
    TP_SYS_ENTER,
    TP_SYS_EXIT,
    TP_PROC_EXIT,
    TP_PROC_FORK,
    TP_PROC_EXEC,
    TP_SCHED_SWITCH,
    TP_SIGNAL,
    TP_PAGE_FAULT,
    TP_COUNT
};

static const char* const tp_names[TP_COUNT] = {
    [TP_SYS_ENTER] = "sys_enter",          [TP_SYS_EXIT] = "sys_exit",
    [TP_PROC_EXIT] = "sched_process_exit", [TP_PROC_FORK] = "sched_process_fork",
    [TP_PROC_EXEC] = "sched_process_exec", [TP_SCHED_SWITCH] = "sched_switch",
    [TP_SIGNAL] = "signal_deliver",        [TP_PAGE_FAULT] = "page_fault_user",
};
static struct tracepoint* tps[TP_COUNT];
static bool tp_on[TP_COUNT];

static void find_tp(struct tracepoint* tp, void* unused) {
    uint32_t k;
    for (k = 0; k < TP_COUNT; k++)
        if (!tps[k] && strcmp(tp->name, tp_names[k]) == 0) tps[k] = tp;
}

/* Finds the tracepoints; the syscall ones are required, the others are optional. */
int kmod_probes_lookup(void) {
    for_each_kernel_tracepoint(find_tp, NULL);
    if (!tps[TP_SYS_ENTER] || !tps[TP_SYS_EXIT] || !tps[TP_PROC_EXIT] || !tps[TP_PROC_FORK] ||
        !tps[TP_PROC_EXEC]) {
        pr_err(
            "scap_kmod: the kernel lacks the syscall or process tracepoints "
            "(CONFIG_HAVE_SYSCALL_TRACEPOINTS)\n");
        return -ENOENT;
    }
    return 0;
}

static void regs_args(struct pt_regs* regs, uint64_t args[6]) {
    args[0] = regs->di;
    args[1] = regs->si;
    args[2] = regs->dx;
    args[3] = regs->r10;
    args[4] = regs->r8;
    args[5] = regs->r9;
}

/* --- TOCTOU entry records --------------------------------------------------------------- */

/* Which argument an entry record keeps for syscall nr: data_arg, and len_arg < 0 for a string
 * or the argument holding the sockaddr's length. */
static bool toctou_arg(long nr, int* data_arg, int* len_arg) {
    *len_arg = -1;
    switch (nr) {
        case 2:  /* open */
        case 85: /* creat */
        case KMOD_NR_EXECVE:
            *data_arg = 0;
            return true;
        case 257: /* openat */
        case 437: /* openat2 */
        case KMOD_NR_EXECVEAT:
            *data_arg = 1;
            return true;
        case 42: /* connect */
            *data_arg = 1;
            *len_arg = 2;
            return true;
    }
    return false;
}

static void probe_sys_enter(void* data, struct pt_regs* regs, long nr) {
    struct kmod_session* s = data;
    struct kmod_saved* rec;
    int data_arg, len_arg;
    uint32_t sc;
    if (!toctou_arg(nr, &data_arg, &len_arg) || in_compat_syscall()) return;
    sc = s->syscalls[nr].ppm_sc;
    /* execveat's record is kept when only execve is selected too: its exit looks like execve's,
     * and only the record says to drop it. */
    if (!kmod_sc_selected(s, sc) && !(nr == KMOD_NR_EXECVEAT && kmod_sc_selected(s, PPM_SC_EXECVE))) return;
    preempt_disable();
    rec = kmod_saved_new();
    if (!rec) {
        s->rings[smp_processor_id()].prod->n_saved_full++;
        preempt_enable();
        return;
    }
    regs_args(regs, rec->args);
    rec->nr = (uint32_t)nr;
    rec->data_len = 0;
    if (len_arg < 0) {
        long n = kmod_user_str(rec->data, rec->args[data_arg], KMOD_SAVED_DATA);
        rec->data_len = n > 0 ? (uint32_t)n : 0;
    } else {
        uint32_t len = (uint32_t)min_t(uint64_t, rec->args[len_arg], MBPF_SOCKADDR_MAX);
        if (len && kmod_read_user(NULL, rec->data, rec->args[data_arg], len)) rec->data_len = len;
    }
    kmod_saved_put(rec, current->pid);
    preempt_enable();
}

/*
 * execve's path: the entry copy may be empty (a fork child that has not touched the page holding
 * the string cannot have it faulted in by a probe), and a non-leader thread's exec changes the
 * caller's tid. The kernel's own copy (bprm->filename) is valid here, with `current` carrying
 * its final tid: it replaces the entry data, under the new tid.
 */
static void probe_exec(void* data, struct task_struct* p, pid_t old_pid, struct linux_binprm* bprm) {
    struct kmod_session* s = data;
    struct kmod_saved* rec;
    ssize_t n;
    if (!kmod_sc_selected(s, PPM_SC_EXECVE) && !kmod_sc_selected(s, PPM_SC_EXECVEAT)) return;
    rec = kmod_saved_take(old_pid);
    if (!rec) {
        rec = kmod_saved_new();
        if (!rec) return;
        memset(rec->args, 0, sizeof rec->args);
        /* Without an entry record the exit says execve: so do we. */
        rec->nr = KMOD_NR_EXECVE;
    }
    n = bprm->filename ? strscpy(rec->data, bprm->filename, KMOD_SAVED_DATA) : -E2BIG;
    rec->data_len = n < 0 ? 0 : (uint32_t)n + 1;
    kmod_saved_put(rec, current->pid);
}

/* clone3 passes its flags in user memory, usually the caller's stack, which the parent may
 * reuse before the child's exit reads it: copy them under the child's tid while the parent is
 * still inside clone3. */
static void probe_fork(void* data, struct task_struct* parent, struct task_struct* child) {
    struct kmod_session* s = data;
    struct pt_regs* regs = task_pt_regs(parent);
    struct kmod_saved* rec;
    if (!kmod_sc_selected(s, PPM_SC_CLONE3) || parent != current || regs->orig_ax != KMOD_NR_CLONE3) return;
    rec = kmod_saved_new();
    if (!rec) return;
    memset(rec->args, 0, sizeof rec->args);
    rec->args[0] = regs->di;
    rec->nr = KMOD_NR_CLONE3;
    rec->data_len = kmod_read_user(NULL, rec->data, regs->di, 8) ? 8 : 0;
    kmod_saved_put(rec, child->pid);
}

/* --- syscall exit ------------------------------------------------------------------------ */

static void emit_syscall(struct kmod_session* s, struct kmod_evt* ctx, uint16_t code) {
    struct kmod_evt e = *ctx;
    if (!kmod_evt_begin(&e, s, code, s->specs[code].nparams)) return;
    e.saved = ctx->saved;
    e.nr = ctx->nr;
    e.ppm_sc = ctx->ppm_sc;
    e.ret = ctx->ret;
    memcpy(e.args, ctx->args, sizeof e.args);
    kmod_fill_event(&e, code);
    kmod_evt_submit(&e, current->pid);
    kmod_evt_end(&e);
}

static void probe_sys_exit(void* data, struct pt_regs* regs, long ret) {
    struct kmod_session* s = data;
    const long nr = syscall_get_nr(current, regs);
    const struct mbpf_syscall_entry* sc;
    const struct mbpf_fill_spec* spec;
    struct kmod_evt ctx = {};
    uint16_t code;
    uint32_t pm;
    if (nr < 0 || nr >= MBPF_SYSCALL_SLOTS) return;
    if (in_compat_syscall()) {
        /* 32-bit numbering: never misreported, counted. */
        preempt_disable();
        s->rings[smp_processor_id()].prod->n_compat++;
        preempt_enable();
        return;
    }
    sc = &s->syscalls[nr];
    if (!sc->ppm_sc) return;
    ctx.ppm_sc = sc->ppm_sc;
    code = sc->event;
    if (!kmod_sc_selected(s, sc->ppm_sc)) {
        /* A successful execveat exits as execve on x86_64: selected without execve, it must
         * still pass (its entry record turns it into its own event below). */
        if (nr != KMOD_NR_EXECVE || !kmod_sc_selected(s, PPM_SC_EXECVEAT) ||
            kmod_saved_nr(current->pid) != KMOD_NR_EXECVEAT)
            return;
    }
    /* Every code the syscall table names has a row (events without one map to GENERIC_X);
     * some rows have no parameters at all (getsockname). */
    if (code >= KMOD_EVENT_MAX) return;
    ctx.nr = (uint32_t)nr;
    ctx.ret = ret;
    regs_args(regs, ctx.args);
    if (code == PPME_SYSCALL_EXECVE_19_X && kmod_saved_nr(current->pid) == KMOD_NR_EXECVEAT) {
        if (!kmod_sc_selected(s, PPM_SC_EXECVEAT)) {
            kmod_saved_release(kmod_saved_take(current->pid));
            return;
        }
        code = PPME_SYSCALL_EXECVEAT_X;
        ctx.ppm_sc = PPM_SC_EXECVEAT;
    }
    spec = &s->specs[code];
    preempt_disable();
    if (spec->toctou) {
        struct kmod_saved* sv = kmod_saved_take(current->pid);
        ctx.saved = sv;
        if (sv)
            memcpy(ctx.args, sv->args, sizeof ctx.args);
        else
            s->rings[smp_processor_id()].prod->n_toctou_misses++;
    }
    pm = spec->per_message;
    if (pm && pm - 1 < 6 && ret > 0) {
        /* sendmmsg/recvmmsg: one event per message the call moved, each seeing its own
         * msg_len as the return value and its msghdr as the argument. */
        const uint64_t base = ctx.args[pm - 1];
        uint32_t k, n = (uint32_t)min_t(long, ret, MBPF_MMSG_MAX);
        for (k = 0; k < n; k++) {
            const uint64_t hdr = base + (uint64_t)k * MBPF_MMSG_SIZE;
            uint32_t len = 0;
            if (!kmod_read_user(NULL, &len, hdr + MBPF_MMSG_LEN_OFF, 4)) {
                /* The array became unreadable: the remaining messages cannot be described. */
                s->rings[smp_processor_id()].prod->n_drops_pf++;
                break;
            }
            ctx.ret = len;
            ctx.args[pm - 1] = hdr;
            emit_syscall(s, &ctx, code);
        }
    } else {
        /* Failed: no message to describe (sizes, data and names are left empty). */
        if (pm && pm - 1 < 6) ctx.args[pm - 1] = 0;
        emit_syscall(s, &ctx, code);
    }
    kmod_saved_release((struct kmod_saved*)ctx.saved);
    preempt_enable();
}

/* --- non-syscall events ------------------------------------------------------------------ */

static bool tp_enabled(const struct kmod_session* s, uint32_t bit, uint32_t sc) {
    return (s->tracepoints & bit) && kmod_sc_selected(s, sc);
}

static void probe_proc_exit(void* data, struct task_struct* p) {
    struct kmod_session* s = data;
    struct kmod_evt e = {};
    int32_t code;
    /* A thread killed inside a TOCTOU syscall never reaches its exit: drop its record. */
    kmod_saved_release(kmod_saved_take(p->pid));
    if (!tp_enabled(s, KMOD_TP_PROC_EXIT, PPM_SC_SCHED_PROCESS_EXIT)) return;
    preempt_disable();
    if (kmod_evt_begin(&e, s, PPME_PROCEXIT_1_E, 5)) {
        code = p->exit_code;
        kmod_push_int(&e, 0, (uint64_t)(int64_t)code, 8);
        /* Exit status as a shell sees it: exit code when exited, signal number when killed. */
        kmod_push_int(&e, 1, (code & 0x7f) ? 0 : (uint64_t)((code >> 8) & 0xff), 8);
        kmod_push_int(&e, 2, code & 0x7f, 1);
        kmod_push_int(&e, 3, (code & 0x80) ? 1 : 0, 1);
        kmod_push_int(&e, 4, 0, 8); /* reaper: resolved by userspace state from the parent */
        kmod_evt_submit(&e, p->pid);
        kmod_evt_end(&e);
    }
    preempt_enable();
}

static void probe_sched_switch(void* data, bool preempt, struct task_struct* prev, struct task_struct* next,
                               unsigned int prev_state) {
    struct kmod_session* s = data;
    struct kmod_evt e = {};
    if (!tp_enabled(s, KMOD_TP_SCHED_SWITCH, PPM_SC_SCHED_SWITCH)) return;
    if (!kmod_evt_begin(&e, s, PPME_SCHEDSWITCH_6_E, 6)) return;
    kmod_push_int(&e, 0, next->pid, 8);
    kmod_push_int(&e, 1, prev->maj_flt, 8);
    kmod_push_int(&e, 2, prev->min_flt, 8);
    kmod_push_int(&e, 3, kmod_task_vm(prev, 0), 4);
    kmod_push_int(&e, 4, kmod_task_vm(prev, 1), 4);
    kmod_push_int(&e, 5, kmod_task_vm(prev, 2), 4);
    kmod_evt_submit(&e, prev->pid);
    kmod_evt_end(&e);
}

/* x86 page fault error code -> pf_flags. */
static uint32_t pf_flags(unsigned long err) {
    uint32_t f = 0;
    f |= (err & 1) ? 0x1 : 0x2;   /* protection violation : page not present */
    f |= (err & 2) ? 0x4 : 0x8;   /* write : read */
    f |= (err & 4) ? 0x10 : 0x20; /* user : supervisor */
    if (err & 8) f |= 0x40;       /* reserved bit */
    if (err & 16) f |= 0x80;      /* instruction fetch */
    return f;
}

static void probe_page_fault(void* data, unsigned long address, struct pt_regs* regs,
                             unsigned long error_code) {
    struct kmod_session* s = data;
    struct kmod_evt e = {};
    if (!tp_enabled(s, KMOD_TP_PAGE_FAULT, PPM_SC_PAGE_FAULT_USER)) return;
    preempt_disable();
    if (kmod_evt_begin(&e, s, PPME_PAGE_FAULT_E, 3)) {
        kmod_push_int(&e, 0, address, 8);
        kmod_push_int(&e, 1, regs->ip, 8);
        kmod_push_int(&e, 2, pf_flags(error_code), 4);
        kmod_evt_submit(&e, current->pid);
        kmod_evt_end(&e);
    }
    preempt_enable();
}

static void probe_signal(void* data, int sig, struct kernel_siginfo* info, struct k_sigaction* ka) {
    struct kmod_session* s = data;
    struct kmod_evt e = {};
    int64_t spid = 0;
    if (!tp_enabled(s, KMOD_TP_SIGNAL_DELIVER, PPM_SC_SIGNAL_DELIVER)) return;
    /* Only signals sent by a process (kill, tkill, sigqueue) carry a sender pid. */
    if (info && info->si_code <= SI_USER) spid = info->si_pid;
    preempt_disable();
    if (kmod_evt_begin(&e, s, PPME_SIGNALDELIVER_E, 3)) {
        kmod_push_int(&e, 0, (uint64_t)spid, 8);
        kmod_push_int(&e, 1, current->pid, 8);
        kmod_push_int(&e, 2, (uint64_t)sig, 1);
        kmod_evt_submit(&e, current->pid);
        kmod_evt_end(&e);
    }
    preempt_enable();
}

/* --- attach / detach --------------------------------------------------------------------- */

static void* const tp_probes[TP_COUNT] = {
    [TP_SYS_ENTER] = probe_sys_enter, [TP_SYS_EXIT] = probe_sys_exit,
    [TP_PROC_EXIT] = probe_proc_exit, [TP_PROC_FORK] = probe_fork,
    [TP_PROC_EXEC] = probe_exec,      [TP_SCHED_SWITCH] = probe_sched_switch,
    [TP_SIGNAL] = probe_signal,       [TP_PAGE_FAULT] = probe_page_fault,
};

int kmod_probes_start(struct kmod_session* s) {
    /* exec and fork first, then the entry hook, then the exit: no exit is seen without what
     * its filler expects to find saved. */
    static const enum kmod_tp order[] = {TP_PROC_EXEC, TP_PROC_FORK,    TP_SYS_ENTER, TP_SYS_EXIT,
                                         TP_PROC_EXIT, TP_SCHED_SWITCH, TP_SIGNAL,    TP_PAGE_FAULT};
    uint32_t k;
    for (k = 0; k < ARRAY_SIZE(order); k++) {
        const enum kmod_tp t = order[k];
        int err;
        if (t == TP_SCHED_SWITCH && !(s->tracepoints & KMOD_TP_SCHED_SWITCH)) continue;
        if (t == TP_PAGE_FAULT && !(s->tracepoints & KMOD_TP_PAGE_FAULT)) continue;
        if (t == TP_SIGNAL && !(s->tracepoints & KMOD_TP_SIGNAL_DELIVER)) continue;
        if (!tps[t]) {
            pr_warn("scap_kmod: tracepoint %s not available: its events are not captured\n", tp_names[t]);
            continue;
        }
        err = tracepoint_probe_register(tps[t], tp_probes[t], s);
        if (err) {
            pr_err("scap_kmod: cannot attach to tracepoint %s: %d\n", tp_names[t], err);
            kmod_probes_stop(s);
            return err;
        }
        tp_on[t] = true;
    }
    return 0;
}

void kmod_probes_stop(struct kmod_session* s) {
    uint32_t t;
    bool any = false;
    for (t = 0; t < TP_COUNT; t++) {
        if (!tp_on[t]) continue;
        tracepoint_probe_unregister(tps[t], tp_probes[t], s);
        tp_on[t] = false;
        any = true;
    }
    /* No probe may still be running when the caller frees what they use. */
    if (any) tracepoint_synchronize_unregister();
    kmod_saved_clear();
}
