/*
 * The open family's exit (open, openat, creat: rows marked MBPF_FAST_ROW_OPEN by userspace),
 * built in place in the ring like the integer rows: the arguments and the path come from the
 * record the entry hook saved, the dev, inode and "created" flag from the returned fd's file.
 * No tail call, no second syscall-table lookup, no scratch area, no per-parameter interpreter,
 * no copy out of the scratch area: what is left is the work the event itself needs.
 *
 * Only the usual case is taken here: the thread's record belongs to this call and holds the
 * whole path inline. Anything else (no record, a stale one, a path the entry could not read or
 * that did not fit inline) returns to the caller, which sends the call to the table filler:
 * it handles those cases and counts them.
 */
#ifndef MBPF_OPEN_EXIT_H
#define MBPF_OPEN_EXIT_H

#include "fast_record.h"
#include "fill.h"

/* The event in a record of `cap` bytes whose path room is `room` bytes (cap >= fast_len + room:
 * mark_open_row). Both are constants: one copy of this per record class. */
static __always_inline void build_open_event(struct mbpf_counters* c, struct task_struct* t, long ret,
                                             uint32_t code, struct mbpf_saved_args* sv, uint32_t path_len,
                                             const uint32_t cap, const uint32_t room) {
    /* Read before reserving: the record is held for as short a time as possible. */
    struct mbpf_file_facts ff = {};
    if (ret >= 0) read_file_facts(fd_to_file(ret), &ff);
    void* rb = 0;
    uint8_t* p = fast_reserve(c, cap, &rb);
    if (!p) return;
    uint32_t n = fill_specs[code].nparams;
    if (n > MBPF_FAST_OPEN_PARAMS) n = MBPF_FAST_OPEN_PARAMS;
    uint32_t off = MBPF_HDR_SIZE + 2 * n;
    for (uint32_t k = 0; k < MBPF_FAST_OPEN_PARAMS; k++) {
        if (k >= n) break;
        const volatile struct mbpf_param_src* src = &fill_specs[code].params[k];
        uint32_t kind = src->kind;
        /* The register the verifier sees must carry the bound itself (no re-derived copy). */
        uint64_t o = off;
        asm volatile("" : "+r"(o));
        if (o > cap - 8) goto bug;
        uint32_t size;
        if (kind == MBPF_SRC_ARG_STR) {
            if (o > cap - room) goto bug;
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
                v = sv->args[a < 6 ? a : 0];
                /* fd arguments are C ints: the upper half of the register is not theirs. */
                if (src->type == MBPF_PT_FD || src->type == MBPF_PT_PID) v = (uint64_t)(int64_t)(int32_t)v;
            } else if (kind == MBPF_SRC_FD_DEV)
                v = ff.dev;
            else if (kind == MBPF_SRC_FD_INO)
                v = ff.ino;
            else
                v = src->aux;
            if (src->conv) v = convert_flags_fn(src->conv, v);
            /* Open flags: O_F_CREATED when this call created the file (post_fixup in fill.h). */
            if (src->post == MBPF_POST_CREATED && (ff.mode & MBPF_FMODE_CREATED)) v |= ppm_o_f_created;
            /* One 8-byte store, as in emit_fast. */
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

/* The exit of open-family syscall `nr` (event `code`): 0 when the event was built here (or lost,
 * counted), -1 when the table filler must build it. */
static __always_inline int emit_fast_open(struct task_struct* t, long ret, uint32_t nr, uint32_t code) {
    struct mbpf_saved_args* sv = saved_current();
    /* The stale-record and long-path cases are the table filler's (table_exit_begin). */
    if (!sv || sv->nr != nr) return -1;
    uint32_t path_len = sv->data_len;
    if (path_len == 0 || path_len >= MBPF_SAVED_INLINE) return -1;
    struct mbpf_counters* c = counters_get();
    if (!c || code >= MBPF_EVENT_MAX) return -1;
    if (path_len <= MBPF_FAST_OPEN_SHORT)
        build_open_event(c, t, ret, code, sv, path_len, MBPF_FAST_OPEN_SMALL, MBPF_FAST_OPEN_SHORT);
    else
        build_open_event(c, t, ret, code, sv, path_len, MBPF_FAST_OPEN_LARGE, MBPF_SAVED_INLINE);
    saved_release(sv);
    return 0;
}

#endif /* MBPF_OPEN_EXIT_H */
