/*
 * The module's interpreter of the shared rows (driver/shared/fill_table.def, compiled against the
 * schema by userspace and handed over with KMOD_IOCTL_SET_TABLES): one function per event, a
 * switch over the parameter source kinds of driver/shared/abi.h. The modern eBPF driver
 * interprets the same rows (driver/modern_bpf/bpf/fill.h); a new syscall is a new row for both.
 */
#include <linux/poll.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/af_unix.h>

#include "kmod.h"

/* ppm_param_type values the filler treats specially (scap_schema.h). */
#define KMOD_PT_FD 14
#define KMOD_PT_PID 15
#define KMOD_SOL_SOCKET 1

uint64_t kmod_convert_flags(const struct kmod_session* s, uint32_t table, uint64_t raw) {
    uint64_t out = 0;
    uint32_t k;
    if (table == 0 || table >= MBPF_CONV_TABLES) return raw;
    for (k = 0; k < MBPF_CONV_ENTRIES; k++) {
        const struct mbpf_conv_rule* r = &s->conv[table][k];
        if (r->mask == 0) break;
        if ((raw & r->mask) == r->value) out |= r->ppm;
    }
    return out;
}

static uint64_t arg_of(const struct kmod_evt* e, uint32_t a) {
    return e->args[a < 6 ? a : 0];
}

/* The saved entry data when parameter `arg` is the one saved at entry (TOCTOU rows). */
static const struct kmod_saved* saved_for(const struct kmod_evt* e, uint32_t arg) {
    const struct mbpf_fill_spec* spec = &e->ses->specs[e->code];
    if (!e->saved || !spec->toctou || spec->path_arg != arg) return NULL;
    return e->saved->data_len ? e->saved : NULL;
}

/* User iovec walk (the first 16 entries, as the eBPF driver): the sum of the lengths (data false)
 * or the first bytes of the data, at most snaplen and at most cap. */
static void push_iov(struct kmod_evt* e, uint32_t i, uint64_t uiov, uint64_t cnt, bool data, uint64_t cap) {
    uint64_t total = 0;
    uint32_t copied = 0, k;
    uint32_t limit = min_t(uint32_t, e->ses->snaplen, MBPF_MAX_STR);
    if (cap < limit) limit = (uint32_t)cap;
    if (data && limit > kmod_room(e)) return kmod_param_done(e, i, limit);
    if (cnt > 16) cnt = 16;
    for (k = 0; k < cnt; k++) {
        struct iovec v;
        if (!kmod_read_user(e, &v, uiov + k * sizeof(v), sizeof(v))) break;
        total += v.iov_len;
        if (data && copied < limit && v.iov_len) {
            uint32_t n = (uint32_t)min_t(uint64_t, limit - copied, v.iov_len);
            if (kmod_read_user(e, kmod_cursor(e) + copied, (uint64_t)(uintptr_t)v.iov_base, n)) copied += n;
        }
    }
    if (data)
        kmod_param_done(e, i, copied);
    else
        kmod_push_int(e, i, total, 4);
}

#define KMOD_MAX_POLLFD 16

/* PT_FDLIST: u16 count, then per pollfd an s64 fd and the s16 returned events (converted). */
static void push_pollfds(struct kmod_evt* e, uint32_t i, uint64_t ufds, uint64_t nfds, uint32_t conv) {
    uint8_t* p = kmod_cursor(e);
    uint32_t n = (uint32_t)min_t(uint64_t, nfds, KMOD_MAX_POLLFD), done = 0, k;
    uint16_t cnt;
    if (!ufds) return kmod_push_empty(e, i);
    if (kmod_room(e) < 2 + KMOD_MAX_POLLFD * 10) return kmod_param_done(e, i, 2 + KMOD_MAX_POLLFD * 10);
    for (k = 0; k < n; k++) {
        struct pollfd pfd;
        int64_t fd;
        int16_t ev;
        if (!kmod_read_user(e, &pfd, ufds + k * sizeof(pfd), sizeof(pfd))) break;
        fd = pfd.fd;
        ev = (int16_t)kmod_convert_flags(e->ses, conv, (uint16_t)pfd.revents);
        memcpy(p + 2 + k * 10, &fd, 8);
        memcpy(p + 2 + k * 10 + 8, &ev, 2);
        done++;
    }
    cnt = (uint16_t)done;
    memcpy(p, &cnt, 2);
    kmod_param_done(e, i, 2 + done * 10);
}

