/* Internal declarations of the scap kernel module: the session, rings, event assembly, probes. */
#ifndef SCAP_KMOD_H
#define SCAP_KMOD_H

#include <linux/ioctl.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "abi.h"
#include "kmod_abi.h"

/* Event and ppm_sc codes straight from the schema's data (scap_schema.h wants libc headers). */
enum kmod_event_code {
#define EVENT(code, id, name, category, flags, nparams) PPME_##id = code,
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
    KMOD_EVENT_MAX
};
enum kmod_ppm_sc {
#define SC(name, code) PPM_SC_##name = code,
#include "ppm_sc.def"
#undef SC
    KMOD_PPM_SC_MAX
};

#define KMOD_HDR_SIZE 26u
/* Scratch space an event is assembled in (per CPU): the largest event the module builds. */
#define KMOD_SCRATCH_SIZE (64u * 1024u)

/* x86_64 numbers the probes recognise themselves. */
#define KMOD_NR_EXECVE 59
#define KMOD_NR_EXECVEAT 322
#define KMOD_NR_CLONE3 435

/* One CPU's ring: the three parts userspace maps, allocated as one vmalloc_user area. */
struct kmod_ring {
    void* area; /* prod page, cons page, data */
    struct kmod_ring_prod* prod;
    struct kmod_ring_cons* cons;
    uint8_t* data;
    uint64_t wake_at; /* head value from which the next wakeup is due */
};

/* What the probes need, set up by ioctls before start and read-only while running (except
 * the selection, updated live byte by byte). */
struct kmod_session {
    struct mutex lock; /* ioctls */
    uint32_t n_rings;
    uint64_t buffer_bytes;
    uint64_t ring_bytes; /* 2 pages + buffer_bytes */
    struct kmod_ring* rings;
    uint32_t snaplen;
    uint32_t tracepoints;
    uint32_t o_f_created;
    bool tables_set;
    bool started;
    uint64_t boot_to_epoch_ns;
    struct mbpf_fill_spec* specs; /* KMOD_EVENT_MAX */
    struct mbpf_conv_rule (*conv)[MBPF_CONV_ENTRIES];
    struct mbpf_syscall_entry syscalls[MBPF_SYSCALL_SLOTS];
    uint8_t sockopt_kinds[MBPF_SOCKOPT_KINDS];
    uint8_t selected[KMOD_PPM_SC_MAX];
    wait_queue_head_t wq;
    struct irq_work wake_work;
};

/* The one open session (NULL when none): the probes run only while it is started. */
extern struct kmod_session* kmod_active;

struct kmod_saved;
struct path;
struct sock;
struct file;

/* One event being assembled in this CPU's scratch space. */
struct kmod_evt {
    struct kmod_session* ses;
    struct kmod_ring_prod* cnt; /* this CPU's counters */
    uint8_t* buf;
    uint32_t off;
    uint32_t nparams;
    uint16_t code;
    bool too_big;
    bool faulted;
    /* Syscall context (exit events). */
    uint32_t nr;
    uint32_t ppm_sc;
    int64_t ret;
    uint64_t args[6];
    const struct kmod_saved* saved; /* TOCTOU entry record of this exit, or NULL */
    /* The file of the last fd looked up (open's dev, inode and created flag ask for one file). */
    int64_t file_fd;
    struct file* file;
};

/* ring.c */
int kmod_rings_alloc(struct kmod_session* s, uint64_t buffer_bytes);
void kmod_rings_free(struct kmod_session* s);
void kmod_ring_write(struct kmod_session* s, uint32_t cpu, const uint8_t* evt, uint32_t len);

