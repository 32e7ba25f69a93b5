/*
 * The table-driven filler: one interpreter for every "parameter source" (see shared/abi.h).
 * An exit event is described by its row in fill_specs (written by userspace from
 * fill_table.def and the schema); this file only knows how to fetch each kind of value.
 */
#ifndef MBPF_FILL_H
#define MBPF_FILL_H

#include "net.h"
#include "paths.h"

/* event_submit (the driver's output path: ring_output.h here, perf buffers in the legacy probe)
 * must be defined before this file is included. */

/* ppm_param_type values the filler treats specially (scap_schema.h). */
#define MBPF_PT_FD 14
#define MBPF_PT_PID 15

#define MBPF_SOL_SOCKET 1 /* setsockopt/getsockopt level of the SO_* options */

static __always_inline uint64_t convert_flags(uint32_t table, uint64_t raw) {
    if (table == 0 || table >= MBPF_CONV_TABLES) return raw;
    table = MBPF_MASK(table, MBPF_CONV_TABLES - 1); /* the check above may be on another register */
    uint64_t out = 0;
    for (int k = 0; k < MBPF_CONV_ENTRIES; k++) {
        uint64_t mask = conv_rules[table][k].mask;
        if (mask == 0) break;
        if ((raw & mask) == conv_rules[table][k].value) out |= conv_rules[table][k].ppm;
    }
    return out;
}

/* convert_flags as a global function: verified once on its own, so the dispatcher's fast path
 * can convert flags without the rule loop being walked once per parameter and state. */
__noinline uint64_t convert_flags_fn(uint32_t table, uint64_t raw) {
    return convert_flags(table, raw);
}

/* The saved TOCTOU data for this thread when parameter `arg` is the one saved at entry (and
 * table_exit_begin found the record to belong to this call). */
static __always_inline const struct mbpf_saved_args* saved_for(const struct mbpf_scratch* s, uint32_t arg) {
    uint32_t code = s->code;
    if (!s->saved || code >= MBPF_EVENT_MAX) return 0;
    if (!fill_specs[code].toctou || fill_specs[code].path_arg != arg) return 0;
    return saved_current();
}

static __always_inline uint64_t arg_of(const struct mbpf_scratch* s, uint32_t a) {
    return s->args[a < 6 ? a : 0];
}

struct iov_walk {
    struct mbpf_scratch* s;
    const struct iovec* iov;
    uint64_t cnt;
    uint64_t total;  /* sum of iov_len */
    uint32_t copied; /* data bytes copied after the cursor */
    uint32_t limit;  /* at most this many */
    int data;
};

/* One iovec: a bpf_loop callback, so the verifier checks its body once instead of once per
 * iteration and path of an unrolled loop (the data copy's branches multiplied its states). */
static long iov_step(uint32_t k, void* vctx) {
    struct iov_walk* w = vctx;
    struct mbpf_scratch* s = w->s;
    if (k >= w->cnt || !s) return 1;
    struct iovec v = {};
    if (bpf_probe_read_user(&v, sizeof v, &w->iov[k])) {
        s->faulted = 1;
        return 1;
    }
    w->total += v.iov_len;
    uint32_t copied = w->copied;
    if (w->data && copied < w->limit && v.iov_len) {
        uint32_t n = w->limit - copied;
        if (v.iov_len < n) n = (uint32_t)v.iov_len;
        n = MBPF_MASK(n, 2 * MBPF_MAX_STR - 1);
        if (bpf_probe_read_user(&s->buf[(s->off + copied) & (MBPF_SCRATCH_HALF - 1)], n, v.iov_base))
            s->faulted = 1;
        else
            w->copied = copied + n;
    }
    return 0;
}

/* Sum of the iov_len of an iovec array (data == 0), or its first bytes, at most snaplen and at
 * most `cap` (what a receive returned). The first 16 iovecs: enough for sizes and the first bytes. */
static __always_inline void push_iov(struct mbpf_scratch* s, uint32_t i, const struct iovec* iov,
                                     uint64_t cnt, int data, uint64_t cap) {
    struct iov_walk w = {.s = s, .iov = iov, .cnt = cnt > 16 ? 16 : cnt, .data = data};
    w.limit = snaplen < MBPF_MAX_STR ? snaplen : MBPF_MAX_STR;
    if (cap < w.limit) w.limit = (uint32_t)cap;
    bpf_loop(16, iov_step, &w, 0);
    if (data)
        param_done(s, i, w.copied);
    else
        push_int(s, i, w.total, 4);
}

