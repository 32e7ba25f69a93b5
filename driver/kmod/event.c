/*
 * Assembling one event in this CPU's scratch space (26-byte header, nparams u16 lengths, then
 * the parameters in order) and handing it to the CPU's ring. Every writer checks the room left,
 * so an event can never run past the scratch area; one that would is marked too_big and dropped
 * (counted as "scratch").
 */
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kmod.h"

/* Per-CPU scratch areas and a "busy" flag guarding against a probe nested in another. */
static uint8_t** scratch;
static DEFINE_PER_CPU(int, scratch_busy);

int kmod_scratch_init(void) {
    unsigned int cpu;
    scratch = kcalloc(nr_cpu_ids, sizeof(*scratch), GFP_KERNEL);
    if (!scratch) return -ENOMEM;
    for_each_possible_cpu(cpu) {
        scratch[cpu] = vmalloc(KMOD_SCRATCH_SIZE);
        if (!scratch[cpu]) {
            kmod_scratch_exit();
            return -ENOMEM;
        }
    }
    return 0;
}

void kmod_scratch_exit(void) {
    unsigned int cpu;
    if (!scratch) return;
    for_each_possible_cpu(cpu) vfree(scratch[cpu]);
    kfree(scratch);
    scratch = NULL;
}

/* Starts an event; false when this CPU is already building one (counted as a bug drop). The
 * caller has preemption disabled and must call kmod_evt_end() after a true return. */
bool kmod_evt_begin(struct kmod_evt* e, struct kmod_session* s, uint16_t code, uint32_t nparams) {
    const unsigned int cpu = smp_processor_id();
    e->ses = s;
    e->cnt = s->rings[cpu].prod;
    if (this_cpu_inc_return(scratch_busy) != 1) {
        this_cpu_dec(scratch_busy);
        e->cnt->n_drops_bug++;
        return false;
    }
    e->buf = scratch[cpu];
    e->code = code;
    e->nparams = nparams > MBPF_MAX_PARAMS ? MBPF_MAX_PARAMS : nparams;
    e->off = KMOD_HDR_SIZE + 2 * e->nparams;
    e->too_big = false;
    e->faulted = false;
    e->file_fd = -1;
    e->file = NULL;
    return true;
}

void kmod_evt_end(struct kmod_evt* e) {
    this_cpu_dec(scratch_busy);
}

uint8_t* kmod_cursor(struct kmod_evt* e) {
    return e->buf + e->off;
}

uint32_t kmod_room(const struct kmod_evt* e) {
    return e->off < KMOD_SCRATCH_SIZE ? KMOD_SCRATCH_SIZE - e->off : 0;
}

void kmod_param_done(struct kmod_evt* e, uint32_t i, uint32_t len) {
    uint16_t l16;
    if (i >= e->nparams) return;
    if (len > kmod_room(e) || len > 0xffff) {
        e->too_big = true;
        len = 0;
    }
    l16 = (uint16_t)len;
    memcpy(e->buf + KMOD_HDR_SIZE + 2 * i, &l16, 2);
    e->off += len;
}

void kmod_push_empty(struct kmod_evt* e, uint32_t i) {
    kmod_param_done(e, i, 0);
}

/* Little-endian integer of 1, 2, 4 or 8 bytes (x86_64 is little-endian: the low bytes). */
void kmod_push_int(struct kmod_evt* e, uint32_t i, uint64_t v, uint32_t size) {
    if (size != 1 && size != 2 && size != 4) size = 8;
    if (kmod_room(e) < 8) return kmod_param_done(e, i, size); /* marks too_big */
    memcpy(kmod_cursor(e), &v, size);
    kmod_param_done(e, i, size);
}

bool kmod_read_user(struct kmod_evt* e, void* dst, uint64_t uaddr, uint32_t len) {
    if (!uaddr || copy_from_user_nofault(dst, (const void __user*)(uintptr_t)uaddr, len)) {
        if (uaddr && e) e->faulted = true;
        return false;
    }
    return true;
}

/* NUL-terminated user string into dst (at most max bytes, NUL included, truncated strings are
 * terminated); returns the bytes written with the NUL, or a negative errno. Page faults are not
 * served (preemption is disabled): a string on a page not present reads as a fault. */
long kmod_user_str(void* dst, uint64_t uaddr, uint32_t max) {
    long n;
    if (!uaddr || max == 0) return -EFAULT;
    pagefault_disable();
    n = strncpy_from_user(dst, (const char __user*)(uintptr_t)uaddr, max);
    pagefault_enable();
    if (n < 0) return n;
    if (n >= max) {
        ((char*)dst)[max - 1] = 0;
        return max;
    }
    return n + 1;
}

void kmod_push_user_str(struct kmod_evt* e, uint32_t i, uint64_t uaddr) {
    uint32_t max = min_t(uint32_t, kmod_room(e), MBPF_MAX_STR);
    long n;
    if (!uaddr) return kmod_push_empty(e, i);
    n = kmod_user_str(kmod_cursor(e), uaddr, max);
    if (n < 0) {
        e->faulted = true;
        n = 0;
    }
    kmod_param_done(e, i, (uint32_t)n);
}

void kmod_push_kernel_str(struct kmod_evt* e, uint32_t i, const char* s) {
    uint32_t max = min_t(uint32_t, kmod_room(e), MBPF_MAX_STR);
    ssize_t n;
    if (!s || max == 0) return kmod_push_empty(e, i);
    n = strscpy(kmod_cursor(e), s, max);
    kmod_param_done(e, i, n < 0 ? max : (uint32_t)n + 1);
}

void kmod_push_user_bytes(struct kmod_evt* e, uint32_t i, uint64_t uaddr, uint64_t len) {
    uint32_t n = (uint32_t)min_t(uint64_t, len, MBPF_MAX_STR);
    if (!uaddr) n = 0;
    if (n > kmod_room(e)) return kmod_param_done(e, i, n); /* marks too_big */
    if (n && !kmod_read_user(e, kmod_cursor(e), uaddr, n)) n = 0;
    kmod_param_done(e, i, n);
}

void kmod_push_kernel_bytes(struct kmod_evt* e, uint32_t i, const void* src, uint32_t len) {
    if (len > kmod_room(e)) return kmod_param_done(e, i, len);
    memcpy(kmod_cursor(e), src, len);
    kmod_param_done(e, i, len);
}

struct kmod_hdr {
    uint64_t ts;
    uint64_t tid;
    uint32_t len;
    uint16_t type;
    uint32_t nparams;
} __packed;

void kmod_evt_submit(struct kmod_evt* e, uint64_t tid) {
    struct kmod_hdr h;
    if (e->too_big) {
        e->cnt->n_drops_scratch++;
        return;
    }
    if (e->faulted) e->cnt->n_drops_pf++;
    h.ts = ktime_get_boot_fast_ns() + e->ses->boot_to_epoch_ns;
    h.tid = tid;
    h.len = e->off;
    h.type = e->code;
    h.nparams = e->nparams;
    memcpy(e->buf, &h, sizeof h);
    kmod_ring_write(e->ses, smp_processor_id(), e->buf, e->off);
}
