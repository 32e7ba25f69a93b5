/*
 * The in-kernel pre-filter (proposal 0011): before an exit event is reserved or filled, the
 * dispatcher checks the event code's entry in `prefilter` (written by userspace from the user's
 * filter) against what the exit already has at hand: the return value and the task's ids and
 * comm. Every entry is a necessary condition of the filter, so a dropped event could not match.
 *
 * The comm atoms compare the kernel's comm with what userspace's thread state calls proc.name.
 * Both agree from the /proc snapshot on, and through clone and execve (their events carry the
 * comm), but a thread renamed later (prctl(PR_SET_NAME), a write to /proc/.../comm) keeps its old
 * name in userspace: such threads are remembered here and pass every comm atom until they exec.
 */
#ifndef MBPF_PREFILTER_H
#define MBPF_PREFILTER_H

#include "maps.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, MBPF_EVENT_MAX);
    __type(key, uint32_t);
    __type(value, struct mbpf_prefilter);
} prefilter SEC(".maps");

/* A thread, as long as it lives: the thread id with its start time (ids are reused). */
struct mbpf_task_key {
    uint64_t start_ns;
    uint32_t tid;
    uint32_t pad;
};

/* Threads renamed since capture started (see above). Renames are rare: allocated on demand. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct mbpf_task_key);
    __type(value, uint8_t);
} renamed_tasks SEC(".maps");

/* --- switches, written by userspace ------------------------------------------------------------ */
volatile uint32_t prefilter_on = 0; /* some entry is active: look the event code up */
/* Set here when a rename could not be remembered (map full): comm atoms then accept everything. */
volatile uint32_t prefilter_comm_lost = 0;

static __always_inline struct mbpf_task_key task_key(struct task_struct* t) {
    struct mbpf_task_key k = {.start_ns = BPF_CORE_READ(t, start_time),
                              .tid = (uint32_t)BPF_CORE_READ(t, pid)};
    return k;
}

static __always_inline int id_in(const uint32_t* set, uint32_t n, uint32_t id) {
#pragma unroll
    for (uint32_t i = 0; i < MBPF_PF_SET; i++)
        if (i < n && set[i] == id) return 1;
    return 0;
}

static __always_inline int comm_passes(const struct mbpf_prefilter* f, struct task_struct* t) {
    if (prefilter_comm_lost) return 1;
    uint64_t w[2] = {};
    if (bpf_probe_read_kernel(w, sizeof w, t->comm)) return 1; /* unreadable: never drop on it */
#pragma unroll
    for (uint32_t i = 0; i < MBPF_PF_COMMS; i++) {
        if (i >= f->n_comm) break;
        if (((w[0] ^ f->comm[i][0]) & f->comm_mask[i][0]) == 0 &&
            ((w[1] ^ f->comm[i][1]) & f->comm_mask[i][1]) == 0)
            return 1;
    }
    struct mbpf_task_key k = task_key(t);
    return bpf_map_lookup_elem(&renamed_tasks, &k) != 0;
}

/* Whether exit event `code` of task `t`, returning `ret`, may match the user's filter. */
static __always_inline int prefilter_passes(struct task_struct* t, uint32_t code, long ret) {
    const struct mbpf_prefilter* f = bpf_map_lookup_elem(&prefilter, &code);
    if (!f || !(f->flags & MBPF_PF_ACTIVE)) return 1;
    if (f->flags & MBPF_PF_NEVER) return 0;
    if ((f->flags & MBPF_PF_RET) && (ret < f->ret_min || ret > f->ret_max)) return 0;
    if (f->n_tid && !id_in(f->tids, f->n_tid, (uint32_t)t->pid)) return 0;
    if (f->n_pid && !id_in(f->pids, f->n_pid, (uint32_t)t->tgid)) return 0;
    if (f->n_comm && !comm_passes(f, t)) return 0;
    return 1;
}

/* An execve that succeeded gave the thread a comm userspace learns from the event: forget that
 * it was renamed (the exec itself renamed it). Done whether pre-filtering is on or not: renames
 * are tracked from attach on, so comm conditions installed later are sound too. */
static __always_inline void prefilter_exec_done(struct task_struct* t, uint32_t code, long ret) {
    if (code != PPME_SYSCALL_EXECVE_19_X && code != PPME_SYSCALL_EXECVEAT_X) return;
    if (ret != 0) return;
    struct mbpf_task_key k = task_key(t);
    bpf_map_delete_elem(&renamed_tasks, &k);
}

/* A thread that ends takes its mark with it. */
static __always_inline void prefilter_task_gone(struct task_struct* t) {
    struct mbpf_task_key k = task_key(t);
    bpf_map_delete_elem(&renamed_tasks, &k);
}

SEC("tp_btf/task_rename")
int BPF_PROG(task_renamed, struct task_struct* task, const char* comm) {
    struct mbpf_task_key k = task_key(task);
    uint8_t one = 1;
    if (bpf_map_update_elem(&renamed_tasks, &k, &one, BPF_ANY)) prefilter_comm_lost = 1;
    return 0;
}

#endif /* MBPF_PREFILTER_H */
