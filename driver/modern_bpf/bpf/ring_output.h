/*
 * The modern driver's output path: BPF ring buffers (one per group of CPUs, in an array of maps
 * sized by userspace). The legacy probe (driver/bpf) has its own output path (perf buffers) and
 * shares the event assembly (event.h) and the filler (fill.h).
 */
#ifndef MBPF_RING_OUTPUT_H
#define MBPF_RING_OUTPUT_H

#include "event.h"

/* Ring buffers: one per group of cpus_per_buffer CPUs. The inner map's size comes from the
 * template userspace passes in (all buffers have the same size). */
struct mbpf_ringbuf {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096); /* placeholder: userspace sets the real size */
};
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 1);
    __type(key, uint32_t);
    __array(values, struct mbpf_ringbuf);
} ringbufs SEC(".maps");

#define MBPF_SUBMIT_WAKE_CHECK_EVERY 16u

/* Fills the header and copies the event into the ring buffer of this CPU's group. */
/* `ctx`: the program's context (unused here; the legacy probe's perf output needs it). */
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

    uint32_t idx = bpf_get_smp_processor_id();
    uint32_t per = cpus_per_buffer ? cpus_per_buffer : 1;
    idx /= per;
    void* rb = bpf_map_lookup_elem(&ringbufs, &idx);
    if (!rb) {
        c->n_drops_bug++;
        return;
    }
    if (len > MBPF_SCRATCH_HALF) {
        c->n_drops_scratch++;
        return;
    }
    /* Waking the reader for every event costs more than building the event; wake it only
     * when the buffer starts to fill (it polls with a short timeout anyway). The fill level is
     * looked at every MBPF_SUBMIT_WAKE_CHECK_EVERY events, as on the fast path (syscall_exit.h):
     * a helper call saved on the others, and that many events (at most half the scratch area
     * each) stay far below the threshold's distance to a full buffer. */
    uint64_t wake = BPF_RB_NO_WAKEUP;
    if ((c->n_evts & (MBPF_SUBMIT_WAKE_CHECK_EVERY - 1)) == 0 &&
        bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
        wake = BPF_RB_FORCE_WAKEUP;
    if (bpf_ringbuf_output(rb, s->buf, len, wake)) {
        c->n_drops_buffer++;
        return;
    }
    c->n_evts++;
}

#endif /* MBPF_RING_OUTPUT_H */