/* Out-of-line entry points: each iovec walk is verified once as a subprogram instead of once per
 * row kind that uses it (inlined, the walks pushed the filler past the verifier's budget). */
MBPF_HELPER push_iov_len_fn(struct mbpf_scratch* s, uint32_t i, uint64_t iov, uint64_t cnt) {
    if (!s) return 0;
    push_iov(s, i, (const struct iovec*)iov, cnt, 0, ~0ull);
    return 0;
}
MBPF_HELPER push_iov_data_fn(struct mbpf_scratch* s, uint32_t i, uint64_t iov, uint64_t cnt, uint64_t cap) {
    if (!s) return 0;
    push_iov(s, i, (const struct iovec*)iov, cnt, 1, cap);
    return 0;
}
static __always_inline void push_iov_len(struct mbpf_scratch* s, uint32_t i, const struct iovec* iov,
                                         uint64_t cnt) {
    push_iov_len_fn(s, i, (uint64_t)iov, cnt);
}
static __always_inline void push_iov_data(struct mbpf_scratch* s, uint32_t i, const struct iovec* iov,
                                          uint64_t cnt, uint64_t cap) {
    push_iov_data_fn(s, i, (uint64_t)iov, cnt, cap);
}

#define MBPF_MAX_POLLFD 16

/* PT_FDLIST: u16 count, then per pollfd an s64 fd and the s16 returned events (converted with
 * table `conv`); the first MBPF_MAX_POLLFD entries. */
struct pollfd_walk {
    struct mbpf_scratch* s;
    const struct pollfd* fds;
    uint32_t n;    /* entries to describe */
    uint32_t conv; /* flag table of revents */
    uint32_t done; /* entries written */
};

/* One pollfd: a bpf_loop callback. As an unrolled loop, clang folded the two bounds (16 and the
 * count) into one the 6.1 verifier could not see, and it walked thousands of iterations. */
static long pollfd_step(uint32_t k, void* vctx) {
    struct pollfd_walk* w = vctx;
    struct mbpf_scratch* s = w->s;
    if (!s || k >= w->n || k >= MBPF_MAX_POLLFD) return 1;
    struct pollfd p = {};
    if (bpf_probe_read_user(&p, sizeof p, &w->fds[k])) {
        s->faulted = 1;
        return 1;
    }
    uint32_t at = s->off + 2 + k * 10;
    *(int64_t*)&s->buf[at & MBPF_OFF_MASK] = p.fd;
    /* The global function: the rule loop inlined here made the 6.1 verifier queue more than 8192
     * pending branches in the legacy probe ("sequence of jumps is too complex"). */
    *(int16_t*)&s->buf[(at + 8) & MBPF_OFF_MASK] = (int16_t)convert_flags_fn(w->conv, (uint16_t)p.revents);
    w->done = k + 1;
    return 0;
}

MBPF_HELPER push_pollfds_fn(struct mbpf_scratch* s, uint32_t i, uint64_t ufds, uint64_t nfds, uint32_t conv) {
    if (!s) return 0;
    if (!ufds || room(s) < 2 + MBPF_MAX_POLLFD * 10) {
        push_empty(s, i);
        return 0;
    }
    struct pollfd_walk w = {.s = s,
                            .fds = (const struct pollfd*)ufds,
                            .n = nfds < MBPF_MAX_POLLFD ? (uint32_t)nfds : MBPF_MAX_POLLFD,
                            .conv = conv};
    bpf_loop(MBPF_MAX_POLLFD, pollfd_step, &w, 0);
    uint32_t done = w.done < MBPF_MAX_POLLFD ? w.done : MBPF_MAX_POLLFD;
    *(uint16_t*)cursor(s) = (uint16_t)done;
    param_done(s, i, 2 + done * 10);
    return 0;
}
static __always_inline void push_pollfds(struct mbpf_scratch* s, uint32_t i, const struct pollfd* fds,
                                         uint64_t nfds, uint32_t conv) {
    push_pollfds_fn(s, i, (uint64_t)fds, nfds, conv);
}

/* A socket option's value as PT_DYN: the index of its type in sockopt_dynamic_param, then the
 * value (see MBPF_SRC_SOCKOPT_VAL). */
