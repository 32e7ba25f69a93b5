/*
 * Socket addresses and tuples in the wire encodings: PT_SOCKADDR is the family byte then the
 * address (IPv4: 4 address bytes + u16 port in host order; IPv6: 16 + port; unix: the path);
 * PT_SOCKTUPLE is the family byte, source, destination (unix: two socket pointers + the path).
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/sock.h>

#include "kmod.h"

#define KMOD_SOCKADDR_IN6_LEN 28

void kmod_push_sockaddr_raw(struct kmod_evt* e, uint32_t i, const uint8_t* sa, uint32_t len) {
    uint8_t* p = kmod_cursor(e);
    uint16_t family = 0, port;
    if (kmod_room(e) < 2 + UNIX_PATH_MAX) return kmod_param_done(e, i, 2 + UNIX_PATH_MAX);
    if (len >= 2) memcpy(&family, sa, 2);
    if (family == AF_INET && len >= 8) {
        p[0] = AF_INET;
        memcpy(p + 1, sa + 4, 4);
        memcpy(&port, sa + 2, 2);
        port = ntohs(port);
        memcpy(p + 5, &port, 2);
        kmod_param_done(e, i, 7);
    } else if (family == AF_INET6 && len >= 24) {
        p[0] = AF_INET6;
        memcpy(p + 1, sa + 8, 16);
        memcpy(&port, sa + 2, 2);
        port = ntohs(port);
        memcpy(p + 17, &port, 2);
        kmod_param_done(e, i, 19);
    } else if (family == AF_UNIX && len > 2) {
        /* Abstract addresses start with a NUL byte: skip it so the name shows. */
        uint32_t start = sa[2] == 0 ? 3 : 2, n = 0;
        p[0] = AF_UNIX;
        while (start + n < len && n < UNIX_PATH_MAX - 1 && sa[start + n]) {
            p[1 + n] = sa[start + n];
            n++;
        }
        p[1 + n] = 0;
        kmod_param_done(e, i, 2 + n);
    } else if (family) {
        p[0] = (uint8_t)family;
        kmod_param_done(e, i, 1);
    } else {
        kmod_param_done(e, i, 0);
    }
}

void kmod_push_user_sockaddr(struct kmod_evt* e, uint32_t i, uint64_t uaddr, int64_t len) {
    uint8_t sa[MBPF_SOCKADDR_MAX];
    if (!uaddr || len <= 0) return kmod_push_empty(e, i);
    if (len > MBPF_SOCKADDR_MAX) len = MBPF_SOCKADDR_MAX;
    if (!kmod_read_user(e, sa, uaddr, (uint32_t)len)) return kmod_push_empty(e, i);
    kmod_push_sockaddr_raw(e, i, sa, (uint32_t)len);
}

struct sock* kmod_file_sock(struct file* f) {
    struct socket* sock;
    if (!f) return NULL;
    /* Only socket files keep their struct socket in private_data (sock_from_file checks f_op,
     * which is static to the kernel: compare the back pointer instead). */
    sock = f->private_data;
    if (!sock || !S_ISSOCK(file_inode(f)->i_mode) || sock->file != f) return NULL;
    return sock->sk;
}

/* The user sockaddr at uaddr (ulen bytes) when it is of `family` and long enough. */
static bool read_remote(struct kmod_evt* e, uint8_t sa[KMOD_SOCKADDR_IN6_LEN], uint64_t uaddr, int64_t ulen,
                        uint16_t family) {
    const int64_t need = family == AF_INET ? 16 : KMOD_SOCKADDR_IN6_LEN;
    uint16_t f;
    if (!uaddr || ulen < need) return false;
    if (!kmod_read_user(e, sa, uaddr, (uint32_t)need)) return false;
    memcpy(&f, sa, 2);
    return f == family;
}

/* The tuple of the socket behind fd: local -> remote, or remote -> local when `inbound`
 * (accepted connections and received datagrams read sender -> receiver). A peerless socket's
 * remote end is the user sockaddr uaddr/ulen when there is one (sendto, recvfrom, *msg). */
void kmod_push_fd_tuple(struct kmod_evt* e, uint32_t i, int64_t fd, bool inbound, uint64_t uaddr,
                        int64_t ulen) {
    struct sock* sk = kmod_file_sock(kmod_event_file(e, fd));
    uint8_t* p = kmod_cursor(e);
    uint8_t sa[KMOD_SOCKADDR_IN6_LEN];
    uint16_t family, lport, rport;
    if (!sk) return kmod_push_empty(e, i);
    if (kmod_room(e) < 17 + UNIX_PATH_MAX) return kmod_param_done(e, i, 17 + UNIX_PATH_MAX);
    family = sk->sk_family;
    if (family == AF_INET) {
        __be32 laddr = sk->sk_rcv_saddr, raddr = sk->sk_daddr;
        lport = sk->sk_num;
        rport = ntohs(sk->sk_dport);
        if (rport == 0 && read_remote(e, sa, uaddr, ulen, AF_INET)) {
            memcpy(&raddr, sa + 4, 4);
            memcpy(&rport, sa + 2, 2);
            rport = ntohs(rport);
        }
        p[0] = AF_INET;
        memcpy(p + 1, inbound ? &raddr : &laddr, 4);
        memcpy(p + 5, inbound ? &rport : &lport, 2);
        memcpy(p + 7, inbound ? &laddr : &raddr, 4);
        memcpy(p + 11, inbound ? &lport : &rport, 2);
        return kmod_param_done(e, i, 13);
    }
#if IS_ENABLED(CONFIG_IPV6)
    if (family == AF_INET6) {
        uint8_t *first = p + 1, *second = p + 19;
        lport = sk->sk_num;
        rport = ntohs(sk->sk_dport);
        p[0] = AF_INET6;
        memcpy(inbound ? second : first, &sk->sk_v6_rcv_saddr, 16);
        if (rport == 0 && read_remote(e, sa, uaddr, ulen, AF_INET6)) {
            memcpy(inbound ? first : second, sa + 8, 16);
            memcpy(&rport, sa + 2, 2);
            rport = ntohs(rport);
        } else {
            memcpy(inbound ? first : second, &sk->sk_v6_daddr, 16);
        }
        memcpy(p + 17, inbound ? &rport : &lport, 2);
        memcpy(p + 35, inbound ? &lport : &rport, 2);
        return kmod_param_done(e, i, 37);
    }
#endif
    if (family == AF_UNIX) {
        struct unix_sock* us = unix_sk(sk);
        struct sock* peer = READ_ONCE(us->peer);
        struct unix_address* addr = READ_ONCE(us->addr);
        uint64_t a = (uint64_t)(uintptr_t)sk, b = (uint64_t)(uintptr_t)peer;
        uint32_t n = 0;
        p[0] = AF_UNIX;
        memcpy(p + 1, &a, 8);
        memcpy(p + 9, &b, 8);
        /* The path: ours when bound, else the peer's. */
        if (!addr && peer) addr = READ_ONCE(unix_sk(peer)->addr);
        if (addr && addr->len > (int)sizeof(short)) {
            const char* path = addr->name[0].sun_path;
            uint32_t max = addr->len - sizeof(short);
            uint32_t start = path[0] == 0 ? 1 : 0;
            while (start + n < max && n < UNIX_PATH_MAX - 1 && path[start + n]) {
                p[17 + n] = path[start + n];
                n++;
            }
        }
        p[17 + n] = 0;
        return kmod_param_done(e, i, 17 + n + 1);
    }
    p[0] = (uint8_t)family;
    kmod_param_done(e, i, 1);
}
