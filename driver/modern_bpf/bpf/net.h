/*
 * Socket addresses and tuples in the wire encodings: PT_SOCKADDR is the family byte then the
 * address (IPv4: 4 address bytes + u16 port in host order; IPv6: 16 + port; unix: the path);
 * PT_SOCKTUPLE is the family byte, source, destination (unix: two socket pointers + the path).
 */
#ifndef MBPF_NET_H
#define MBPF_NET_H

#include "event.h"
#include "files.h"

#define MBPF_AF_UNIX 1
#define MBPF_AF_INET 2
#define MBPF_AF_INET6 10
#define MBPF_UNIX_PATH_MAX 108

static __always_inline uint16_t be16_to_host(uint16_t v) {
    return __builtin_bswap16(v);
}

/* Encodes the raw sockaddr `sa` (`len` valid bytes, at most MBPF_SOCKADDR_MAX) at the cursor. */
static __always_inline void push_sockaddr_raw(struct mbpf_scratch* s, uint32_t i, const uint8_t* sa,
                                              uint32_t len) {
    uint8_t* p = cursor(s);
    uint16_t family = len >= 2 ? *(const uint16_t*)sa : 0;
    if (family == MBPF_AF_INET && len >= 8) {
        p[0] = MBPF_AF_INET;
        __builtin_memcpy(p + 1, sa + 4, 4);
        *(uint16_t*)(p + 5) = be16_to_host(*(const uint16_t*)(sa + 2));
        param_done(s, i, 7);
    } else if (family == MBPF_AF_INET6 && len >= 24) {
        p[0] = MBPF_AF_INET6;
        __builtin_memcpy(p + 1, sa + 8, 16);
        *(uint16_t*)(p + 17) = be16_to_host(*(const uint16_t*)(sa + 2));
        param_done(s, i, 19);
    } else if (family == MBPF_AF_UNIX && len > 2) {
        p[0] = MBPF_AF_UNIX;
        /* Abstract addresses start with a NUL byte: skip it so the name shows. */
        const uint8_t* path = sa + 2;
        if (path[0] == 0) path++;
        long n = bpf_probe_read_kernel_str(p + 1, MBPF_UNIX_PATH_MAX, path);
        param_done(s, i, n > 0 ? 1 + (uint32_t)n : 1);
    } else if (family) {
        p[0] = (uint8_t)family;
        param_done(s, i, 1);
    } else {
        param_done(s, i, 0);
    }
}

/* A sockaddr from user memory, read into the scratch area's sockaddr staging: the stack is not
 * the place for it, it sits at the end of call chains (bpf_loop callbacks included) whose combined
 * stack the verifier caps at 512 bytes, every frame rounded up to 32. Not inlined: fill_param's
 * frame and its verification stay small. */
MBPF_HELPER push_user_sockaddr_fn(struct mbpf_scratch* s, uint32_t i, uint64_t uaddr, int64_t len) {
    if (!s) return 0;
    if (!uaddr || len <= 0) {
        push_empty(s, i);
        return 0;
    }
    if (len > MBPF_SOCKADDR_MAX) len = MBPF_SOCKADDR_MAX;
    if (bpf_probe_read_user(s->sockaddr, MBPF_MASK((uint32_t)len, MBPF_SOCKADDR_MAX * 2 - 1),
                            (const void*)uaddr)) {
        s->faulted = 1;
        push_empty(s, i);
        return 0;
    }
    push_sockaddr_raw(s, i, s->sockaddr, (uint32_t)len);
    return 0;
}
static __always_inline void push_user_sockaddr(struct mbpf_scratch* s, uint32_t i, const void* uaddr,
                                               int64_t len) {
    push_user_sockaddr_fn(s, i, (uint64_t)uaddr, len);
}

static __always_inline struct sock* file_sock(struct file* f) {
    if (!f) return 0;
    /* Only socket files keep a struct socket in private_data. */
    struct socket* sock = BPF_CORE_READ(f, private_data);
    if (!sock) return 0;
    struct file* back = BPF_CORE_READ(sock, file);
    if (back != f) return 0;
    return BPF_CORE_READ(sock, sk);
}

/* sockaddr_in6, the largest address an inet tuple takes its remote end from. */
#define MBPF_SOCKADDR_IN6_LEN 28

/* Reads the user sockaddr `uaddr` (`ulen` bytes) into `sa` when it is of `family` and long enough
 * for it; returns 0 when there is none to use. */