static __always_inline void push_sockopt_val_body(struct mbpf_scratch* s, uint32_t i, const void* uval,
                                                  int64_t len) {
    if (!uval || len <= 0 || room(s) < 2 * MBPF_MAX_STR) return push_empty(s, i);
    const uint64_t level = s->args[1], optname = s->args[2]; /* setsockopt/getsockopt arguments */
    uint32_t kind = MBPF_SOCKOPT_BYTES;
    if (level == MBPF_SOL_SOCKET && optname < MBPF_SOCKOPT_KINDS)
        kind = sockopt_kinds[MBPF_MASK((uint32_t)optname, MBPF_SOCKOPT_KINDS - 1)];
    uint8_t* p = cursor(s);
    uint64_t v = 0;
    uint32_t n = 8;
    if (kind == MBPF_SOCKOPT_ERRNO || kind == MBPF_SOCKOPT_U32) {
        int32_t v32 = 0;
        if (len < 4 || bpf_probe_read_user(&v32, sizeof v32, uval)) kind = MBPF_SOCKOPT_BYTES;
        if (kind == MBPF_SOCKOPT_ERRNO) v = (uint64_t)(-(int64_t)v32);
        n = kind == MBPF_SOCKOPT_U32 ? 4 : 8;
        v = kind == MBPF_SOCKOPT_U32 ? (uint32_t)v32 : v;
    } else if (kind == MBPF_SOCKOPT_U64) {
        if (len < 8 || bpf_probe_read_user(&v, sizeof v, uval)) kind = MBPF_SOCKOPT_BYTES;
    } else if (kind == MBPF_SOCKOPT_TIMEVAL) {
        struct {
            int64_t sec, usec;
        } tv = {};
        if (len < 16 || bpf_probe_read_user(&tv, sizeof tv, uval)) kind = MBPF_SOCKOPT_BYTES;
        v = (uint64_t)tv.sec * 1000000000ull + (uint64_t)tv.usec * 1000ull;
    }
    p[0] = (uint8_t)kind;
    if (kind != MBPF_SOCKOPT_BYTES) {
        *(uint64_t*)(p + 1) = v; /* little-endian: a 4-byte value is the first 4 bytes */
        return param_done(s, i, 1 + n);
    }
    uint64_t want = (uint64_t)len < snaplen ? (uint64_t)len : snaplen;
    uint32_t cnt = MBPF_MASK((uint32_t)(want < MBPF_MAX_STR ? want : MBPF_MAX_STR), 2 * MBPF_MAX_STR - 1);
    if (cnt && bpf_probe_read_user(p + 1, cnt, uval)) {
        s->faulted = 1;
        cnt = 0;
    }
    param_done(s, i, 1 + cnt);
}
MBPF_HELPER push_sockopt_val_fn(struct mbpf_scratch* s, uint32_t i, uint64_t uval, int64_t len) {
    if (s) push_sockopt_val_body(s, i, (const void*)uval, len);
    return 0;
}
static __always_inline void push_sockopt_val(struct mbpf_scratch* s, uint32_t i, const void* uval,
                                             int64_t len) {
    push_sockopt_val_fn(s, i, (uint64_t)uval, len);
}

/* ptrace requests whose data the kernel interprets differently (<linux/ptrace.h>, x86). */
#define MBPF_PTRACE_PEEKTEXT 1
#define MBPF_PTRACE_PEEKUSR 3
#define MBPF_PTRACE_CONT 7
#define MBPF_PTRACE_SINGLESTEP 9
#define MBPF_PTRACE_DETACH 17
#define MBPF_PTRACE_SYSCALL 24
#define MBPF_PTRACE_SYSEMU 31
#define MBPF_PTRACE_SYSEMU_SINGLESTEP 32

/* ptrace's addr or data as PT_DYN: index 0 (uint64) or 1 (signal), then the value. */
static __always_inline void push_ptrace_val(struct mbpf_scratch* s, uint32_t i, int is_data, uint64_t v) {
    if (s->ret < 0) return push_empty(s, i);
    uint8_t* p = cursor(s);
    const uint64_t req = s->args[0];
    if (is_data && req >= MBPF_PTRACE_PEEKTEXT && req <= MBPF_PTRACE_PEEKUSR) {
        /* The raw syscall stores the word it read at the data pointer. */
        uint64_t word = 0;
        if (bpf_probe_read_user(&word, sizeof word, (const void*)v)) {
            s->faulted = 1;
            return push_empty(s, i);
        }
        v = word;
    } else if (is_data && (req == MBPF_PTRACE_CONT || req == MBPF_PTRACE_SINGLESTEP ||
                           req == MBPF_PTRACE_DETACH || req == MBPF_PTRACE_SYSCALL ||
                           req == MBPF_PTRACE_SYSEMU || req == MBPF_PTRACE_SYSEMU_SINGLESTEP)) {
        p[0] = 1; /* the signal delivered on resuming */
        p[1] = (uint8_t)v;
        return param_done(s, i, 2);
    }
    p[0] = 0;
    *(uint64_t*)(p + 1) = v;
    param_done(s, i, 9);
}

