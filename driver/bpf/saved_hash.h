/*
 * The legacy probe's store of TOCTOU entry records (the interface is described in
 * modern_bpf/bpf/saved_task.h, the modern driver's store): a hash map keyed by pid_tgid. Task
 * storage needs BTF task pointers, which this probe does not have.
 */
#ifndef SCAP_BPF_SAVED_HASH_H
#define SCAP_BPF_SAVED_HASH_H

/* Records, per thread (key: pid_tgid). Preallocated: an update takes an element from a per-CPU
 * free list instead of allocating on every open. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8192);
    __type(key, uint64_t);
    __type(value, struct mbpf_saved_args);
} saved_args SEC(".maps");

/* Data of records too long for their inline room (long paths): rare, so allocated on demand. A
 * thread whose long data finds this map full reads it at exit instead (counted as a TOCTOU miss). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, uint64_t);
    __type(value, struct mbpf_saved_data);
} saved_long SEC(".maps");

/* Per-CPU staging: a record is built here, with room for the longest string, then stored. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, uint32_t);
    __type(value, struct mbpf_saved_stage);
} saved_args_stage SEC(".maps");

static __always_inline uint64_t saved_key_of(struct task_struct* t) {
    return ((uint64_t)BPF_CORE_READ(t, tgid) << 32) | (uint32_t)BPF_CORE_READ(t, pid);
}

/* Stores the staged record `sv` under `key`, and its data in saved_long when it is longer than
 * the inline room. */
static __always_inline void saved_put(uint64_t key, struct mbpf_saved_args* sv) {
    if (sv->data_len > MBPF_SAVED_INLINE) bpf_map_update_elem(&saved_long, &key, sv->data, BPF_ANY);
    bpf_map_update_elem(&saved_args, &key, sv, BPF_ANY);
}

static __always_inline void saved_drop_key(uint64_t key, const struct mbpf_saved_args* sv) {
    if (!sv || sv->data_len > MBPF_SAVED_INLINE) bpf_map_delete_elem(&saved_long, &key);
    bpf_map_delete_elem(&saved_args, &key);
}

static __always_inline struct mbpf_saved_args* saved_new(void) {
    uint32_t zero = 0;
    struct mbpf_saved_stage* st = bpf_map_lookup_elem(&saved_args_stage, &zero);
    return st ? &st->head : 0;
}

static __always_inline struct mbpf_saved_args* saved_new_for_child(struct task_struct* child) {
    return saved_new();
}

/* The stage's data room is MBPF_MAX_STR bytes (head.data and rest are contiguous). */
static __always_inline uint32_t saved_read_str(struct mbpf_saved_args* sv, const void* src, int user) {
    long n = user ? bpf_probe_read_user_str(sv->data, MBPF_MAX_STR, src)
                  : bpf_probe_read_kernel_str(sv->data, MBPF_MAX_STR, src);
    return n > 0 ? (uint32_t)n : 0;
}

static __always_inline void saved_commit(struct mbpf_saved_args* sv) {
    saved_put(bpf_get_current_pid_tgid(), sv);
}

static __always_inline void saved_commit_for_child(struct mbpf_saved_args* sv, struct task_struct* child) {
    saved_put(saved_key_of(child), sv);
}

static __always_inline struct mbpf_saved_args* saved_current(void) {
    uint64_t key = bpf_get_current_pid_tgid();
    return bpf_map_lookup_elem(&saved_args, &key);
}

/* Always "no" here: the filler then reads every saved string as a string, as it always has,
 * rather than adding a branch to the legacy fillers, whose verification budget is tight. */
static __always_inline int saved_is_inline(const struct mbpf_saved_args* sv) {
    return 0;
}

static __always_inline const uint8_t* saved_data(const struct mbpf_saved_args* sv) {
    if (sv->data_len <= MBPF_SAVED_INLINE) return sv->data;
    uint64_t key = bpf_get_current_pid_tgid();
    const struct mbpf_saved_data* d = bpf_map_lookup_elem(&saved_long, &key);
    return d ? d->data : 0;
}

static __always_inline void saved_release(struct mbpf_saved_args* sv) {
    saved_drop_key(bpf_get_current_pid_tgid(), sv);
}

/* The thread is exiting: its record goes (the map is bounded). */
static __always_inline void saved_forget_exiting(void) {
    saved_drop_key(bpf_get_current_pid_tgid(), 0);
}

/* After exec: the record the execve entry saved, which an exec from a non-leader thread left
 * under its old tid (`old_pid`), moved under the current ids with the kernel's copy of the
 * path. */
static __always_inline void saved_put_exec(pid_t old_pid, const char* filename) {
    struct mbpf_saved_args* sv = saved_new();
    if (!sv) return;
    uint64_t key = bpf_get_current_pid_tgid();
    uint64_t old_key = (key & ~0xffffffffull) | (uint32_t)old_pid;
    const struct mbpf_saved_args* entry = bpf_map_lookup_elem(&saved_args, &old_key);
    for (int k = 0; k < 6; k++) sv->args[k] = entry ? entry->args[k] : 0;
    /* Without an entry record (entry hooks unavailable) the exit says execve: so do we. */
    sv->nr = entry ? entry->nr : MBPF_NR_EXECVE;
    sv->data_len = saved_read_str(sv, filename, 0);
    if (old_key != key) saved_drop_key(old_key, 0);
    saved_put(key, sv);
}

#endif /* SCAP_BPF_SAVED_HASH_H */
