/*
 * The only syscall hook: the sys_exit raw tracepoint. The dispatcher drops unknown and
 * unselected syscalls before doing anything else, then tail-calls the program registered for
 * the syscall's exit event (userspace fills exit_programs: the table-driven filler for every
 * event with a fill_table.def row).
 */
#ifndef MBPF_SYSCALL_EXIT_H
#define MBPF_SYSCALL_EXIT_H

#include "fast_record.h"
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

/* Integer argument `arg` of the syscall, straight from the registers. */
static __always_inline uint64_t reg_arg(struct pt_regs* regs, uint32_t arg) {
    switch (arg) {
        case 0:
            return regs->di;
        case 1:
            return regs->si;
        case 2:
            return regs->dx;
        case 3:
            return regs->r10;
        case 4:
            return regs->r8;
        default:
            return regs->r9;
    }
}

/* Ring records the fast path reserves: a constant size is what bpf_ringbuf_reserve accepts.
 * Two classes keep small events (getpid's 34 bytes, close's 46) small in the buffer; the third
 * holds rows with one I/O buffer (read, write & co.: up to MBPF_FAST_DATA bytes of data). */
#define MBPF_FAST_SMALL 48u
#define MBPF_FAST_LARGE 88u /* 26 + 6 * (2 + 8) */
/* MBPF_FAST_IO (shared/abi.h): the I/O class */

/* Stack room for a fast row's data: the power of two above MBPF_FAST_DATA (a mask bound). */
#define MBPF_FAST_STAGE 128u
_Static_assert(MBPF_FAST_DATA <= MBPF_FAST_STAGE && (MBPF_FAST_STAGE & (MBPF_FAST_STAGE - 1)) == 0,
               "the stage must be a power of two that holds the data");

/* Copies the data of a fast I/O row (at most MBPF_FAST_DATA bytes, at most the snaplen) to
 * `dst`, which has room for MBPF_FAST_DATA bytes; returns its length. `from_ret`: the length
 * is what the call returned (read), else the size argument `len_arg` (write). */
static __always_inline uint32_t copy_fast_data(struct mbpf_counters* c, uint8_t* dst, int from_ret,
                                               struct pt_regs* regs, long ret, uint32_t buf_arg,
                                               uint32_t len_arg) {
    uint64_t want = from_ret ? (ret > 0 ? (uint64_t)ret : 0) : reg_arg(regs, len_arg);
    const void* ubuf = (const void*)reg_arg(regs, buf_arg);
    /* Userspace marks I/O rows fast only while snaplen <= MBPF_FAST_DATA. */
    uint32_t len = want < MBPF_FAST_DATA ? (uint32_t)want : MBPF_FAST_DATA;
    if (len > snaplen) len = snaplen;
    if (!ubuf) len = 0;
    /* The clamps above may be done on a copy the verifier does not tie to len: a mask on len
     * itself is a bound it always sees (the stage has room for it). */
    asm volatile("" : "+r"(len));
    len &= MBPF_FAST_STAGE - 1;
    /* Through the stack: a user copy into the ring's vmalloc'ed pages pays the hardened
     * usercopy check (a vmap area lookup), which costs more than the copy itself. */
    uint64_t staged[MBPF_FAST_STAGE / 8] = {};
    if (len && bpf_probe_read_user(staged, len, ubuf)) {
        len = 0;
        c->n_drops_pf++; /* counted like the generic path: the event is still sent */
    }
    /* Always the whole data room, straight-line: a copy bounded by len would make the verifier
     * walk each length. Bytes past len are zeros in slack the next parameter overwrites. */
#pragma unroll
    for (uint32_t w = 0; w < MBPF_FAST_DATA / 8; w++) *(uint64_t*)(dst + w * 8) = staged[w];
    return len;
}

/* Builds a fast row's event in place in the ring buffer: rows of integers (the generic event of
 * getpid & co., close, dup, fcntl...) and rows with one I/O buffer (read, write...), most of the
 * syscall volume, need no scratch area, no bpf_loop, no copy. Flag conversions go through
 * convert_flags_fn, a global function, so their rule loop is verified once, not per parameter. */
static __always_inline void emit_fast(struct task_struct* t, struct pt_regs* regs, long ret, uint32_t nr,
                                      uint32_t sc, uint32_t code, uint32_t cap) {
    struct mbpf_counters* c = counters_get();
    if (!c || code >= MBPF_EVENT_MAX) return;
    void* rb = 0;
    uint8_t* p = fast_reserve(c, cap, &rb);
    if (!p) return;
    uint32_t n = fill_specs[code].nparams;
    if (n > MBPF_FAST_PARAMS) n = MBPF_FAST_PARAMS;
    uint32_t off = MBPF_HDR_SIZE + 2 * n;
    for (uint32_t k = 0; k < MBPF_FAST_PARAMS; k++) {
        if (k >= n) break;
        const volatile struct mbpf_param_src* src = &fill_specs[code].params[k];
        uint32_t kind = src->kind;
        /* The register the verifier sees must carry the bound itself (no re-derived copy). */
        uint64_t o = off;
        asm volatile("" : "+r"(o));
        if (o > cap - 8) goto bug;
        uint32_t size;
        if (kind == MBPF_SRC_BUF_RET || kind == MBPF_SRC_BUF_ARG) {
            if (cap < MBPF_FAST_IO || o > cap - MBPF_FAST_DATA) goto bug; /* see mark_fast_row */
            size = copy_fast_data(c, p + o, kind == MBPF_SRC_BUF_RET, regs, ret, src->arg, src->aux);
        } else {
            uint64_t v;
            if (kind == MBPF_SRC_RET)
                v = (uint64_t)ret;
            else if (kind == MBPF_SRC_ARG) {
                v = reg_arg(regs, src->arg);
                /* fd and pid arguments are C ints: the upper half of the register is not theirs. */
                if (src->type == MBPF_PT_FD || src->type == MBPF_PT_PID) v = (uint64_t)(int64_t)(int32_t)v;
            } else if (kind == MBPF_SRC_PPM_SC)
                v = sc;
            else if (kind == MBPF_SRC_NATIVE_NR)
                v = nr;
            else
                v = src->aux;
            if (src->conv) v = convert_flags_fn(src->conv, v);
            /* Always an 8-byte little-endian store, then advance by the parameter's width: the
             * bytes past it are overwritten by the next parameter or lie past the event's end
             * (the record class leaves room). One store instead of one per width keeps the
             * verifier from walking every combination of widths. */
            *(uint64_t*)(p + o) = v;
            size = src->size & 15;
        }
        *(uint16_t*)(p + MBPF_HDR_SIZE + 2 * k) = (uint16_t)size;
        off += size;
    }
    fast_submit(c, rb, p, t, code, n, off);
    return;
bug:
    fast_discard(c, p);
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
        if (emit_fast_open(t, ret, nr, code) == 0) return 0;
    } else if (fast) {
        /* The bulk of the syscall volume is built right here: no tail call, no second lookup.
         * One call site per record class, each with its constant size. */
        uint32_t len = fill_specs[code].fast_len;
        if (len <= MBPF_FAST_SMALL)
            emit_fast(t, regs, ret, nr, e->ppm_sc, code, MBPF_FAST_SMALL);
        else if (len <= MBPF_FAST_LARGE)
            emit_fast(t, regs, ret, nr, e->ppm_sc, code, MBPF_FAST_LARGE);
        else
            emit_fast(t, regs, ret, nr, e->ppm_sc, code, MBPF_FAST_IO);
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
