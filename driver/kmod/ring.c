/*
 * Per-CPU rings: one vmalloc_user area per possible CPU holding the producer page, the consumer
 * page and the data area, mapped by userspace without copies (kmod_main.c: mmap). The producer
 * is the probe running on that CPU with preemption disabled, so one CPU's ring has exactly one
 * writer and needs no lock; the consumer only moves `tail`.
 */
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "kmod.h"

int kmod_rings_alloc(struct kmod_session* s, uint64_t buffer_bytes) {
    uint32_t i;
    s->n_rings = nr_cpu_ids;
    s->buffer_bytes = buffer_bytes;
    s->ring_bytes = 2 * PAGE_SIZE + buffer_bytes;
    s->rings = kcalloc(s->n_rings, sizeof(*s->rings), GFP_KERNEL);
    if (!s->rings) return -ENOMEM;
    for (i = 0; i < s->n_rings; i++) {
        struct kmod_ring* r = &s->rings[i];
        /* Zeroed and marked mappable to userspace (VM_USERMAP). */
        r->area = vmalloc_user(s->ring_bytes);
        if (!r->area) {
            kmod_rings_free(s);
            return -ENOMEM;
        }
        r->prod = r->area;
        r->cons = (struct kmod_ring_cons*)((uint8_t*)r->area + PAGE_SIZE);
        r->data = (uint8_t*)r->area + 2 * PAGE_SIZE;
        r->wake_at = buffer_bytes / 4;
    }
    return 0;
}

void kmod_rings_free(struct kmod_session* s) {
    uint32_t i;
    if (!s->rings) return;
    for (i = 0; i < s->n_rings; i++) vfree(s->rings[i].area);
    kfree(s->rings);
    s->rings = NULL;
    s->n_rings = 0;
}

/* The capture format's event header, as the pad record uses it. */
struct kmod_evt_hdr {
    uint64_t ts;
    uint64_t tid;
    uint32_t len;
    uint16_t type;
    uint32_t nparams;
} __packed;

/*
 * Appends one finished event (len bytes) to the ring of `cpu`. Called with preemption disabled
 * on that CPU. A record that does not fit before the end of the data area goes to offset 0,
 * after a pad record (or an implicit pad when less than KMOD_MIN_RECORD bytes are left).
 */
void kmod_ring_write(struct kmod_session* s, uint32_t cpu, const uint8_t* evt, uint32_t len) {
    struct kmod_ring* r = &s->rings[cpu];
    struct kmod_ring_prod* p = r->prod;
    const uint64_t size = s->buffer_bytes;
    const uint64_t head = p->head; /* only this CPU writes it */
    /* Pairs with the consumer's release store: data before tail is no longer read. */
    const uint64_t tail = smp_load_acquire(&r->cons->tail);
    const uint32_t rec = ALIGN(len, KMOD_RECORD_ALIGN);
    uint64_t off = head & (size - 1);
    uint64_t pad = 0;

    if (tail > head || head - tail > size) {
        /* A consumer wrote a position that cannot be: refuse to guess what is free. */
        p->n_bad_tail++;
        p->n_drops_buffer++;
        return;
    }
    if (size - off < rec) pad = size - off;
    if (head + pad + rec - tail > size) {
        p->n_drops_buffer++;
        return;
    }
    if (pad >= KMOD_MIN_RECORD) {
        struct kmod_evt_hdr* h = (struct kmod_evt_hdr*)(r->data + off);
        h->ts = 0;
        h->tid = 0;
        h->len = (uint32_t)pad;
        h->type = KMOD_PAD_TYPE;
        h->nparams = 0;
    }
    if (pad) off = 0;
    memcpy(r->data + off, evt, len);
    /* The record is complete before the consumer can see the new head. */
    smp_store_release(&p->head, head + pad + rec);
    p->n_evts++;
    /* Wake the reader once its ring is a quarter full, then again every sixteenth of it: it
     * polls with a short timeout anyway, and a wakeup per event would cost more than the event. */
    if (head + pad + rec - tail >= size / 4 && head >= r->wake_at) {
        r->wake_at = head + size / 16;
        irq_work_queue(&s->wake_work);
    }
}