/* event.c */
int kmod_scratch_init(void);
void kmod_scratch_exit(void);
bool kmod_evt_begin(struct kmod_evt* e, struct kmod_session* s, uint16_t code, uint32_t nparams);
void kmod_evt_end(struct kmod_evt* e);
void kmod_evt_submit(struct kmod_evt* e, uint64_t tid);
uint8_t* kmod_cursor(struct kmod_evt* e);
uint32_t kmod_room(const struct kmod_evt* e);
void kmod_param_done(struct kmod_evt* e, uint32_t i, uint32_t len);
void kmod_push_empty(struct kmod_evt* e, uint32_t i);
void kmod_push_int(struct kmod_evt* e, uint32_t i, uint64_t v, uint32_t size);
void kmod_push_user_str(struct kmod_evt* e, uint32_t i, uint64_t uaddr);
void kmod_push_kernel_str(struct kmod_evt* e, uint32_t i, const char* s);
void kmod_push_user_bytes(struct kmod_evt* e, uint32_t i, uint64_t uaddr, uint64_t len);
void kmod_push_kernel_bytes(struct kmod_evt* e, uint32_t i, const void* src, uint32_t len);
bool kmod_read_user(struct kmod_evt* e, void* dst, uint64_t uaddr, uint32_t len);
long kmod_user_str(void* dst, uint64_t uaddr, uint32_t max);

/* saved.c: TOCTOU entry records, by thread id */
#define KMOD_SAVED_DATA 4096u
struct kmod_saved {
    struct hlist_node node;
    pid_t tid;
    uint32_t nr;
    uint32_t data_len;
    uint64_t args[6];
    uint8_t data[KMOD_SAVED_DATA];
};
int kmod_saved_init(void);
void kmod_saved_exit(void);
void kmod_saved_clear(void);
/* A free record to fill (NULL: pool empty); then put() files it under tid, replacing any. */
struct kmod_saved* kmod_saved_new(void);
void kmod_saved_put(struct kmod_saved* rec, pid_t tid);
/* Takes the record of tid out of the table (the caller releases it). */
struct kmod_saved* kmod_saved_take(pid_t tid);
void kmod_saved_release(struct kmod_saved* rec);
/* Peeks without taking (used by the dispatcher for execveat). Caller must not keep it. */
uint32_t kmod_saved_nr(pid_t tid);

/* fill.c */
void kmod_fill_event(struct kmod_evt* e, uint16_t code);
uint64_t kmod_convert_flags(const struct kmod_session* s, uint32_t table, uint64_t raw);

/* task.c */
uint64_t kmod_task_value(struct kmod_evt* e, struct task_struct* t, uint32_t kind);
uint64_t kmod_task_vm(struct task_struct* t, int which);
void kmod_push_task_area(struct kmod_evt* e, uint32_t i, int which);
void kmod_push_path(struct kmod_evt* e, uint32_t i, const struct path* p);
void kmod_push_task_path(struct kmod_evt* e, uint32_t i, int exe);
void kmod_push_cgroups(struct kmod_evt* e, uint32_t i);
struct file* kmod_event_file(struct kmod_evt* e, int64_t fd);
uint64_t kmod_file_ino(struct file* f);
uint32_t kmod_file_dev(struct file* f);

/* net.c */
void kmod_push_sockaddr_raw(struct kmod_evt* e, uint32_t i, const uint8_t* sa, uint32_t len);
void kmod_push_user_sockaddr(struct kmod_evt* e, uint32_t i, uint64_t uaddr, int64_t len);
void kmod_push_fd_tuple(struct kmod_evt* e, uint32_t i, int64_t fd, bool inbound, uint64_t uaddr,
                        int64_t ulen);
struct sock* kmod_file_sock(struct file* f);

/* probes.c */
int kmod_probes_start(struct kmod_session* s);
void kmod_probes_stop(struct kmod_session* s);
int kmod_probes_lookup(void);

static inline bool kmod_sc_selected(const struct kmod_session* s, uint32_t sc) {
    return sc < KMOD_PPM_SC_MAX && READ_ONCE(s->selected[sc]);
}

#endif /* SCAP_KMOD_H */
