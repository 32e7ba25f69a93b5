// How sockets read through their life (fd.name, fd.l4proto, fd.connected, the "<4u>" of an fd
// argument), as the reference and Falco show them: nothing after socket(), the local end after
// bind, the whole tuple once a peer is known, a datagram's missing local address taken from the
// capture's interfaces. Hand-built exit events, one life per test.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "event_builder.h"
#include "event_feeder.h"
#include "field_probe.h"
#include "scap/snapshot.h"
#include "sinsp/inspector.h"

namespace {

using scap::test::bytes;
using scap::test::val;

bytes make(uint16_t type, const std::map<std::string, bytes>& params) {
    return scap::test::make_event(type, 100, params, 1000);
}

void put_ipv4(bytes& b, const char* ip) {
    uint8_t a[4];
    ASSERT_EQ(inet_pton(AF_INET, ip, a), 1);
    b.insert(b.end(), a, a + 4);
}

void put_port(bytes& b, uint16_t p) {
    b.push_back(static_cast<uint8_t>(p & 0xff));
    b.push_back(static_cast<uint8_t>(p >> 8));
}

bytes tuple4(const char* sip, uint16_t sport, const char* dip, uint16_t dport) {
    bytes b{2};
    put_ipv4(b, sip);
    put_port(b, sport);
    put_ipv4(b, dip);
    put_port(b, dport);
    return b;
}

bytes sockaddr4(const char* ip, uint16_t port) {
    bytes b{2};
    put_ipv4(b, ip);
    put_port(b, port);
    return b;
}

class SocketNaming : public ::testing::Test {
  protected:
    SocketNaming() : probe({"fd.name", "fd.l4proto", "fd.connected", "evt.arg.fd", "fd.lip", "fd.cip"}) {
        // Process 100 on a host with lo and eth0 (10.0.2.15/24).
        scap::snapshot snap;
        scap::process_info p;
        p.tid = p.pid = 100;
        p.ptid = 1;
        p.comm = p.exe = "client";
        p.cwd = "/";
        snap.processes.push_back(p);
        auto iface = [&](const char* ip, const char* mask, const char* name) {
            scap::iface_v4 i;
            inet_pton(AF_INET, ip, &i.addr);
            inet_pton(AF_INET, mask, &i.netmask);
            i.name = name;
            snap.ifaces_v4.push_back(i);
        };
        iface("127.0.0.1", "255.0.0.0", "lo");
        iface("10.0.2.15", "255.255.255.0", "eth0");
        snap.has_iflist = true;
        insp.load_snapshot(snap);
    }

    std::string field(const sinsp::event& e, const char* name) {
        return probe.get(name, e, insp).value_or("<absent>");
    }

    const sinsp::event& socket(int64_t fd, uint32_t type) {
        return scap::test::feed_event(insp, keep,
                                      make(PPME_SOCKET_SOCKET_X, {{"fd", val<int64_t>(fd)},
                                                                  {"domain", val<uint32_t>(2)},
                                                                  {"type", val<uint32_t>(type)},
                                                                  {"proto", val<uint32_t>(0)}}));
    }
    const sinsp::event& feed(const bytes& e) { return scap::test::feed_event(insp, keep, e); }

