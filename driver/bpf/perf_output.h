/*
 * The legacy probe's output path: one perf buffer per CPU (BPF_MAP_TYPE_PERF_EVENT_ARRAY, the
 * output kernels had before BPF ring buffers, 5.8). The event is assembled in the scratch area
 * like the modern driver's and copied into this CPU's perf buffer with one helper call; the
 * perf sample header in front of it is the kernel's, userspace skips it.
 */
#ifndef SCAP_BPF_PERF_OUTPUT_H
#define SCAP_BPF_PERF_OUTPUT_H

#include "event.h"

/* Entry i: the perf event of CPU i. libbpf sizes it to the possible CPUs (max_entries 0) and
 * userspace opens the perf events and stores their fds (perf_buffer__new). */
struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(uint32_t));
    __uint(value_size, sizeof(uint32_t));
} perf_buffers SEC(".maps");

/* Fills the header and copies the event into this CPU's perf buffer. `ctx`: the program's
 * context, which bpf_perf_event_output requires. */
static __always_inline void event_submit(void* ctx, struct mbpf_scratch* s, uint64_t tid) {
    struct mbpf_counters* c = counters_get();
    if (!c) return;
    if (s->too_big) {
        c->n_drops_scratch++;
        return;
    }
    if (s->faulted) c->n_drops_pf++;
    struct mbpf_evt_hdr* h = (void*)s->buf;
    uint32_t len = s->off & (MBPF_SCRATCH_SIZE - 1);
    h->ts = bpf_ktime_get_boot_ns() + boot_to_epoch_ns;
    h->tid = tid;
    h->len = len;
    h->type = (uint16_t)s->code;
    h->nparams = s->nparams;
    if (len > MBPF_SCRATCH_HALF || len < MBPF_HDR_SIZE) {
        c->n_drops_scratch++;
        return;
    }
    if (!ctx) {
        /* A caller without the program context (see MBPF_CALLBACK_CTX): cannot output. */
        c->n_drops_bug++;
        return;
    }
    /* Fails (-ENOSPC) when the buffer is full: the kernel counts a lost record too. */
    if (bpf_perf_event_output(ctx, &perf_buffers, BPF_F_CURRENT_CPU, s->buf, len)) {
        c->n_drops_buffer++;
        return;
    }
    c->n_evts++;
}

#endif /* SCAP_BPF_PERF_OUTPUT_H */
