/*
 * Events built in place in the ring buffer (the dispatcher's fast rows: syscall_exit.h,
 * open_exit.h): a record of a constant size class is reserved, the parameters are stored into
 * it, and the header is written last. The ring reader takes an event's length from its header,
 * so the rest of the class is slack.
 */
#ifndef MBPF_FAST_RECORD_H
#define MBPF_FAST_RECORD_H

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

#endif /* MBPF_FAST_RECORD_H */