/* exe (first string of the argument area), args (the rest) or env, from the current mm. */
static __always_inline void push_task_area(struct mbpf_scratch* s, uint32_t i, int which) {
    struct task_struct* t = (struct task_struct*)bpf_get_current_task_btf();
    struct mm_struct* mm = BPF_CORE_READ(t, mm);
    if (!mm) return push_empty(s, i);
    uint64_t start, end;
    if (which == 2) {
        start = BPF_CORE_READ(mm, env_start);
        end = BPF_CORE_READ(mm, env_end);
    } else {
        start = BPF_CORE_READ(mm, arg_start);
        end = BPF_CORE_READ(mm, arg_end);
    }
    if (end <= start) return push_empty(s, i);
    if (which == 0) return push_str(s, i, (const void*)start, 1);
    if (which == 1) {
        long first = bpf_probe_read_user_str(cursor(s), MBPF_MAX_STR, (const void*)start);
        if (first < 0) first = 0;
        start += first;
        if (end <= start) return push_empty(s, i);
    }
    push_bytes(s, i, (const void*)start, end - start > MBPF_MAX_ARGS_AREA ? MBPF_MAX_ARGS_AREA : end - start,
               1);
}

static __always_inline uint64_t task_value(struct task_struct* t, uint32_t kind) {
    switch (kind) {
        case MBPF_SRC_TASK_TID:
            return BPF_CORE_READ(t, pid);
        case MBPF_SRC_TASK_PID:
            return BPF_CORE_READ(t, tgid);
        case MBPF_SRC_TASK_PTID:
            return BPF_CORE_READ(t, real_parent, pid);
        case MBPF_SRC_TASK_VTID:
            return pid_nr_in_own_ns(BPF_CORE_READ(t, thread_pid));
        case MBPF_SRC_TASK_VPID:
            return pid_nr_in_own_ns(BPF_CORE_READ(t, group_leader, thread_pid));
        case MBPF_SRC_TASK_PGID:
            return pid_nr_global(task_pgrp(t));
        case MBPF_SRC_TASK_VPGID:
            return pid_nr_in_own_ns(task_pgrp(t));
        case MBPF_SRC_TASK_FDLIMIT:
            return task_fdlimit(t);
        case MBPF_SRC_TASK_PGFT_MAJ:
            return BPF_CORE_READ(t, maj_flt);
        case MBPF_SRC_TASK_PGFT_MIN:
            return BPF_CORE_READ(t, min_flt);
        case MBPF_SRC_TASK_VM_SIZE:
            return task_vm(t, 0);
        case MBPF_SRC_TASK_VM_RSS:
            return task_vm(t, 1);
        case MBPF_SRC_TASK_VM_SWAP:
            return task_vm(t, 2);
        case MBPF_SRC_TASK_TTY:
            return task_tty(t);
        case MBPF_SRC_TASK_LOGINUID:
            return BPF_CORE_READ(t, loginuid.val);
        case MBPF_SRC_TASK_UID:
            return BPF_CORE_READ(t, cred, euid.val);
        case MBPF_SRC_TASK_GID:
            return BPF_CORE_READ(t, cred, egid.val);
        case MBPF_SRC_TASK_CAP_INH:
            return task_caps(t, 0);
        case MBPF_SRC_TASK_CAP_PRM:
            return task_caps(t, 1);
        case MBPF_SRC_TASK_CAP_EFF:
            return task_caps(t, 2);
        case MBPF_SRC_TASK_EXE_INO: {
            struct inode* ino = task_exe_inode(t);
            return ino ? BPF_CORE_READ(ino, i_ino) : 0;
        }
        case MBPF_SRC_TASK_EXE_CTIME:
            return task_exe_time(t, 0);
        case MBPF_SRC_TASK_EXE_MTIME:
            return task_exe_time(t, 1);
        case MBPF_SRC_TASK_PIDNS_START:
            return task_pidns_start(t);
        case MBPF_SRC_TASK_EXE_FLAGS:
            return task_exe_flags(t);
    }
    return 0;
}

/* open flags with O_F_CREATED when the call created the file (the kernel marks the struct file;
 * O_CREAT alone does not say whether the file existed). */