/* A socket option's value as PT_DYN (index of its type in sockopt_dynamic_param, then the value). */
static void push_sockopt_val(struct kmod_evt* e, uint32_t i, uint64_t uval, int64_t len) {
    const uint64_t level = e->args[1], optname = e->args[2];
    uint32_t kind = MBPF_SOCKOPT_BYTES, n = 8, cnt;
    uint8_t* p = kmod_cursor(e);
    uint64_t v = 0;
    if (!uval || len <= 0) return kmod_push_empty(e, i);
    if (kmod_room(e) < 1 + MBPF_MAX_STR) return kmod_param_done(e, i, 1 + MBPF_MAX_STR);
    if (level == KMOD_SOL_SOCKET && optname < MBPF_SOCKOPT_KINDS) kind = e->ses->sockopt_kinds[optname];
    if (kind == MBPF_SOCKOPT_ERRNO || kind == MBPF_SOCKOPT_U32) {
        int32_t v32 = 0;
        if (len < 4 || !kmod_read_user(e, &v32, uval, 4)) kind = MBPF_SOCKOPT_BYTES;
        v = kind == MBPF_SOCKOPT_ERRNO ? (uint64_t)(-(int64_t)v32) : (uint32_t)v32;
        n = kind == MBPF_SOCKOPT_U32 ? 4 : 8;
    } else if (kind == MBPF_SOCKOPT_U64) {
        if (len < 8 || !kmod_read_user(e, &v, uval, 8)) kind = MBPF_SOCKOPT_BYTES;
    } else if (kind == MBPF_SOCKOPT_TIMEVAL) {
        int64_t tv[2] = {0, 0};
        if (len < 16 || !kmod_read_user(e, tv, uval, 16)) kind = MBPF_SOCKOPT_BYTES;
        v = (uint64_t)tv[0] * 1000000000ull + (uint64_t)tv[1] * 1000ull;
    }
    p[0] = (uint8_t)kind;
    if (kind != MBPF_SOCKOPT_BYTES) {
        memcpy(p + 1, &v, n);
        return kmod_param_done(e, i, 1 + n);
    }
    cnt = (uint32_t)min_t(uint64_t, min_t(uint64_t, (uint64_t)len, e->ses->snaplen), MBPF_MAX_STR);
    if (cnt && !kmod_read_user(e, p + 1, uval, cnt)) cnt = 0;
    kmod_param_done(e, i, 1 + cnt);
}

/* ptrace requests whose data the kernel interprets differently (x86). */
#define KMOD_PTRACE_PEEKTEXT 1
#define KMOD_PTRACE_PEEKUSR 3
#define KMOD_PTRACE_CONT 7
#define KMOD_PTRACE_SINGLESTEP 9
#define KMOD_PTRACE_DETACH 17
#define KMOD_PTRACE_SYSCALL 24
#define KMOD_PTRACE_SYSEMU 31
#define KMOD_PTRACE_SYSEMU_SINGLESTEP 32

/* ptrace's addr or data as PT_DYN: index 0 (uint64) or 1 (signal), then the value. */
static void push_ptrace_val(struct kmod_evt* e, uint32_t i, bool is_data, uint64_t v) {
    const uint64_t req = e->args[0];
    uint8_t* p = kmod_cursor(e);
    if (e->ret < 0) return kmod_push_empty(e, i);
    if (kmod_room(e) < 9) return kmod_param_done(e, i, 9);
    if (is_data && req >= KMOD_PTRACE_PEEKTEXT && req <= KMOD_PTRACE_PEEKUSR) {
        /* The raw syscall stores the word it read at the data pointer. */
        uint64_t word = 0;
        if (!kmod_read_user(e, &word, v, 8)) return kmod_push_empty(e, i);
        v = word;
    } else if (is_data && (req == KMOD_PTRACE_CONT || req == KMOD_PTRACE_SINGLESTEP ||
                           req == KMOD_PTRACE_DETACH || req == KMOD_PTRACE_SYSCALL ||
                           req == KMOD_PTRACE_SYSEMU || req == KMOD_PTRACE_SYSEMU_SINGLESTEP)) {
        p[0] = 1; /* the signal delivered on resuming */
        p[1] = (uint8_t)v;
        return kmod_param_done(e, i, 2);
    }
    p[0] = 0;
    memcpy(p + 1, &v, 8);
    kmod_param_done(e, i, 9);
}

/* open flags get O_F_CREATED when the call created the file; sockopt names only mean SO_* for
 * level SOL_SOCKET. */
