// Sockets: socket/socketpair create them, connect/accept/bind/listen give them endpoints and a
// role, and the datagram calls fill in a tuple that connect never provided.
#include <arpa/inet.h>

#include <cstring>

#include "state/core.h"
#include "state/helpers.h"

namespace sinsp {

namespace {

constexpr int64_t k_einprogress = 115;
constexpr uint32_t k_sock_stream = 1, k_sock_dgram = 2, k_sock_raw = 3;
constexpr uint32_t k_ipproto_icmp = 1, k_ipproto_icmpv6 = 58;

fd_kind kind_for_family(uint32_t family) {
    switch (family) {
        case k_af_inet:
            return fd_kind::ipv4_socket;
        case k_af_inet6:
            return fd_kind::ipv6_socket;
        case k_af_unix:
            return fd_kind::unix_socket;
        case k_af_netlink:
            return fd_kind::netlink;
        default:
            return fd_kind::other_socket;
    }
}

l4_proto proto_for(uint32_t type, uint32_t proto) {
    if (proto == k_ipproto_icmp || proto == k_ipproto_icmpv6) return l4_proto::icmp;
    switch (type & 0xf) {  // the high bits carry SOCK_NONBLOCK / SOCK_CLOEXEC
        case k_sock_stream:
            return l4_proto::tcp;
        case k_sock_dgram:
            return l4_proto::udp;
        case k_sock_raw:
            return l4_proto::raw;
        default:
            return l4_proto::unknown;
    }
}

// socket: fd, domain, type, proto, flags
void parse_socket(parse_ctx& c) {
    const int64_t fd = c.fd(0);
    if (fd < 0 || !c.thr) return;
    fd_info f;
    f.kind = kind_for_family(c.u32(1));
    if (f.is_inet()) f.proto = proto_for(c.u32(2), c.u32(3));
    f.open_flags = c.u32(4);
    c.core.add_fd(*c.thr, fd, std::move(f));
}

// socketpair: res, fd1, fd2, source, peer, domain, type, proto
void parse_socketpair(parse_ctx& c) {
    if (c.i64(0) < 0 || !c.thr) return;
    for (int slot : {1, 2}) {
        const int64_t fd = c.fd(slot);
        if (fd < 0) continue;
        fd_info f;
        f.kind = kind_for_family(c.u32(5));
        if (f.is_inet()) f.proto = proto_for(c.u32(6), c.u32(7));
        f.unix_source = c.u64(3);
        f.unix_dest = c.u64(4);
        c.core.add_fd(*c.thr, fd, std::move(f));
    }
}

// The socket an event refers to, created from nothing when the fd predates what we know.
fd_info* socket_for(parse_ctx& c) {
    if (c.out.fd) return c.out.fd;
    if (!c.thr || c.out.fd_num < 0) return nullptr;
    c.core.add_fd(*c.thr, c.out.fd_num, fd_info{});
    fd_info* f = c.thr->fds->find(c.out.fd_num);
    c.out.fd = f;
    return f;
}

// The interface address that would carry traffic to `peer`: the peer itself when it is one of
// ours, else one on its subnet, else the first that is not loopback; nullptr when none is known.
const uint8_t* ipv4_interface_for(const state_core& core, const uint8_t* peer) {
    uint32_t p;
    std::memcpy(&p, peer, 4);
    for (const auto& i : core.ifaces_v4)
        if (i.addr == p) return reinterpret_cast<const uint8_t*>(&i.addr);
    for (const auto& i : core.ifaces_v4)
        if ((i.addr & i.netmask) == (p & i.netmask)) return reinterpret_cast<const uint8_t*>(&i.addr);
    for (const auto& i : core.ifaces_v4)
        if (i.addr != htonl(INADDR_LOOPBACK)) return reinterpret_cast<const uint8_t*>(&i.addr);
    return nullptr;
}

const uint8_t* ipv6_interface_for(const state_core& core, const uint8_t* peer) {
    static const uint8_t loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    for (const auto& i : core.ifaces_v6)
        if (std::memcmp(i.addr, peer, 16) == 0) return i.addr;
    for (const auto& i : core.ifaces_v6)  // same /64 prefix: the reference's subnet test
        if (std::memcmp(i.addr, peer, 8) == 0) return i.addr;
    for (const auto& i : core.ifaces_v6)
        if (std::memcmp(i.addr, loopback, 16) != 0) return i.addr;
    return nullptr;
}

// A datagram's tuple often lacks one address (an unbound socket sends from 0.0.0.0): fill it in
// with the interface that would carry the traffic, from the capture's interface list, as the
// reference does, so fd.name and fd.lip/fd.cip name a real address. Nothing changes when both
// addresses are known, or when the guess would make the tuple point at itself.
void complete_tuple_from_interfaces(const state_core& core, fd_info& f) {
    static const uint8_t zeros[16] = {};
    const bool v6 = f.kind == fd_kind::ipv6_socket;
    const size_t n = v6 ? 16 : 4;
    const bool no_sip = std::memcmp(f.tuple.sip, zeros, n) == 0;
    const bool no_dip = std::memcmp(f.tuple.dip, zeros, n) == 0;
    if (!no_sip && !no_dip) return;
    const uint8_t* known = no_sip ? f.tuple.dip : f.tuple.sip;
    uint8_t* missing = no_sip ? f.tuple.sip : f.tuple.dip;
    const uint8_t* guess = v6 ? ipv6_interface_for(core, known) : ipv4_interface_for(core, known);
    uint8_t chosen[16] = {};
    if (guess) std::memcpy(chosen, guess, n);
    if (std::memcmp(chosen, known, n) == 0 && f.tuple.sport == f.tuple.dport) return;
    std::memcpy(missing, chosen, n);
}

void default_proto(fd_info& f, l4_proto p) {
    if (f.is_inet() && f.proto == l4_proto::unknown) f.proto = p;
}

// What an fd's name is made of, to tell whether parsing an event changed it (fd.name_changed):
// the kind, the addresses of inet sockets, the path length and peer of unix sockets.
struct name_parts {
    fd_kind kind;
    socket_tuple tuple;
    size_t name_len;
    uint64_t unix_dest;
    explicit name_parts(const fd_info& f)
        : kind(f.kind), tuple(f.tuple), name_len(f.name.size()), unix_dest(f.unix_dest) {}
    bool differ(const fd_info& f) const {
        return kind != f.kind || std::memcmp(&tuple, &f.tuple, sizeof tuple) != 0 ||
               name_len != f.name.size() || unix_dest != f.unix_dest;
    }
};

void note_name_change(parse_ctx& c, const name_parts& before, const fd_info& f) {
    if (&f == c.out.fd && before.differ(f)) c.out.fd_name_changed = true;
}

// connect: res, tuple, fd, addr. The tuple is local -> remote; when the kernel gave none (TCP
// fast open), the address names the remote end.
void parse_connect(parse_ctx& c) {
    const int64_t res = c.i64(0);
    fd_info* f = socket_for(c);
    if (!f) return;
    if (res < 0 && res != -k_einprogress) {
        f->conn = conn_state::failed;
        return;
    }
    f->conn = res == 0 ? conn_state::connected : conn_state::pending;
    const name_parts before(*f);
    if (!apply_socktuple(*f, c.p(1)) && !apply_sockaddr(*f, c.p(3), false)) return;
    note_name_change(c, before, *f);
    default_proto(*f, l4_proto::tcp);
    if (f->role == sock_role::none) f->role = sock_role::client;
}

// accept/accept4: fd, tuple, ... The tuple is client -> server, i.e. remote -> local.
void parse_accept(parse_ctx& c) {
    const int64_t fd = c.fd(0);
    if (fd < 0 || !c.thr) return;
    fd_info f;
    if (!apply_socktuple(f, c.p(1))) f.kind = fd_kind::other_socket;
    default_proto(f, l4_proto::tcp);
    f.role = sock_role::server;
    f.conn = conn_state::connected;
    c.core.add_fd(*c.thr, fd, std::move(f));
}

// bind: res, addr, fd. The address is our own end. Binding a port makes the socket a server
// (the reference's rule: it is what a listening or datagram server does); binding port 0 only
// picks a source address, and the role is left to what comes next.
void parse_bind(parse_ctx& c) {
    if (c.i64(0) != 0) return;
    if (fd_info* f = socket_for(c)) {
        const name_parts before(*f);
        apply_sockaddr(*f, c.p(1), true);
        note_name_change(c, before, *f);
        if (f->is_inet() && f->tuple.sport != 0) f->role = sock_role::server;
    }
}

void parse_listen(parse_ctx& c) {
    if (c.i64(0) != 0) return;
    if (fd_info* f = socket_for(c)) f->role = sock_role::server;
}

// sendto/recvfrom/sendmsg/recvmsg: unconnected (datagram) sockets learn their peer here.
void parse_datagram(parse_ctx& c, bool incoming) {
    if (c.i64(0) < 0) return;
    const scap::param_view tuple = c.p(1);
    if (tuple.empty()) return;
    fd_info* f = c.out.fd ? c.out.fd : nullptr;
    if (f && (f->kind == fd_kind::unix_socket ? !f->name.empty() || f->unix_dest != 0 : f->tuple.known()))
        return;
    if (!f) f = socket_for(c);
    if (!f) return;
    const name_parts before(*f);
    if (!apply_socktuple(*f, tuple)) return;
    if (f->is_inet()) complete_tuple_from_interfaces(c.core, *f);
    note_name_change(c, before, *f);
    default_proto(*f, l4_proto::udp);
    // A socket's first datagram: receiving first is what a server does, sending what a client
    // does (the reference's guess, so fd.is_server and fd.l4proto agree with it).
    if (f->role == sock_role::none) f->role = incoming ? sock_role::server : sock_role::client;
}

void parse_datagram_in(parse_ctx& c) {
    parse_datagram(c, true);
}
void parse_datagram_out(parse_ctx& c) {
    parse_datagram(c, false);
}

}  // namespace

void register_net_parsers(parser_registry& r) {
    r.add(PPME_SOCKET_SOCKET_X, parse_socket, {"fd", "domain", "type", "proto", "flags"});
    r.add(PPME_SOCKET_SOCKETPAIR_X, parse_socketpair,
          {"res", "fd1", "fd2", "source", "peer", "domain", "type", "proto"});
    r.add(PPME_SOCKET_CONNECT_X, parse_connect, {"res", "tuple", "fd", "addr"});
    r.add(PPME_SOCKET_ACCEPT_5_X, parse_accept, {"fd", "tuple"});
    r.add(PPME_SOCKET_ACCEPT4_6_X, parse_accept, {"fd", "tuple"});
    r.add(PPME_SOCKET_BIND_X, parse_bind, {"res", "addr", "fd"});
    r.add(PPME_SOCKET_LISTEN_X, parse_listen, {"res", "fd"});
    for (uint16_t t : {PPME_SOCKET_SENDTO_X, PPME_SOCKET_SENDMSG_X})
        r.add(t, parse_datagram_out, {"res", "tuple"});
    for (uint16_t t : {PPME_SOCKET_RECVFROM_X, PPME_SOCKET_RECVMSG_X})
        r.add(t, parse_datagram_in, {"res", "tuple"});
}

}  // namespace sinsp