    sinsp::inspector insp;
    scap_test::field_probe probe;
    bytes keep;
};

TEST_F(SocketNaming, ANewSocketHasNoNameAndNoProtocolYet) {
    const auto& e = socket(3, 1);  // SOCK_STREAM, protocol 0: TCP, known but not shown yet
    EXPECT_EQ(field(e, "fd.name"), "");
    EXPECT_EQ(field(e, "fd.l4proto"), "<NA>");
    EXPECT_EQ(field(e, "evt.arg.fd"), "<4>");
    EXPECT_EQ(field(e, "fd.connected"), "false");
    ASSERT_NE(e.fd, nullptr);
    EXPECT_EQ(e.fd->proto, sinsp::l4_proto::tcp);  // kept for when it connects
}

TEST_F(SocketNaming, BindingShowsTheLocalEndAlone) {
    socket(3, 1);
    const auto& any_port =
        feed(make(PPME_SOCKET_BIND_X,
                  {{"res", val<int64_t>(0)}, {"addr", sockaddr4("127.0.0.1", 0)}, {"fd", val<int64_t>(3)}}));
    EXPECT_EQ(field(any_port, "fd.name"), "127.0.0.1:0");
    EXPECT_EQ(field(any_port, "fd.l4proto"), "<NA>");  // port 0 only picks an address
    socket(4, 1);
    const auto& server =
        feed(make(PPME_SOCKET_BIND_X,
                  {{"res", val<int64_t>(0)}, {"addr", sockaddr4("0.0.0.0", 8080)}, {"fd", val<int64_t>(4)}}));
    EXPECT_EQ(field(server, "fd.name"), "0.0.0.0:8080");
    EXPECT_EQ(field(server, "fd.l4proto"), "tcp");  // a bound port makes a server
    EXPECT_EQ(field(server, "evt.arg.fd"), "<4t>0.0.0.0:8080");
}

TEST_F(SocketNaming, ADatagramFillsTheLocalAddressFromTheInterfaces) {
    socket(5, 2);  // SOCK_DGRAM
    // Sent from an unbound socket: the kernel reports 0.0.0.0 as the source.
    const auto& loop =
        feed(make(PPME_SOCKET_SENDTO_X, {{"res", val<int64_t>(64)},
                                         {"fd", val<int64_t>(5)},
                                         {"tuple", tuple4("0.0.0.0", 51237, "127.0.0.1", 40462)}}));
    EXPECT_EQ(field(loop, "fd.name"), "127.0.0.1:51237->127.0.0.1:40462");  // the loopback interface
    EXPECT_EQ(field(loop, "fd.l4proto"), "udp");
    EXPECT_EQ(field(loop, "fd.connected"), "true");  // data moved
    EXPECT_EQ(field(loop, "fd.lip"), "127.0.0.1");

    socket(6, 2);
    const auto& lan = feed(make(PPME_SOCKET_SENDTO_X, {{"res", val<int64_t>(10)},
                                                       {"fd", val<int64_t>(6)},
                                                       {"tuple", tuple4("0.0.0.0", 1, "10.0.2.3", 53)}}));
    EXPECT_EQ(field(lan, "fd.cip"), "10.0.2.15");  // the interface on the peer's subnet
    socket(7, 2);
    const auto& far = feed(make(PPME_SOCKET_SENDTO_X, {{"res", val<int64_t>(10)},
                                                       {"fd", val<int64_t>(7)},
                                                       {"tuple", tuple4("0.0.0.0", 1, "128.32.41.1", 0)}}));
    EXPECT_EQ(field(far, "fd.name"), "10.0.2.15:1->128.32.41.1:0");  // the first non-loopback one
}

TEST_F(SocketNaming, ReceivingFirstMakesADatagramServer) {
    socket(4, 2);
    feed(make(PPME_SOCKET_BIND_X,
              {{"res", val<int64_t>(0)}, {"addr", sockaddr4("127.0.0.1", 0)}, {"fd", val<int64_t>(4)}}));
    const auto& e = feed(make(PPME_SOCKET_RECVFROM_X, {{"res", val<int64_t>(64)},
                                                       {"fd", val<int64_t>(4)},
                                                       {"tuple", tuple4("0.0.0.0", 0, "127.0.0.1", 40462)}}));
    EXPECT_EQ(field(e, "fd.name"), "127.0.0.1:0->127.0.0.1:40462");
    ASSERT_NE(e.fd, nullptr);
    EXPECT_EQ(e.fd->role, sinsp::sock_role::server);
    EXPECT_EQ(field(e, "fd.connected"), "true");
}

TEST_F(SocketNaming, FailedIoDoesNotConnect) {
    socket(5, 2);
    const auto& e = feed(make(PPME_SYSCALL_WRITE_X, {{"res", val<int64_t>(-111)}, {"fd", val<int64_t>(5)}}));
    EXPECT_EQ(field(e, "fd.connected"), "false");
}

}  // namespace