static __always_inline uint64_t post_fixup(struct mbpf_scratch* s, const struct mbpf_param_src* src,
                                           uint64_t v) {
    /* Option numbers of other levels overlap SO_*: they would be converted into wrong names. */
    if (src->post == MBPF_POST_SOL_SOCKET && s->args[1] != MBPF_SOL_SOCKET) return 0;
    if (src->post == MBPF_POST_CREATED && s->ret >= 0) {
        if (event_file_created(s, s->ret)) v |= ppm_o_f_created;
    }
    return v;
}

/* In a filler built without `family` (a compile-time constant), the case is dead code: userspace
 * never sends an event whose row needs it there (mbpf_src_family, proposal 0010). */
#define MBPF_ONLY_IN(family) \
    if (!((families) & (family))) return push_empty(s, i)

/* Writes parameter i of the event in `s` from the source `src`, for the source families
 * `families` (a constant: the other families' code is left out). */
/* Flag conversions in the filler: the legacy probe calls the global function (one verification)
 * instead of walking the rule loop inline at every site (see MBPF_HELPER). */
#ifdef MBPF_LEGACY
#define MBPF_CONVERT(table, raw) convert_flags_fn((table), (raw))
#else
#define MBPF_CONVERT(table, raw) convert_flags((table), (raw))
#endif

