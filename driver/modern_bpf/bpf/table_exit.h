/*
 * The table-driven exit: the tail-call target of both drivers' sys_exit dispatchers. It loads the
 * syscall's arguments (or the ones its entry saved), recognises execveat exiting as execve, and
 * builds the event from its fill_table.def row (one event per message for sendmmsg/recvmmsg).
 */
#ifndef MBPF_TABLE_EXIT_H
#define MBPF_TABLE_EXIT_H

#include "fill.h"

static __always_inline const struct mbpf_syscall_entry* selected_syscall(uint32_t nr) {
    const struct mbpf_syscall_entry* e = bpf_map_lookup_elem(&syscall_table, &nr);
    if (!e || !e->ppm_sc) return 0;
    return sc_is_selected(e->ppm_sc) ? e : 0;
}

/* The current thread is leaving a successful execveat that was selected: its entry record says
 * so (the exit itself looks like execve's). */
static __always_inline int execveat_exiting(void) {
    if (!sc_is_selected(PPM_SC_EXECVEAT)) return 0;
    const struct mbpf_saved_args* sv = saved_current();
    return sv && sv->nr == MBPF_NR_EXECVEAT;
}

struct message_loop_ctx {
    void* ctx; /* the program's context (the output path may need it) */
    uint32_t code;
    uint32_t arg;  /* argument holding the struct mmsghdr array */
    uint64_t base; /* its address */
};

/* Message i of a sendmmsg/recvmmsg: the row's RET becomes the message's msg_len and its MSG_*
 * sources read the message's msghdr (see PER_MESSAGE in fill_table.def). 0: stop the loop. */
static __always_inline struct mbpf_scratch* message_begin(uint32_t i, struct message_loop_ctx* c) {
    struct mbpf_scratch* s = scratch_get();
    if (!s || c->arg >= 6) return 0;
    uint64_t hdr = c->base + (uint64_t)i * MBPF_MMSG_SIZE;
    uint32_t len = 0;
    if (bpf_probe_read_user(&len, sizeof len, (const void*)(hdr + MBPF_MMSG_LEN_OFF))) {
        /* The array became unreadable: the remaining messages cannot be described. Counted. */
        struct mbpf_counters* cnt = counters_get();
        if (cnt) cnt->n_drops_pf++;
        return 0;
    }
    s->ret = len;
    s->args[MBPF_MASK(c->arg, 7)] = hdr; /* c->arg < 6 (checked above): the mask is for the verifier */
    return s;
}

/* The event syscall `nr` exits with (-1: none), its return value `ret` recorded; the caller has
 * put the register arguments in s->args. Not through a stack array: the calling program's frame is
 * the first of the filler's call chain (program, emit_message, fill_one, fill_param,
 * push_walked_path), which the verifier caps at 512 bytes in all, each frame rounded up to 32.
 * TOCTOU syscalls: the arguments saved at entry replace the registers, *saved says where. */
static __always_inline int64_t table_exit_begin(struct mbpf_scratch* s, uint32_t nr, long ret,
                                                struct mbpf_saved_args** saved) {
    const struct mbpf_syscall_entry* e = bpf_map_lookup_elem(&syscall_table, &nr);
    if (!e) return -1;
    uint32_t code = e->event;
    if (code >= MBPF_EVENT_MAX) return -1;
    s->nr = nr;
    s->ppm_sc = e->ppm_sc;
    s->ret = ret;

    s->code = code;
    s->saved = 0;
    if (code == PPME_SYSCALL_EXECVE_19_X) {
        /* A successful execveat exits as "execve" on x86_64: its entry record says what it was. */
        struct mbpf_saved_args* sv = saved_current();
        if (sv && sv->nr == MBPF_NR_EXECVEAT) {
            /* Here because execve is selected: execveat may not be. */
            if (!sc_is_selected(PPM_SC_EXECVEAT)) {
                saved_release(sv);
                return -1;
            }
            s->code = PPME_SYSCALL_EXECVEAT_X;
            s->ppm_sc = PPM_SC_EXECVEAT;
        }
    }
    /* Read back through the map: a constant code here would make the verifier walk the whole
     * filler once more for it (and run out of its instruction budget). */
    code = *(volatile uint32_t*)&s->code;
    if (code >= MBPF_EVENT_MAX) return -1;
    *saved = 0;
    if (fill_specs[code].toctou) {
        struct mbpf_saved_args* sv = saved_current();
        /* A record whose call's exit was not captured (the selection changed in between) is
         * not this call's: execveat's is the only one that exits under another number. */
        if (sv && sv->nr != nr && !(nr == MBPF_NR_EXECVE && sv->nr == MBPF_NR_EXECVEAT)) {
            saved_release(sv);
            sv = 0;
        }
        if (sv) {
            for (int k = 0; k < 6; k++) s->args[k] = sv->args[k];
            *saved = sv;
            s->saved = 1;
        } else {
            struct mbpf_counters* c = counters_get();
            if (c) c->n_toctou_misses++;
        }
    }
    return code;
}

/*
 * The table-driven exit over filler `name` (MBPF_DEFINE_FILLER): table_exit_<name>(ctx, s, nr, ret)
 * builds the exit event of syscall `nr` (see table_exit_begin), one per message for
 * sendmmsg/recvmmsg (emit_message_<name>, the per-message bpf_loop callback).
 */
#define MBPF_DEFINE_TABLE_EXIT(name)                                                                         \
    static long emit_message_##name(uint32_t i, void* vctx) {                                                \
        struct message_loop_ctx* c = vctx;                                                                   \
        struct mbpf_scratch* s = message_begin(i, c);                                                        \
        if (!s) return 1;                                                                                    \
        fill_from_table_##name(c->ctx, s, c->code);                                                          \
        return 0;                                                                                            \
    }                                                                                                        \
    static __always_inline int table_exit_##name(void* ctx, struct mbpf_scratch* s, uint32_t nr, long ret) { \
        struct mbpf_saved_args* sv = 0;                                                                      \
        int64_t code = table_exit_begin(s, nr, ret, &sv);                                                    \
        if (code < 0 || code >= MBPF_EVENT_MAX) return 0;                                                    \
        uint32_t pm = fill_specs[code].per_message;                                                          \
        if (pm && ret > 0) {                                                                                 \
            /* sendmmsg/recvmmsg: one event per message the call moved. */                                   \
            struct message_loop_ctx c = {                                                                    \
                .ctx = MBPF_CALLBACK_CTX(ctx), .code = code, .arg = pm - 1, .base = arg_of(s, pm - 1)};      \
            bpf_loop(ret < MBPF_MMSG_MAX ? (uint32_t)ret : MBPF_MMSG_MAX, emit_message_##name, &c, 0);       \
        } else {                                                                                             \
            /* Failed: no message to describe (sizes, data and names are left empty). */                     \
            if (pm && pm - 1 < 6) s->args[pm - 1] = 0;                                                       \
            fill_from_table_##name(ctx, s, code);                                                            \
        }                                                                                                    \
        if (sv) saved_release(sv);                                                                           \
        return 0;                                                                                            \
    }

#endif /* MBPF_TABLE_EXIT_H */
