/*
 * Assembling one event in the per-CPU scratch space and handing it to a ring buffer.
 *
 * Layout (the wire format): 26-byte header, nparams u16 lengths, parameter bytes. Parameters are
 * appended in order; each writer reserves its length slot by index. Every destination offset is
 * masked with MBPF_SCRATCH_HALF - 1 and every write is shorter than MBPF_SCRATCH_HALF, which is
 * what lets the verifier accept variable offsets; an event that would grow past
 * MBPF_SCRATCH_HALF is marked too_big and dropped at submit time (counted as "scratch").
 */
#ifndef MBPF_EVENT_H
#define MBPF_EVENT_H

#include "maps.h"

#define MBPF_OFF_MASK (MBPF_SCRATCH_HALF - 1)

static __always_inline void put_u16(uint8_t* buf, uint32_t off, uint16_t v) {
    *(uint16_t*)&buf[off & MBPF_OFF_MASK] = v;
}

/* Starts an event of `code` with `nparams` parameters for the current thread. */
static __always_inline void event_begin(struct mbpf_scratch* s, uint32_t code, uint32_t nparams) {
    s->code = code;
    s->nparams = nparams > MBPF_MAX_PARAMS ? MBPF_MAX_PARAMS : nparams;
    s->too_big = 0;
    s->faulted = 0;
    s->file_fd = -1;
    s->file = 0;
    s->facts_fd = -1;
    s->off = MBPF_HDR_SIZE + 2 * s->nparams;
}

/* Sets parameter i's length and advances past its bytes (already written at s->off). */
static __always_inline void param_done(struct mbpf_scratch* s, uint32_t i, uint32_t len) {
    if (s->off + len > MBPF_SCRATCH_HALF) {
        s->too_big = 1;
        len = 0;
    }
    put_u16(s->buf, MBPF_HDR_SIZE + 2 * (i & (MBPF_MAX_PARAMS - 1)), (uint16_t)len);
    s->off += len;
}

/* Room left before the event would be too big. */
static __always_inline uint32_t room(const struct mbpf_scratch* s) {
    return s->off < MBPF_SCRATCH_HALF ? MBPF_SCRATCH_HALF - s->off : 0;
}

static __always_inline uint8_t* cursor(struct mbpf_scratch* s) {
    return &s->buf[s->off & MBPF_OFF_MASK];
}

static __always_inline void push_empty(struct mbpf_scratch* s, uint32_t i) {
    param_done(s, i, 0);
}

/* Fixed-width little-endian integer of `size` bytes (1, 2, 4 or 8). */
static __always_inline void push_int(struct mbpf_scratch* s, uint32_t i, uint64_t v, uint32_t size) {
    uint8_t* p = cursor(s);
    switch (size) {
        case 1:
            *p = (uint8_t)v;
            break;
        case 2:
            *(uint16_t*)p = (uint16_t)v;
            break;
        case 4:
            *(uint32_t*)p = (uint32_t)v;
            break;
        default:
            *(uint64_t*)p = v;
            size = 8;
            break;
    }
    param_done(s, i, size);
}

/* A NUL-terminated string from user (user != 0) or kernel memory; empty when unreadable. */
static __always_inline void push_str(struct mbpf_scratch* s, uint32_t i, const void* src, int user) {
    long n = 0;
    if (src) {
        n = user ? bpf_probe_read_user_str(cursor(s), MBPF_MAX_STR, src)
                 : bpf_probe_read_kernel_str(cursor(s), MBPF_MAX_STR, src);
        if (n < 0) {
            if (user) s->faulted = 1;
            n = 0;
        }
    }
    param_done(s, i, (uint32_t)n);
}

/* `len` raw bytes from user or kernel memory, at most MBPF_MAX_STR. */
static __always_inline void push_bytes(struct mbpf_scratch* s, uint32_t i, const void* src, uint64_t len,
                                       int user) {
    if (!src) len = 0;
    if (len > MBPF_MAX_STR) len = MBPF_MAX_STR;
    uint32_t n = MBPF_MASK((uint32_t)len, 2 * MBPF_MAX_STR - 1);
    if (n) {
        long err = user ? bpf_probe_read_user(cursor(s), n, src) : bpf_probe_read_kernel(cursor(s), n, src);
        if (err) {
            if (user) s->faulted = 1;
            n = 0;
        }
    }
    param_done(s, i, n);
}

/* The capture format's event header (26 bytes, packed), as both event writers fill it. */
struct mbpf_evt_hdr {
    uint64_t ts;
    uint64_t tid;
    uint32_t len;
    uint16_t type;
    uint32_t nparams;
} __attribute__((packed));

/* Thread id of the current task as userspace knows it (the kernel's pid). */
static __always_inline uint64_t current_tid(void) {
    return (uint32_t)bpf_get_current_pid_tgid();
}

#endif /* MBPF_EVENT_H */