static uint64_t post_fixup(struct kmod_evt* e, const struct mbpf_param_src* src, uint64_t v) {
    if (src->post == MBPF_POST_SOL_SOCKET && e->args[1] != KMOD_SOL_SOCKET) return 0;
    if (src->post == MBPF_POST_CREATED && e->ret >= 0) {
        struct file* f = kmod_event_file(e, e->ret);
        if (f && (f->f_mode & FMODE_CREATED)) v |= e->ses->o_f_created;
    }
    return v;
}

/* The tuple source's user address (sendto/recvfrom/sendmsg/recvmsg), see MBPF_SRC_FD_TUPLE. */
static void tuple_user_addr(struct kmod_evt* e, uint32_t aux, uint64_t* uaddr, int64_t* ulen) {
    const int64_t ret = e->ret;
    *uaddr = 0;
    *ulen = 0;
    if (aux & MBPF_TUPLE_ADDR_MSG) {
        struct user_msghdr m;
        uint64_t um = arg_of(e, (aux >> 4) & 7);
        /* recvmsg: the kernel wrote the sender back on success only. */
        if ((!(aux & MBPF_TUPLE_ADDR_BYPTR) || ret >= 0) && um && kmod_read_user(NULL, &m, um, sizeof m)) {
            *uaddr = (uint64_t)(uintptr_t)m.msg_name;
            *ulen = m.msg_namelen;
        }
    } else if (aux & MBPF_TUPLE_ADDR_BYVAL) {
        *uaddr = arg_of(e, aux >> 4);
        *ulen = (int64_t)arg_of(e, (aux >> 4) + 1);
    } else if ((aux & MBPF_TUPLE_ADDR_BYPTR) && ret >= 0) {
        int32_t len = 0;
        uint64_t plen = arg_of(e, (aux >> 4) + 1);
        if (plen && kmod_read_user(NULL, &len, plen, 4)) {
            *uaddr = arg_of(e, aux >> 4);
            *ulen = len;
        }
    }
}

