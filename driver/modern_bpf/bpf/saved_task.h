/*
 * Where the TOCTOU entry hooks keep what they save (toctou_save.h), per thread: task storage, a
 * record hanging off the task itself. The first save of a thread creates it; later ones reuse
 * it in place, so an open pays no hash, no bucket lock, no copy from a staging area and no
 * delete at exit (the record is marked used instead), and the kernel frees it with the task.
 * An exec from a non-leader thread changes the caller's tid but not its task, so the record
 * stays where the exit looks.
 *
 * The interface, shared with the legacy probe's hash-map store (driver/bpf/saved_hash.h):
 *   saved_new()                   a record to fill for the current thread, 0 when none can be had
 *   saved_new_for_child(child)    the same for a fork child (clone3's flags)
 *   saved_read_str(sv, src, user) copies a string into sv's data, returns its length (NUL
 *                                 included; 0 when unreadable)
 *   saved_commit(sv), saved_commit_for_child(sv, child)   makes the filled record visible
 *   saved_current()               the current thread's live record, or 0
 *   saved_is_inline(sv)           whether its data is all in sv->data, data_len bytes (a store
 *                                 may always say no: the data is then read as a string)
 *   saved_data(sv)                its whole data, or 0 when the long part is missing
 *   saved_release(sv)             the record has been used (or is stale)
 *   saved_forget_exiting()        the current thread is exiting
 *   saved_put_exec(old_pid, filename)   after exec: the kernel's copy of the path
 */
#ifndef MBPF_SAVED_TASK_H
#define MBPF_SAVED_TASK_H

/* `nr` of a record that holds nothing (used, or just created: storage starts zeroed). 0 is read,
 * never a saving syscall. */
#define MBPF_SAVED_NONE 0u

struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, struct mbpf_saved_args);
} saved_args SEC(".maps");

/* The whole data of strings that fill the inline room (long paths): rare, created for the few
 * threads that need it. Without it (allocation failed) the exit reads the string itself,
 * counted as a TOCTOU miss. */
struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, struct mbpf_saved_data);
} saved_long SEC(".maps");

static __always_inline struct mbpf_saved_args* saved_new(void) {
    return bpf_task_storage_get(&saved_args, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static __always_inline struct mbpf_saved_args* saved_new_for_child(struct task_struct* child) {
    return bpf_task_storage_get(&saved_args, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* Straight into the record. A string that fills the inline room may be longer: read again,
 * whole, into the long part. data_len >= MBPF_SAVED_INLINE means "in the long part" here (a
 * string of exactly the inline size included, so the two copies are never mixed). */
static __always_inline uint32_t saved_read_str(struct mbpf_saved_args* sv, const void* src, int user) {
    long n;
    if (user) {
        /* Through the stack: a user string copied straight into the record (a slab object)
         * pays the hardened-usercopy heap check on every open, which costs more than moving
         * the inline room over with straight-line 8-byte stores. */
        uint64_t staged[MBPF_SAVED_INLINE / 8] = {};
        n = bpf_probe_read_user_str(staged, MBPF_SAVED_INLINE, src);
        if (n > 0 && n < (long)MBPF_SAVED_INLINE) {
#pragma unroll
            for (uint32_t w = 0; w < MBPF_SAVED_INLINE / 8; w++) ((uint64_t*)sv->data)[w] = staged[w];
            return (uint32_t)n;
        }
    } else {
        n = bpf_probe_read_kernel_str(sv->data, MBPF_SAVED_INLINE, src);
    }
    if (n < (long)MBPF_SAVED_INLINE) return n > 0 ? (uint32_t)n : 0;
    struct mbpf_saved_data* d =
        bpf_task_storage_get(&saved_long, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!d) return MBPF_SAVED_INLINE; /* "long", with no long part: saved_data says missing */
    n = user ? bpf_probe_read_user_str(d->data, MBPF_MAX_STR, src)
             : bpf_probe_read_kernel_str(d->data, MBPF_MAX_STR, src);
    if (n <= 0) return 0;
    /* Shorter this time (rewritten between the reads): still the long part's copy. */
    return n < (long)MBPF_SAVED_INLINE ? MBPF_SAVED_INLINE : (uint32_t)n;
}

/* Records are filled in place: nothing to store. The caller sets `nr` last, which is what makes
 * a record live (only its own thread, or the parent before the child runs, writes it). */
static __always_inline void saved_commit(struct mbpf_saved_args* sv) {}
static __always_inline void saved_commit_for_child(struct mbpf_saved_args* sv, struct task_struct* child) {}

static __always_inline struct mbpf_saved_args* saved_current(void) {
    struct mbpf_saved_args* sv = bpf_task_storage_get(&saved_args, bpf_get_current_task_btf(), 0, 0);
    return sv && sv->nr != MBPF_SAVED_NONE ? sv : 0;
}

static __always_inline int saved_is_inline(const struct mbpf_saved_args* sv) {
    return sv->data_len < MBPF_SAVED_INLINE;
}

static __always_inline const uint8_t* saved_data(const struct mbpf_saved_args* sv) {
    if (saved_is_inline(sv)) return sv->data;
    const struct mbpf_saved_data* d = bpf_task_storage_get(&saved_long, bpf_get_current_task_btf(), 0, 0);
    return d ? d->data : 0;
}

static __always_inline void saved_release(struct mbpf_saved_args* sv) {
    if (!sv) sv = saved_current();
    if (sv) sv->nr = MBPF_SAVED_NONE;
}

/* The storage goes with the task: an exiting thread's record needs no cleanup. */
static __always_inline void saved_forget_exiting(void) {}

/* The execve entry's record is the current task's whatever its tid now is: keep its arguments
 * and number, take the kernel's copy of the path. */
static __always_inline void saved_put_exec(pid_t old_pid, const char* filename) {
    struct mbpf_saved_args* sv = saved_new();
    if (!sv) return;
    uint32_t nr = sv->nr;
    if (nr != MBPF_NR_EXECVE && nr != MBPF_NR_EXECVEAT) {
        /* Without an entry record (entry hooks unavailable) the exit says execve: so do we. */
        for (int k = 0; k < 6; k++) sv->args[k] = 0;
        nr = MBPF_NR_EXECVE;
    }
    sv->data_len = saved_read_str(sv, filename, 0);
    sv->nr = nr;
}

#endif /* MBPF_SAVED_TASK_H */
