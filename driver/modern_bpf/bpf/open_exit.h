/*
 * The open family's exit (open, openat, creat: rows marked MBPF_FAST_ROW_OPEN by userspace),
 * built in place in the ring like the integer rows (build_in_place): the arguments and the path
 * come from the record the entry hook saved, the dev, inode and "created" flag from the returned
 * fd's file. No tail call, no second syscall-table lookup, no scratch area, no per-parameter
 * interpreter, no copy out of the scratch area: what is left is the work the event itself needs.
 *
 * Only the usual case is taken here: the thread's record belongs to this call and holds the
 * whole path inline. Anything else (no record, a stale one, a path the entry could not read or
 * that did not fit inline) returns to the caller, which sends the call to the table filler:
 * it handles those cases and counts them.
 */
#ifndef MBPF_OPEN_EXIT_H
#define MBPF_OPEN_EXIT_H

#include "in_place.h"

/* The exit of open-family syscall `nr` (event `code`): 0 when the event was built here (or lost,
 * counted), -1 when the table filler must build it. */
static __always_inline int emit_fast_open(struct task_struct* t, struct pt_regs* regs, long ret, uint32_t nr,
                                          uint32_t code) {
    struct mbpf_saved_args* sv = saved_current();
    /* The stale-record and long-path cases are the table filler's (table_exit_begin). */
    if (!sv || sv->nr != nr) return -1;
    uint32_t path_len = sv->data_len;
    if (path_len == 0 || path_len >= MBPF_SAVED_INLINE) return -1;
    /* Two record classes, by the path's length (mark_open_row checks the row fits both). */
    if (path_len <= MBPF_FAST_OPEN_SHORT)
        build_in_place(t, regs, sv, path_len, ret, nr, 0, code, MBPF_FAST_OPEN_SMALL, MBPF_FAST_OPEN_SHORT,
                       MBPF_FAST_OPEN_PARAMS);
    else
        build_in_place(t, regs, sv, path_len, ret, nr, 0, code, MBPF_FAST_OPEN_LARGE, MBPF_SAVED_INLINE,
                       MBPF_FAST_OPEN_PARAMS);
    saved_release(sv);
    return 0;
}

#endif /* MBPF_OPEN_EXIT_H */