static __always_inline void fill_param_body(struct mbpf_scratch* s, uint32_t i,
                                            const struct mbpf_param_src* src, const uint32_t families) {
    const uint32_t arg = src->arg, aux = src->aux, size = src->size;
    const uint64_t a = arg_of(s, arg);
    const int64_t ret = s->ret;
    switch (src->kind) {
        case MBPF_SRC_RET:
            return push_int(s, i, MBPF_CONVERT(src->conv, (uint64_t)ret), size);
        case MBPF_SRC_ARG:
            /* fd and pid arguments are C ints: the upper half of the register is not theirs. */
            if (src->type == MBPF_PT_FD || src->type == MBPF_PT_PID)
                return push_int(s, i, (uint64_t)(int64_t)(int32_t)a, size);
            return push_int(s, i, post_fixup(s, src, MBPF_CONVERT(src->conv, a)), size);
        case MBPF_SRC_CONST:
            return push_int(s, i, aux, size);
        case MBPF_SRC_ARG_STR: {
            /* A string only for some values of another argument (prctl's arg2 is a name for
             * PR_SET_NAME/PR_GET_NAME, an integer otherwise): there a pointer may be anything. */
            if (aux && !MBPF_CONVERT(src->conv, arg_of(s, aux - 1))) return push_empty(s, i);
            const struct mbpf_saved_args* sv = saved_for(s, arg);
            /* An empty copy means the entry read faulted (untouched page): the kernel has
             * faulted the page in since, so reading now is the best we can do. */
            if (sv && sv->data_len) {
                /* An inline copy is exactly data_len bytes, NUL included: copied as bytes, not
                 * scanned again for its end one byte at a time. */
                if (saved_is_inline(sv)) return push_bytes(s, i, sv->data, sv->data_len, 0);
                const uint8_t* d = saved_data(sv);
                if (d) return push_str(s, i, d, 0);
                /* The long part did not fit in saved_long: read it now, counted. */
                struct mbpf_counters* c = counters_get();
                if (c) c->n_toctou_misses++;
            }
            return push_str(s, i, (const void*)a, 1);
        }
        case MBPF_SRC_BUF_RET: {
            uint64_t n = ret > 0 ? (uint64_t)ret : 0;
            return push_bytes(s, i, (const void*)a, n < snaplen ? n : snaplen, 1);
        }
        case MBPF_SRC_BUF_ARG: {
            uint64_t n = arg_of(s, aux);
            return push_bytes(s, i, (const void*)a, n < snaplen ? n : snaplen, 1);
        }
        case MBPF_SRC_SOCKADDR: {
            const struct mbpf_saved_args* sv = saved_for(s, arg);
            if (sv && sv->data_len)
                return push_sockaddr_raw(s, i, sv->data, sv->data_len & (MBPF_SOCKADDR_MAX * 2 - 1));
            return push_user_sockaddr(s, i, (const void*)a, (int64_t)arg_of(s, aux));
        }
        case MBPF_SRC_SOCKADDR_PLEN: {
            int len = 0;
            if (ret < 0 || !arg_of(s, aux) ||
                bpf_probe_read_user(&len, sizeof len, (const void*)arg_of(s, aux)))
                return push_empty(s, i);
            return push_user_sockaddr(s, i, (const void*)a, len);
        }
        case MBPF_SRC_FD_TUPLE: {
            MBPF_ONLY_IN(MBPF_FAM_NET);
            const void* uaddr = 0;
            int64_t ulen = 0;
            if (aux & MBPF_TUPLE_ADDR_MSG) {
                /* recvmsg: the kernel wrote the sender back on success only. */
                struct user_msghdr m = {};
                const void* um = (const void*)arg_of(s, (aux >> 4) & 7);
                if ((!(aux & MBPF_TUPLE_ADDR_BYPTR) || ret >= 0) && um &&
                    !bpf_probe_read_user(&m, sizeof m, um)) {
                    uaddr = m.msg_name;
                    ulen = m.msg_namelen;
                }
            } else if (aux & MBPF_TUPLE_ADDR_BYVAL) {
                uaddr = (const void*)arg_of(s, aux >> 4);
                ulen = (int64_t)arg_of(s, (aux >> 4) + 1);
            } else if ((aux & MBPF_TUPLE_ADDR_BYPTR) && ret >= 0) {
                /* The kernel wrote the sender's address and its length back on success only. */
                const void* plen = (const void*)arg_of(s, (aux >> 4) + 1);
                int len = 0;
                if (plen && !bpf_probe_read_user(&len, sizeof len, plen)) {
                    uaddr = (const void*)arg_of(s, aux >> 4);
                    ulen = len;
                }
            }
            return push_fd_tuple(s, i, (aux & 1) ? ret : (int64_t)a, (aux & 2) != 0, uaddr, ulen);
        }
        case MBPF_SRC_FD_DEV:
            return push_int(s, i, event_file_dev(s, aux ? ret : (int64_t)a), size);
        case MBPF_SRC_FD_INO: {
            if (aux != 2) return push_int(s, i, event_file_ino(s, aux ? ret : (int64_t)a), size);
            /* pipe/pipe2: the fds are in the user int[2], valid only once the call succeeded. */
            int fd = -1;
            if (ret != 0 || !a || bpf_probe_read_user(&fd, sizeof fd, (const void*)a))
                return push_int(s, i, 0, size);
            return push_int(s, i, event_file_ino(s, fd), size);
        }
        case MBPF_SRC_USER_INT: {
            uint64_t v = 0;
            /* fds and pids in user memory are C ints (pipe's int[2]): 8 bytes would take the
             * neighbour as the upper half. */
            if (src->type == MBPF_PT_FD || src->type == MBPF_PT_PID) {
                int32_t v32 = 0;
                if (!a || bpf_probe_read_user(&v32, sizeof v32, (const void*)(a + aux)))
                    return push_empty(s, i);
                return push_int(s, i, (uint64_t)(int64_t)v32, size);
            }
            if (!a || bpf_probe_read_user(&v, 8, (const void*)(a + aux))) return push_empty(s, i);
            return push_int(s, i, post_fixup(s, src, MBPF_CONVERT(src->conv, v)), size);
        }
        case MBPF_SRC_TIMESPEC: {
            struct {
                int64_t sec, nsec;
            } ts = {};
            if (!a || bpf_probe_read_user(&ts, sizeof ts, (const void*)a)) return push_empty(s, i);
            return push_int(s, i, (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec, 8);
        }
        case MBPF_SRC_IOV_LEN:
        case MBPF_SRC_IOV_DATA:
            if (src->kind == MBPF_SRC_IOV_LEN)
                return push_iov_len(s, i, (const struct iovec*)a, arg_of(s, aux & 7));
            return push_iov_data(s, i, (const struct iovec*)a, arg_of(s, aux & 7),
                                 !(aux & MBPF_IOV_DATA_RET) ? ~0ull
                                 : ret > 0                  ? (uint64_t)ret
                                                            : 0);
        case MBPF_SRC_CLONE3_FLAGS: {
            uint64_t v = 0;
            if (ret == 0) {
                /* Child side: the parent may already have reused the stack clone_args lived on;
                 * clone3_flags_at_fork (tracepoints.h) kept a copy for us. */
                struct mbpf_saved_args* sv = saved_current();
                if (sv && sv->nr == MBPF_NR_CLONE3 && sv->data_len >= 8) {
                    v = *(const uint64_t*)sv->data;
                    saved_release(sv);
                    return push_int(s, i, MBPF_CONVERT(src->conv, v), size);
                }
            }
            if (!a || bpf_probe_read_user(&v, 8, (const void*)a)) return push_empty(s, i);
            return push_int(s, i, MBPF_CONVERT(src->conv, v), size);
        }
        case MBPF_SRC_ACCEPT_QUEUE: {
            MBPF_ONLY_IN(MBPF_FAM_NET);
            /* The listening socket's accept queue after this accept took its connection. */
            struct sock* sk = file_sock(event_file(s, (int64_t)(int32_t)a));
            uint32_t len = sk ? BPF_CORE_READ(sk, sk_ack_backlog) : 0;
            uint32_t max = sk ? BPF_CORE_READ(sk, sk_max_ack_backlog) : 0;
            uint64_t v = aux == 0 ? len : aux == 1 ? max : (max ? (uint64_t)len * 100 / max : 0);
            return push_int(s, i, v, size);
        }
        case MBPF_SRC_POLLFDS:
            return push_pollfds(s, i, (const struct pollfd*)a, arg_of(s, aux), src->conv);
        case MBPF_SRC_MSG_LEN:
        case MBPF_SRC_MSG_DATA:
        case MBPF_SRC_MSG_CONTROL: {
            struct user_msghdr m = {};
            if (!a || bpf_probe_read_user(&m, sizeof m, (const void*)a)) return push_empty(s, i);
            if (src->kind == MBPF_SRC_MSG_LEN)
                return push_iov_len(s, i, (const struct iovec*)m.msg_iov, m.msg_iovlen);
            if (src->kind == MBPF_SRC_MSG_DATA) {
                /* Received data: only the bytes the call returned are meaningful. */
                uint64_t cap = aux ? (ret > 0 ? (uint64_t)ret : 0) : ~0ull;
                return push_iov_data(s, i, (const struct iovec*)m.msg_iov, m.msg_iovlen, cap);
            }
            /* Control data after a receive: the kernel has set msg_controllen to what it wrote. */
            if (ret < 0) return push_empty(s, i);
            uint64_t n = m.msg_controllen < snaplen ? m.msg_controllen : snaplen;
            return push_bytes(s, i, m.msg_control, n, 1);
        }
        case MBPF_SRC_SOCKPAIR_SK: {
            MBPF_ONLY_IN(MBPF_FAM_NET);
            int32_t fd = -1;
            if (ret != 0 || !a || bpf_probe_read_user(&fd, sizeof fd, (const void*)a))
                return push_int(s, i, 0, size);
            struct sock* sk = file_sock(event_file(s, fd));
            if (sk && aux == 1) sk = (struct sock*)BPF_CORE_READ((struct unix_sock*)sk, peer);
            return push_int(s, i, (uint64_t)sk, size);
        }
        case MBPF_SRC_FD_PATH:
            MBPF_ONLY_IN(MBPF_FAM_PATH);
            return push_file_path(s, i, event_file(s, aux ? ret : (int64_t)a));
        case MBPF_SRC_SEMBUF: {
            const uint32_t entry = aux >> 2, field = aux & 3;
            struct {
                uint16_t num;
                int16_t op;
                int16_t flg;
            } sb = {};
            uint64_t v = 0;
            if (ret == 0 && a && arg_of(s, arg + 1) > entry &&
                !bpf_probe_read_user(&sb, sizeof sb, (const void*)(a + entry * sizeof sb)))
                v = field == 0   ? sb.num
                    : field == 1 ? (uint64_t)(int64_t)sb.op
                                 : MBPF_CONVERT(src->conv, (uint16_t)sb.flg);
            return push_int(s, i, v, size);
        }
        case MBPF_SRC_PTRACE_VAL:
            return push_ptrace_val(s, i, aux == 1, a);
        case MBPF_SRC_SOCKOPT_VAL: {
            int64_t len = (int64_t)arg_of(s, aux & 7);
            if (aux & MBPF_SOCKOPT_LEN_PTR) {
                /* getsockopt: the kernel wrote the value's length back on success only. */
                int32_t len32 = 0;
                if (ret < 0 || !len || bpf_probe_read_user(&len32, sizeof len32, (const void*)len))
                    return push_empty(s, i);
                len = len32;
            }
            return push_sockopt_val(s, i, (const void*)a, len);
        }
        case MBPF_SRC_PPM_SC:
            return push_int(s, i, s->ppm_sc, size);
        case MBPF_SRC_NATIVE_NR:
            return push_int(s, i, s->nr, size);
        case MBPF_SRC_TASK_EXE:
            MBPF_ONLY_IN(MBPF_FAM_TASK);
            return push_task_area(s, i, 0);
        case MBPF_SRC_TASK_ARGS:
            MBPF_ONLY_IN(MBPF_FAM_TASK);
            return push_task_area(s, i, 1);
        case MBPF_SRC_TASK_ENV:
            MBPF_ONLY_IN(MBPF_FAM_TASK);
            return push_task_area(s, i, 2);
        case MBPF_SRC_TASK_COMM: {
            MBPF_ONLY_IN(MBPF_FAM_TASK);
            struct task_struct* t = (struct task_struct*)bpf_get_current_task_btf();
            return push_str(s, i, __builtin_preserve_access_index(&t->comm[0]), 0);
        }
        case MBPF_SRC_TASK_CWD:
            MBPF_ONLY_IN(MBPF_FAM_PATH);
            return push_task_path(s, i, 0);
        case MBPF_SRC_TASK_EXEPATH:
            MBPF_ONLY_IN(MBPF_FAM_PATH);
            return push_task_path(s, i, 1);
        case MBPF_SRC_TASK_CGROUPS:
            MBPF_ONLY_IN(MBPF_FAM_PATH);
            return push_task_cgroups(s, i);
        case MBPF_SRC_EMPTY:
            return push_empty(s, i);
        default:
            MBPF_ONLY_IN(MBPF_FAM_TASK);
            if (src->kind >= MBPF_SRC_TASK_TID && src->kind < MBPF_SRC_KIND_COUNT)
                return push_int(s, i, task_value((struct task_struct*)bpf_get_current_task_btf(), src->kind),
                                size);
            return push_empty(s, i);
    }
}

#undef MBPF_ONLY_IN

struct fill_loop_ctx {
    uint32_t code;
};

/* The source of parameter i of the event in the loop context; 0: stop the loop. */
static __always_inline struct mbpf_scratch* fill_src_of(uint32_t i, const struct fill_loop_ctx* c,
                                                        struct mbpf_param_src* src) {
    struct mbpf_scratch* s = scratch_get();
    uint32_t code = c->code;
    if (!s || code >= MBPF_EVENT_MAX || i >= MBPF_MAX_PARAMS) return 0;
    /* The mask (not only the check above) is what bounds the index for the verifier. */
    uint32_t k = i;
    asm volatile("" : "+r"(k)); /* keep the compiler from dropping the mask as redundant */
    k &= MBPF_MAX_PARAMS - 1;
    src->kind = fill_specs[code].params[k].kind;
    src->arg = fill_specs[code].params[k].arg;
    src->aux = fill_specs[code].params[k].aux;
    src->conv = fill_specs[code].params[k].conv;
    src->type = fill_specs[code].params[k].type;
    src->size = fill_specs[code].params[k].size;
    src->post = fill_specs[code].params[k].post;
    return s;
}

/*
 * One table filler for the source families `families`: fill_param_<name>, a global (non-static)
 * function the verifier checks once, on its own, with only its arguments' types known, instead of
 * once per state of every caller (that keeps the filler within the verifier's instruction budget);
 * fill_one_<name>, the per-parameter bpf_loop callback; fill_from_table_<name>(ctx, s, code),
 * which builds and submits the exit event `code` from its table row. The modern driver has one
 * (all families), the legacy probe one per program (driver/bpf/fillers.def).
 */
#define MBPF_DEFINE_FILLER(name, families)                                                                   \
    __noinline int fill_param_##name(struct mbpf_scratch* s, uint32_t i, const struct mbpf_param_src* src) { \
        if (!s || !src) return 0;                                                                            \
        fill_param_body(s, i, src, (families));                                                              \
        return 0;                                                                                            \
    }                                                                                                        \
    static long fill_one_##name(uint32_t i, void* vctx) {                                                    \
        struct mbpf_param_src src = {};                                                                      \
        struct mbpf_scratch* s = fill_src_of(i, vctx, &src);                                                 \
        if (!s) return 1;                                                                                    \
        fill_param_##name(s, i, &src);                                                                       \
        return 0;                                                                                            \
    }                                                                                                        \
    static __always_inline void fill_from_table_##name(void* ctx, struct mbpf_scratch* s, uint32_t code) {   \
        if (code >= MBPF_EVENT_MAX) return;                                                                  \
        uint32_t n = fill_specs[code].nparams;                                                               \
        event_begin(s, code, n);                                                                             \
        struct fill_loop_ctx c = {.code = code};                                                             \
        bpf_loop(n, fill_one_##name, &c, 0);                                                                 \
        event_submit(ctx, s, current_tid());                                                                 \
    }

#endif /* MBPF_FILL_H */
