/*
 * TOCTOU entry records: what open/openat/openat2/creat/connect/execve(at) pointed at when they
 * entered, kept per thread until their exit (or the thread's exit) takes it. A preallocated pool
 * (no allocation in a probe) and a hash of buckets, each under its own raw spinlock: entry and
 * exit of one thread may run on different CPUs.
 */
#include <linux/hash.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "kmod.h"

#define KMOD_SAVED_POOL 1024u /* threads inside a TOCTOU syscall at once */
#define KMOD_SAVED_BUCKET_BITS 8

static struct kmod_saved* pool;
static HLIST_HEAD(free_list);
static DEFINE_RAW_SPINLOCK(free_lock);
static struct hlist_head buckets[1u << KMOD_SAVED_BUCKET_BITS];
static raw_spinlock_t bucket_locks[1u << KMOD_SAVED_BUCKET_BITS];

int kmod_saved_init(void) {
    uint32_t i;
    pool = vzalloc(sizeof(*pool) * KMOD_SAVED_POOL);
    if (!pool) return -ENOMEM;
    for (i = 0; i < ARRAY_SIZE(buckets); i++) {
        INIT_HLIST_HEAD(&buckets[i]);
        raw_spin_lock_init(&bucket_locks[i]);
    }
    for (i = 0; i < KMOD_SAVED_POOL; i++) hlist_add_head(&pool[i].node, &free_list);
    return 0;
}

void kmod_saved_exit(void) {
    vfree(pool);
    pool = NULL;
}

/* Returns every filed record to the pool (capture stopped: no probe runs). */
void kmod_saved_clear(void) {
    uint32_t i;
    unsigned long flags;
    for (i = 0; i < ARRAY_SIZE(buckets); i++) {
        struct kmod_saved* rec;
        struct hlist_node* tmp;
        raw_spin_lock_irqsave(&bucket_locks[i], flags);
        hlist_for_each_entry_safe(rec, tmp, &buckets[i], node) {
            hlist_del(&rec->node);
            kmod_saved_release(rec);
        }
        raw_spin_unlock_irqrestore(&bucket_locks[i], flags);
    }
}

struct kmod_saved* kmod_saved_new(void) {
    struct kmod_saved* rec = NULL;
    unsigned long flags;
    raw_spin_lock_irqsave(&free_lock, flags);
    if (!hlist_empty(&free_list)) {
        rec = hlist_entry(free_list.first, struct kmod_saved, node);
        hlist_del(&rec->node);
    }
    raw_spin_unlock_irqrestore(&free_lock, flags);
    return rec;
}

void kmod_saved_release(struct kmod_saved* rec) {
    unsigned long flags;
    if (!rec) return;
    raw_spin_lock_irqsave(&free_lock, flags);
    hlist_add_head(&rec->node, &free_list);
    raw_spin_unlock_irqrestore(&free_lock, flags);
}

static uint32_t bucket_of(pid_t tid) {
    return hash_32((uint32_t)tid, KMOD_SAVED_BUCKET_BITS);
}

/* Unlinks tid's record from its bucket (lock held). */
static struct kmod_saved* unlink_locked(uint32_t b, pid_t tid) {
    struct kmod_saved* rec;
    hlist_for_each_entry(rec, &buckets[b], node) {
        if (rec->tid == tid) {
            hlist_del(&rec->node);
            return rec;
        }
    }
    return NULL;
}

void kmod_saved_put(struct kmod_saved* rec, pid_t tid) {
    const uint32_t b = bucket_of(tid);
    struct kmod_saved* old;
    unsigned long flags;
    rec->tid = tid;
    raw_spin_lock_irqsave(&bucket_locks[b], flags);
    old = unlink_locked(b, tid);
    hlist_add_head(&rec->node, &buckets[b]);
    raw_spin_unlock_irqrestore(&bucket_locks[b], flags);
    kmod_saved_release(old);
}

struct kmod_saved* kmod_saved_take(pid_t tid) {
    const uint32_t b = bucket_of(tid);
    struct kmod_saved* rec;
    unsigned long flags;
    raw_spin_lock_irqsave(&bucket_locks[b], flags);
    rec = unlink_locked(b, tid);
    raw_spin_unlock_irqrestore(&bucket_locks[b], flags);
    return rec;
}

uint32_t kmod_saved_nr(pid_t tid) {
    const uint32_t b = bucket_of(tid);
    struct kmod_saved* rec;
    uint32_t nr = 0;
    unsigned long flags;
    raw_spin_lock_irqsave(&bucket_locks[b], flags);
    hlist_for_each_entry(rec, &buckets[b], node) {
        if (rec->tid == tid) {
            nr = rec->nr;
            break;
        }
    }
    raw_spin_unlock_irqrestore(&bucket_locks[b], flags);
    return nr;
}
