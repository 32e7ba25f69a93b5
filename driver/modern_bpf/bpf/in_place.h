/*
 * Events built in place in the ring buffer: the dispatcher's fast rows (syscall_exit.h: integer
 * and I/O rows; open_exit.h: the open family). A record of a constant size class is reserved,
 * the parameters are stored into it, and the header is written last. The ring reader takes an
 * event's length from its header, so the rest of the class is slack.
 */
#ifndef MBPF_IN_PLACE_H
#define MBPF_IN_PLACE_H

#include "fill.h"
#include "ring_output.h"

#define MBPF_WAKE_CHECK_EVERY 64u

/* A record of `cap` bytes (a constant: bpf_ringbuf_reserve takes no other) in the ring of this
 * CPU's group, or 0 (counted). *rb_out: that ring, for fast_submit. */
static __always_inline uint8_t* fast_reserve(struct mbpf_counters* c, uint32_t cap, void** rb_out) {
    uint32_t idx = bpf_get_smp_processor_id() / (cpus_per_buffer ? cpus_per_buffer : 1);
    void* rb = bpf_map_lookup_elem(&ringbufs, &idx);
    if (!rb) {
        c->n_drops_bug++;
        return 0;
    }
    uint8_t* p = bpf_ringbuf_reserve(rb, cap, 0);
    if (!p) {
        c->n_drops_buffer++;
        return 0;
    }
    *rb_out = rb;
    return p;
}

/* Writes the header of the event at p (`len` bytes, `n` parameters) and hands it to the reader. */
static __always_inline void fast_submit(struct mbpf_counters* c, void* rb, uint8_t* p, struct task_struct* t,
                                        uint32_t code, uint32_t n, uint32_t len) {
    struct mbpf_evt_hdr* h = (void*)p;
    h->ts = bpf_ktime_get_boot_ns() + boot_to_epoch_ns;
    h->tid = (uint32_t)t->pid; /* a direct load from the trusted task pointer, no helper call */
    h->len = len;
    h->type = (uint16_t)code;
    h->nparams = n;
    /* See event_submit: wake the reader only once the buffer starts to fill. Looking at the fill
     * level every MBPF_WAKE_CHECK_EVERY events is enough: that many small records are far below
     * the threshold's distance to a full buffer. */
    uint64_t wake = BPF_RB_NO_WAKEUP;
    if ((c->n_evts & (MBPF_WAKE_CHECK_EVERY - 1)) == 0 &&
        bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
        wake = BPF_RB_FORCE_WAKEUP;
    bpf_ringbuf_submit(p, wake);
    c->n_evts++;
}

/* A record that turned out wrong (a bound the row should have kept): given back, counted. */
static __always_inline void fast_discard(struct mbpf_counters* c, uint8_t* p) {
    bpf_ringbuf_discard(p, BPF_RB_NO_WAKEUP);
    c->n_drops_bug++;
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

/*
 * Builds the event of a fast row in place: no scratch area, no bpf_loop, no copy. Where its values
 * come from:
 * - integer and I/O rows (sv == 0): the registers; at most one I/O buffer (cap == MBPF_FAST_IO);
 * - open rows (sv, the call's entry record): the arguments and the path (path_len bytes, in a
 *   room of `room` bytes) from the record, the dev, inode and "created" flag from the returned
 *   fd's file.
 * cap, room and max_params are constants at each call site, and so is sv's being 0 for the
 * register rows: the compiler leaves out what a site cannot use. Flag conversions go through
 * convert_flags_fn, a global function, so their rule loop is verified once, not per parameter.
 */
static __always_inline void build_in_place(struct task_struct* t, struct pt_regs* regs,
                                           struct mbpf_saved_args* sv, uint32_t path_len, long ret,
                                           uint32_t nr, uint32_t sc, uint32_t code, const uint32_t cap,
                                           const uint32_t room, const uint32_t max_params) {
    /* Read before reserving: the record is held for as short a time as possible. */
    struct mbpf_file_facts ff = {};
    if (sv && ret >= 0) read_file_facts(fd_to_file(ret), &ff);
    struct mbpf_counters* c = counters_get();
    if (!c || code >= MBPF_EVENT_MAX) return;
    void* rb = 0;
    uint8_t* p = fast_reserve(c, cap, &rb);
    if (!p) return;
    uint32_t n = fill_specs[code].nparams;
    if (n > max_params) n = max_params;
    uint32_t off = MBPF_HDR_SIZE + 2 * n;
    for (uint32_t k = 0; k < max_params; k++) {
        if (k >= n) break;
        const volatile struct mbpf_param_src* src = &fill_specs[code].params[k];
        uint32_t kind = src->kind;
        /* The register the verifier sees must carry the bound itself (no re-derived copy). */
        uint64_t o = off;
        asm volatile("" : "+r"(o));
        if (o > cap - 8) goto bug;
        uint32_t size;
        if (!sv && (kind == MBPF_SRC_BUF_RET || kind == MBPF_SRC_BUF_ARG)) {
            if (cap < MBPF_FAST_IO || o > cap - MBPF_FAST_DATA) goto bug; /* see mark_fast_row */
            size = copy_fast_data(c, p + o, kind == MBPF_SRC_BUF_RET, regs, ret, src->arg, src->aux);
        } else if (sv && kind == MBPF_SRC_ARG_STR) {
            if (o > cap - room) goto bug; /* see mark_open_row */
            /* The whole room, straight-line: a copy bounded by the length would make the verifier
             * walk each length. What lies past the path is overwritten by the next parameter or
             * is slack past the event's end. */
            const uint64_t* from = (const uint64_t*)sv->data;
#pragma unroll
            for (uint32_t w = 0; w < room / 8; w++) *(uint64_t*)(p + o + w * 8) = from[w];
            size = path_len;
        } else {
            uint64_t v;
            if (kind == MBPF_SRC_RET)
                v = (uint64_t)ret;
            else if (kind == MBPF_SRC_ARG) {
                uint32_t a = src->arg; /* read once: the table is volatile */
                v = sv ? sv->args[a < 6 ? a : 0] : reg_arg(regs, a);
                /* fd and pid arguments are C ints: the upper half of the register is not theirs. */
                if (src->type == MBPF_PT_FD || src->type == MBPF_PT_PID) v = (uint64_t)(int64_t)(int32_t)v;
            } else if (kind == MBPF_SRC_PPM_SC)
                v = sc;
            else if (kind == MBPF_SRC_NATIVE_NR)
                v = nr;
            else if (sv && kind == MBPF_SRC_FD_DEV)
                v = ff.dev;
            else if (sv && kind == MBPF_SRC_FD_INO)
                v = ff.ino;
            else
                v = src->aux;
            if (src->conv) v = convert_flags_fn(src->conv, v);
            /* Open flags: O_F_CREATED when this call created the file (post_fixup in fill.h). */
            if (sv && src->post == MBPF_POST_CREATED && (ff.mode & MBPF_FMODE_CREATED)) v |= ppm_o_f_created;
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

#endif /* MBPF_IN_PLACE_H */