static void fill_param(struct kmod_evt* e, uint32_t i, const struct mbpf_param_src* src) {
    const uint32_t arg = src->arg, aux = src->aux, size = src->size;
    const uint64_t a = arg_of(e, arg);
    const int64_t ret = e->ret;
    struct kmod_session* s = e->ses;
    switch (src->kind) {
        case MBPF_SRC_RET:
            return kmod_push_int(e, i, kmod_convert_flags(s, src->conv, (uint64_t)ret), size);
        case MBPF_SRC_ARG:
            /* fd and pid arguments are C ints: the upper half of the register is not theirs. */
            if (src->type == KMOD_PT_FD || src->type == KMOD_PT_PID)
                return kmod_push_int(e, i, (uint64_t)(int64_t)(int32_t)a, size);
            return kmod_push_int(e, i, post_fixup(e, src, kmod_convert_flags(s, src->conv, a)), size);
        case MBPF_SRC_CONST:
            return kmod_push_int(e, i, aux, size);
        case MBPF_SRC_ARG_STR: {
            const struct kmod_saved* sv;
            /* A string only for some values of another argument (prctl's PR_SET_NAME...). */
            if (aux && !kmod_convert_flags(s, src->conv, arg_of(e, aux - 1))) return kmod_push_empty(e, i);
            sv = saved_for(e, arg);
            if (sv) return kmod_push_kernel_bytes(e, i, sv->data, sv->data_len);
            return kmod_push_user_str(e, i, a);
        }
        case MBPF_SRC_BUF_RET:
            return kmod_push_user_bytes(e, i, a, ret > 0 ? min_t(uint64_t, (uint64_t)ret, s->snaplen) : 0);
        case MBPF_SRC_BUF_ARG:
            return kmod_push_user_bytes(e, i, a, min_t(uint64_t, arg_of(e, aux), s->snaplen));
        case MBPF_SRC_SOCKADDR: {
            const struct kmod_saved* sv = saved_for(e, arg);
            if (sv)
                return kmod_push_sockaddr_raw(e, i, sv->data,
                                              min_t(uint32_t, sv->data_len, MBPF_SOCKADDR_MAX));
            return kmod_push_user_sockaddr(e, i, a, (int64_t)arg_of(e, aux));
        }
        case MBPF_SRC_SOCKADDR_PLEN: {
            int32_t len = 0;
            if (ret < 0 || !arg_of(e, aux) || !kmod_read_user(e, &len, arg_of(e, aux), 4))
                return kmod_push_empty(e, i);
            return kmod_push_user_sockaddr(e, i, a, len);
        }
        case MBPF_SRC_FD_TUPLE: {
            uint64_t uaddr;
            int64_t ulen;
            tuple_user_addr(e, aux, &uaddr, &ulen);
            return kmod_push_fd_tuple(e, i, (aux & 1) ? ret : (int64_t)a, (aux & 2) != 0, uaddr, ulen);
        }
        case MBPF_SRC_FD_DEV:
            return kmod_push_int(e, i, kmod_file_dev(kmod_event_file(e, aux ? ret : (int64_t)a)), size);
        case MBPF_SRC_FD_INO: {
            int32_t fd = -1;
            if (aux != 2)
                return kmod_push_int(e, i, kmod_file_ino(kmod_event_file(e, aux ? ret : (int64_t)a)), size);
            /* pipe/pipe2: the fds are in the user int[2], valid only once the call succeeded. */
            if (ret != 0 || !a || !kmod_read_user(e, &fd, a, 4)) return kmod_push_int(e, i, 0, size);
            return kmod_push_int(e, i, kmod_file_ino(kmod_event_file(e, fd)), size);
        }
        case MBPF_SRC_USER_INT: {
            uint64_t v = 0;
            /* fds and pids in user memory are C ints: 8 bytes would take the neighbour. */
            if (src->type == KMOD_PT_FD || src->type == KMOD_PT_PID) {
                int32_t v32 = 0;
                if (!kmod_read_user(e, &v32, a + aux, 4)) return kmod_push_empty(e, i);
                return kmod_push_int(e, i, (uint64_t)(int64_t)v32, size);
            }
            if (!a || !kmod_read_user(e, &v, a + aux, 8)) return kmod_push_empty(e, i);
            return kmod_push_int(e, i, post_fixup(e, src, kmod_convert_flags(s, src->conv, v)), size);
        }
        case MBPF_SRC_TIMESPEC: {
            int64_t ts[2];
            if (!a || !kmod_read_user(e, ts, a, sizeof ts)) return kmod_push_empty(e, i);
            return kmod_push_int(e, i, (uint64_t)ts[0] * 1000000000ull + (uint64_t)ts[1], 8);
        }
        case MBPF_SRC_IOV_LEN:
            return push_iov(e, i, a, arg_of(e, aux & 7), false, ~0ull);
        case MBPF_SRC_IOV_DATA:
            return push_iov(e, i, a, arg_of(e, aux & 7), true,
                            !(aux & MBPF_IOV_DATA_RET) ? ~0ull
                            : ret > 0                  ? (uint64_t)ret
                                                       : 0);
        case MBPF_SRC_CLONE3_FLAGS: {
            uint64_t v = 0;
            if (ret == 0) {
                /* Child side: the parent may have reused the stack clone_args lived on; the fork
                 * probe kept a copy under our tid (probes.c). */
                struct kmod_saved* sv = kmod_saved_take(current->pid);
                if (sv && sv->nr == KMOD_NR_CLONE3 && sv->data_len >= 8) {
                    memcpy(&v, sv->data, 8);
                    kmod_saved_release(sv);
                    return kmod_push_int(e, i, kmod_convert_flags(s, src->conv, v), size);
                }
                kmod_saved_release(sv);
            }
            if (!a || !kmod_read_user(e, &v, a, 8)) return kmod_push_empty(e, i);
            return kmod_push_int(e, i, kmod_convert_flags(s, src->conv, v), size);
        }
        case MBPF_SRC_ACCEPT_QUEUE: {
            /* The listening socket's accept queue after this accept took its connection. */
            struct sock* sk = kmod_file_sock(kmod_event_file(e, (int64_t)(int32_t)a));
            uint32_t len = sk ? READ_ONCE(sk->sk_ack_backlog) : 0;
            uint32_t max = sk ? READ_ONCE(sk->sk_max_ack_backlog) : 0;
            uint64_t v = aux == 0 ? len : aux == 1 ? max : (max ? (uint64_t)len * 100 / max : 0);
            return kmod_push_int(e, i, v, size);
        }
        case MBPF_SRC_POLLFDS:
            return push_pollfds(e, i, a, arg_of(e, aux), src->conv);
        case MBPF_SRC_MSG_LEN:
        case MBPF_SRC_MSG_DATA:
        case MBPF_SRC_MSG_CONTROL: {
            struct user_msghdr m;
            if (!a || !kmod_read_user(e, &m, a, sizeof m)) return kmod_push_empty(e, i);
            if (src->kind == MBPF_SRC_MSG_LEN)
                return push_iov(e, i, (uint64_t)(uintptr_t)m.msg_iov, m.msg_iovlen, false, ~0ull);
            if (src->kind == MBPF_SRC_MSG_DATA)
                return push_iov(e, i, (uint64_t)(uintptr_t)m.msg_iov, m.msg_iovlen, true,
                                aux ? (ret > 0 ? (uint64_t)ret : 0) : ~0ull);
            /* Control data after a receive: the kernel set msg_controllen to what it wrote. */
            if (ret < 0) return kmod_push_empty(e, i);
            return kmod_push_user_bytes(e, i, (uint64_t)(uintptr_t)m.msg_control,
                                        min_t(uint64_t, m.msg_controllen, s->snaplen));
        }
        case MBPF_SRC_SOCKPAIR_SK: {
            int32_t fd = -1;
            struct sock* sk;
            if (ret != 0 || !a || !kmod_read_user(e, &fd, a, 4)) return kmod_push_int(e, i, 0, size);
            sk = kmod_file_sock(kmod_event_file(e, fd));
            if (sk && aux == 1) sk = READ_ONCE(unix_sk(sk)->peer);
            return kmod_push_int(e, i, (uint64_t)(uintptr_t)sk, size);
        }
        case MBPF_SRC_FD_PATH: {
            struct file* f = kmod_event_file(e, aux ? ret : (int64_t)a);
            if (!f) return kmod_push_empty(e, i);
            return kmod_push_path(e, i, &f->f_path);
        }
        case MBPF_SRC_SEMBUF: {
            const uint32_t entry = aux >> 2, field = aux & 3;
            struct {
                uint16_t num;
                int16_t op;
                int16_t flg;
            } sb;
            uint64_t v = 0;
            if (ret == 0 && a && arg_of(e, arg + 1) > entry &&
                kmod_read_user(e, &sb, a + entry * sizeof sb, sizeof sb))
                v = field == 0   ? sb.num
                    : field == 1 ? (uint64_t)(int64_t)sb.op
                                 : kmod_convert_flags(s, src->conv, (uint16_t)sb.flg);
            return kmod_push_int(e, i, v, size);
        }
        case MBPF_SRC_PTRACE_VAL:
            return push_ptrace_val(e, i, aux == 1, a);
        case MBPF_SRC_SOCKOPT_VAL: {
            int64_t len = (int64_t)arg_of(e, aux & 7);
            if (aux & MBPF_SOCKOPT_LEN_PTR) {
                /* getsockopt: the kernel wrote the value's length back on success only. */
                int32_t len32 = 0;
                if (ret < 0 || !len || !kmod_read_user(e, &len32, (uint64_t)len, 4))
                    return kmod_push_empty(e, i);
                len = len32;
            }
            return push_sockopt_val(e, i, a, len);
        }
        case MBPF_SRC_PPM_SC:
            return kmod_push_int(e, i, e->ppm_sc, size);
        case MBPF_SRC_NATIVE_NR:
            return kmod_push_int(e, i, e->nr, size);
        case MBPF_SRC_TASK_EXE:
            return kmod_push_task_area(e, i, 0);
        case MBPF_SRC_TASK_ARGS:
            return kmod_push_task_area(e, i, 1);
        case MBPF_SRC_TASK_ENV:
            return kmod_push_task_area(e, i, 2);
        case MBPF_SRC_TASK_COMM: {
            /* Our own comm: only this task (prctl, exec) writes it, and not while we run. */
            char comm[TASK_COMM_LEN];
            memcpy(comm, current->comm, sizeof comm);
            comm[sizeof comm - 1] = 0;
            return kmod_push_kernel_str(e, i, comm);
        }
        case MBPF_SRC_TASK_CWD:
            return kmod_push_task_path(e, i, 0);
        case MBPF_SRC_TASK_EXEPATH:
            return kmod_push_task_path(e, i, 1);
        case MBPF_SRC_TASK_CGROUPS:
            return kmod_push_cgroups(e, i);
        case MBPF_SRC_EMPTY:
            return kmod_push_empty(e, i);
        default:
            if (src->kind >= MBPF_SRC_TASK_TID && src->kind < MBPF_SRC_KIND_COUNT)
                return kmod_push_int(e, i, kmod_task_value(e, current, src->kind), size);
            return kmod_push_empty(e, i);
    }
}

/* Fills every parameter of exit event `code` from its row (the event was begun by the caller). */
void kmod_fill_event(struct kmod_evt* e, uint16_t code) {
    const struct mbpf_fill_spec* spec = &e->ses->specs[code];
    uint32_t i;
    for (i = 0; i < e->nparams && i < spec->nparams; i++) fill_param(e, i, &spec->params[i]);
}