static __always_inline int read_remote_addr(uint8_t sa[MBPF_SOCKADDR_IN6_LEN], const void* uaddr,
                                            int64_t ulen, uint16_t family) {
    const int64_t need = family == MBPF_AF_INET ? 16 : MBPF_SOCKADDR_IN6_LEN;
    if (!uaddr || ulen < need) return 0;
    if (bpf_probe_read_user(sa, need, uaddr)) return 0;
    return *(const uint16_t*)sa == family;
}

/* The tuple of the socket behind fd: local -> remote, or remote -> local when `inbound`
 * (accepted connections and received datagrams read sender -> receiver). A socket without a peer
 * (unconnected UDP) has no remote end of its own: then it is the user sockaddr `uaddr` of `ulen`
 * bytes when there is one (sendto's destination, recvfrom's sender). */
static __always_inline void push_fd_tuple(struct mbpf_scratch* s, uint32_t i, int64_t fd, int inbound,
                                          const void* uaddr, int64_t ulen) {
    struct sock* sk = file_sock(event_file(s, fd));
    if (!sk) return push_empty(s, i);
    uint16_t family = BPF_CORE_READ(sk, __sk_common.skc_family);
    uint8_t* p = cursor(s);
    uint8_t sa[MBPF_SOCKADDR_IN6_LEN] = {};
    if (family == MBPF_AF_INET) {
        uint32_t laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
        uint32_t raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
        uint16_t lport = BPF_CORE_READ(sk, __sk_common.skc_num);
        uint16_t rport = be16_to_host(BPF_CORE_READ(sk, __sk_common.skc_dport));
        if (rport == 0 && read_remote_addr(sa, uaddr, ulen, MBPF_AF_INET)) {
            raddr = *(const uint32_t*)(sa + 4);
            rport = be16_to_host(*(const uint16_t*)(sa + 2));
        }
        p[0] = MBPF_AF_INET;
        *(uint32_t*)(p + 1) = inbound ? raddr : laddr;
        *(uint16_t*)(p + 5) = inbound ? rport : lport;
        *(uint32_t*)(p + 7) = inbound ? laddr : raddr;
        *(uint16_t*)(p + 11) = inbound ? lport : rport;
        return param_done(s, i, 13);
    }
    if (family == MBPF_AF_INET6) {
        uint8_t* first = p + 1;
        uint8_t* second = p + 19;
        uint16_t lport = BPF_CORE_READ(sk, __sk_common.skc_num);
        uint16_t rport = be16_to_host(BPF_CORE_READ(sk, __sk_common.skc_dport));
        p[0] = MBPF_AF_INET6;
        bpf_probe_read_kernel(inbound ? second : first, 16,
                              __builtin_preserve_access_index(&sk->__sk_common.skc_v6_rcv_saddr));
        if (rport == 0 && read_remote_addr(sa, uaddr, ulen, MBPF_AF_INET6)) {
            __builtin_memcpy(inbound ? first : second, sa + 8, 16);
            rport = be16_to_host(*(const uint16_t*)(sa + 2));
        } else {
            bpf_probe_read_kernel(inbound ? first : second, 16,
                                  __builtin_preserve_access_index(&sk->__sk_common.skc_v6_daddr));
        }
        *(uint16_t*)(p + 17) = inbound ? rport : lport;
        *(uint16_t*)(p + 35) = inbound ? lport : rport;
        return param_done(s, i, 37);
    }
    if (family == MBPF_AF_UNIX) {
        struct unix_sock* us = (struct unix_sock*)sk;
        struct sock* peer = BPF_CORE_READ(us, peer);
        p[0] = MBPF_AF_UNIX;
        *(uint64_t*)(p + 1) = (uint64_t)sk;
        *(uint64_t*)(p + 9) = (uint64_t)peer;
        /* The path: ours when bound, else the peer's. */
        struct unix_address* addr = BPF_CORE_READ(us, addr);
        if (!addr && peer) addr = BPF_CORE_READ((struct unix_sock*)peer, addr);
        long n = 0;
        if (addr) {
            const char* path = (const char*)__builtin_preserve_access_index(&addr->name[0].sun_path[0]);
            char c0 = 0;
            bpf_probe_read_kernel(&c0, 1, path);
            if (c0 == 0) path++;
            n = bpf_probe_read_kernel_str(p + 17, MBPF_UNIX_PATH_MAX, path);
        }
        if (n <= 0) {
            p[17] = 0;
            n = 1;
        }
        return param_done(s, i, 17 + (uint32_t)n);
    }
    p[0] = (uint8_t)family;
    param_done(s, i, 1);
}

#endif /* MBPF_NET_H */
