// fd.* and fs.path.* fields over real captures (values read off `scap-open -p`) and synthetic
// filesystem events.
#include <gtest/gtest.h>

#include "event_builder.h"
#include "field_probe.h"

namespace {

using scap_test::field_probe;

using scap_test::count_matches;
using scap_test::first_match;

TEST(FieldsFd, ConnectToLocalhost) {
    // Event 185: connect 127.0.0.1:47192 -> 127.0.0.1:80.
    auto f = first_match("falco_connect_localhost.scap", "evt.type=connect",
                         {"fd.num", "fd.name", "fd.type", "fd.typechar", "fd.cip", "fd.sip", "fd.cport",
                          "fd.sport", "fd.lip", "fd.rip", "fd.lport", "fd.rport", "fd.l4proto",
                          "fd.sockfamily", "fd.is_server", "fd.directory", "fd.filename"});
    EXPECT_EQ(f["fd.name"], "127.0.0.1:47192->127.0.0.1:80");
    EXPECT_EQ(f["fd.type"], "ipv4");
    EXPECT_EQ(f["fd.typechar"], "4");
    EXPECT_EQ(f["fd.cip"], "127.0.0.1");
    EXPECT_EQ(f["fd.sip"], "127.0.0.1");
    EXPECT_EQ(f["fd.cport"], "47192");
    EXPECT_EQ(f["fd.sport"], "80");
    EXPECT_EQ(f["fd.lport"], "47192");  // the client is local: loopback
    EXPECT_EQ(f["fd.rport"], "80");
    EXPECT_EQ(f["fd.l4proto"], "tcp");
    EXPECT_EQ(f["fd.sockfamily"], "ip");
    EXPECT_EQ(f["fd.is_server"], "false");
    EXPECT_EQ(f["fd.directory"], "<NA>");  // not a file
    EXPECT_EQ(f["fd.filename"], "<NA>");
}

TEST(FieldsFd, Ipv6Connection) {
    // libs_single_ipv6_conn.scap: accept and connect of [2001:db8::4]:54405 -> [2001:db8::3]:1234.
    auto f = first_match("libs_single_ipv6_conn.scap", "evt.type=connect and fd.type=ipv6",
                         {"fd.name", "fd.type", "fd.cip", "fd.sip", "fd.sport", "fd.typechar"});
    EXPECT_EQ(f["fd.name"], "2001:db8::4:54405->2001:db8::3:1234");  // no brackets, as the reference
    EXPECT_EQ(f["fd.type"], "ipv6");
    EXPECT_EQ(f["fd.typechar"], "6");
    EXPECT_EQ(f["fd.cip"], "2001:db8::4");
    EXPECT_EQ(f["fd.sip"], "2001:db8::3");
    EXPECT_EQ(f["fd.sport"], "1234");
    EXPECT_EQ(count_matches("libs_single_ipv6_conn.scap",
                            "fd.sip=2001:db8::3 and evt.type in (accept, accept4, connect)"),
              2u);
}

TEST(FieldsFd, CurlToGoogleOverIpv6) {
    // curl -6 http://www.google.com connects to [2607:f8b0:4004:802::2004]:80.
    auto f = first_match("libs_curl_google.scap", "evt.type=connect and fd.port=80",
                         {"proc.name", "fd.rip", "fd.rport", "fd.l4proto"});
    EXPECT_EQ(f["proc.name"], "curl");
    EXPECT_EQ(f["fd.rip"], "2607:f8b0:4004:802::2004");
    EXPECT_EQ(f["fd.rport"], "80");
    EXPECT_EQ(f["fd.l4proto"], "tcp");
    // connect, sendto, 3 recvfrom and the close all use that socket.
    EXPECT_EQ(count_matches("libs_curl_google.scap", "fd.port=80"), 6u);
    EXPECT_EQ(count_matches("libs_curl_google.scap", "fd.net=2607:f8b0::/32"), 6u);
    EXPECT_EQ(count_matches("libs_curl_google.scap", "fd.port=80 and evt.type=close"),
              1u);  // close still sees it
}

TEST(FieldsFd, PingSendsToItsPeer) {
    // falco_ping_sendto.scap: sendmsg from an unbound datagram socket to 128.32.41.1.
    auto f =
        first_match("falco_ping_sendto.scap", "evt.type=sendmsg", {"fd.rip", "fd.lip", "fd.type", "fd.name"});
    EXPECT_EQ(f["fd.rip"], "128.32.41.1");
    EXPECT_EQ(f["fd.lip"], "10.0.2.15");  // unbound: the interface that carries it (the reference's)
    EXPECT_EQ(f["fd.type"], "ipv4");
    EXPECT_EQ(count_matches("falco_ping_sendto.scap", "fd.rip=128.32.41.1"), 10u);
}

TEST(FieldsFd, FilesOfCat) {
    auto f = first_match("falco_cat_write.scap", "evt.type=read and proc.name=cat",
                         {"fd.name", "fd.directory", "fd.filename", "fd.type", "fd.typechar", "fd.num"});
    EXPECT_EQ(f["fd.name"], "/lib/x86_64-linux-gnu/libc.so.6");
    EXPECT_EQ(f["fd.directory"], "/lib/x86_64-linux-gnu");
    EXPECT_EQ(f["fd.filename"], "libc.so.6");
    EXPECT_EQ(f["fd.type"], "file");
    EXPECT_EQ(f["fd.typechar"], "f");
    EXPECT_EQ(f["fd.num"], "3");
    EXPECT_EQ(count_matches("falco_cat_write.scap", "fd.type in (ipv4, ipv6) and proc.name=cat"), 0u);
    EXPECT_EQ(count_matches("falco_cat_write.scap", "fd.name=/dev/null and proc.name=cat"),
              4u);  // open, fstat, read, close
}

TEST(FieldsFd, FsPathOnOpen) {
    auto f = first_match("falco_cat_write.scap", "evt.type=open",
                         {"fs.path.name", "fs.path.nameraw", "fs.path.source"});
    EXPECT_EQ(f["fs.path.name"], "/etc/ld.so.cache");
    EXPECT_EQ(f["fs.path.nameraw"], "/etc/ld.so.cache");
    EXPECT_EQ(f["fs.path.source"], "<NA>");  // single-path event
}

// Synthetic mkdirat/renameat2 with AT_FDCWD and with a real directory fd.
class FieldsFsPath : public ::testing::Test {
  protected:
    void SetUp() override {
        scap::snapshot snap;
        scap::process_info p;
        p.tid = p.pid = 100;
        p.ptid = 1;
        p.comm = "sh";
        p.cwd = "/home/u/";
        scap::fd_info dir;
        dir.fd = 7;
        dir.type = scap::fd_type::directory;
        dir.name = "/srv/data";
        p.fds.push_back(dir);
        snap.processes.push_back(p);
        insp.load_snapshot(snap);
    }
    std::string field(const std::vector<uint8_t>& evt, const std::string& name) {
        m_keep = evt;
        scap::event_ref ref;
        ref.hdr = scap::test::hdr(m_keep);
        const sinsp::event& e = insp.process(ref);
        field_probe probe({name});
        return probe.text(name, e, insp);
    }
    sinsp::inspector insp;

  private:
    std::vector<uint8_t> m_keep;
};

using scap::test::event_builder;
using scap::test::str;
using scap::test::val;

TEST_F(FieldsFsPath, RelativeToCwdAndToDirfd) {
    auto mkdirat = [](int64_t res, int64_t dirfd, const char* path) {
        return event_builder(PPME_SYSCALL_MKDIRAT_X, 100)
            .num<int64_t>(res)
            .num<int64_t>(dirfd)
            .text(path)
            .num<uint32_t>(0755)
            .build();
    };
    EXPECT_EQ(field(mkdirat(0, -100, "new"), "fs.path.name"), "/home/u/new");
    EXPECT_EQ(field(mkdirat(0, -100, "new"), "fs.path.nameraw"), "new");
    EXPECT_EQ(field(mkdirat(0, 7, "sub/x"), "fs.path.name"), "/srv/data/sub/x");
    EXPECT_EQ(field(mkdirat(0, 7, "/abs"), "fs.path.name"), "/abs");
    EXPECT_EQ(field(mkdirat(-17, -100, "new"), "fs.path.name"), "<NA>");  // EEXIST: did not happen
}

TEST_F(FieldsFsPath, RenameSourceAndTarget) {
    auto ren = event_builder(PPME_SYSCALL_RENAMEAT2_X, 100)
                   .num<int64_t>(0)
                   .num<int64_t>(7)
                   .text("a.txt")
                   .num<int64_t>(-100)
                   .text("b.txt")
                   .num<uint32_t>(0)
                   .build();
    EXPECT_EQ(field(ren, "fs.path.source"), "/srv/data/a.txt");
    EXPECT_EQ(field(ren, "fs.path.target"), "/home/u/b.txt");
    EXPECT_EQ(field(ren, "fs.path.targetraw"), "b.txt");
    EXPECT_EQ(field(ren, "fs.path.name"), "<NA>");
}

}  // namespace

namespace {

TEST(FieldsFd, ConnectionStatus) {
    // falco_connect_localhost.scap: connect returns EINPROGRESS (non-blocking): not connected yet.
    auto f = scap_test::first_match("falco_connect_localhost.scap", "evt.type=connect",
                                    {"evt.res", "fd.connected"});
    EXPECT_EQ(f["evt.res"], "EINPROGRESS");
    EXPECT_EQ(f["fd.connected"], "false");
    // curl's DNS socket connects at once (UDP) and stays connected until closed.
    EXPECT_EQ(scap_test::count_matches(
                  "libs_curl_google.scap",
                  "fd.rport=53 and fd.connected=true and evt.type in (connect, sendto, recvfrom)"),
              3u);
    // The socket events before connect show an unconnected socket.
    EXPECT_EQ(scap_test::count_matches("libs_curl_google.scap", "evt.type=socket and fd.connected=true"), 0u);
}

}  // namespace

TEST(FieldsFd, EventsThatOpenOrCloseAnFdAsTheReferenceSeesThem) {
    // cat's loader opens /etc/ld.so.cache (its only fd then), reads it and closes it; the old
    // capture carries no inode numbers.
    const char* cache = "fd.name=/etc/ld.so.cache";
    const std::vector<std::string> names{"fd.types", "proc.fdopencount", "fd.name_changed", "fd.ino"};
    auto open = first_match("falco_cat_write.scap", std::string("evt.type=open and ") + cache, names);
    EXPECT_EQ(open["fd.name_changed"], "true");  // the new fd's name went from nothing to the path
    EXPECT_EQ(open["fd.ino"], "0");              // every fd has one, 0 when unknown
    EXPECT_EQ(open["proc.fdopencount"], "1");
    auto use = first_match("falco_cat_write.scap", std::string("evt.type=fstat and ") + cache, names);
    EXPECT_EQ(use["fd.name_changed"], "false");
    // The close still counts the fd it closes (the reference removes it after the event).
    auto close = first_match("falco_cat_write.scap", std::string("evt.type=close and ") + cache, names);
    EXPECT_EQ(close["fd.types"], "file");
    EXPECT_EQ(close["proc.fdopencount"], "1");
    EXPECT_EQ(close["fd.name_changed"], "false");
    // The next event no longer sees it.
    EXPECT_EQ(count_matches("falco_cat_write.scap",
                            "evt.type=close and fd.name=/etc/ld.so.cache and "
                            "proc.fdopencount=1"),
              1u);
}

TEST(FieldsFd, EventsOnFdsTheStateDoesNotKnowHaveAnEmptyName) {
    // cat writes to stdout (fd 1) and closes it, but the capture never described fd 1: the fd
    // fields that need the fd are absent, fd.name exists (empty), as in the reference.
    const std::vector<std::string> names{"fd.name", "fd.nameraw", "fd.containername", "fd.type"};
    auto f =
        first_match("falco_cat_write.scap", "proc.name=cat and evt.type=fstat and evt.rawarg.fd=1", names);
    EXPECT_EQ(f["fd.name"], "");
    EXPECT_EQ(f["fd.nameraw"], "");
    EXPECT_EQ(f["fd.containername"], ":");  // host threads: no container id
    EXPECT_EQ(f["fd.type"], "<NA>");
    // Reference count on this capture: 27 events with an fd name (18 known fds, 9 unknown ones).
    EXPECT_EQ(count_matches("falco_cat_write.scap", "fd.name exists"), 27u);
}

TEST(FieldsFd, AnonymousMmapHasFdNumberMinusOne) {
    // curl's loader maps anonymous memory (fd -1): the event's fd number is -1 (the reference's
    // value), though no fd field that needs the fd applies.
    auto f = first_match("libs_curl_google.scap", "evt.num=225", {"evt.type", "fd.num", "fd.type"});
    EXPECT_EQ(f["evt.type"], "mmap");
    EXPECT_EQ(f["fd.num"], "-1");
    EXPECT_EQ(f["fd.type"], "<NA>");
}

// A pipe's event is about its write end (the second fd), as in the reference.
TEST(FieldsFd, PipeEventsNameTheSecondFd) {
    auto f = first_match("libs_curl_google.scap", "evt.type=pipe", {"fd.num", "fd.typechar", "evt.args"});
    EXPECT_EQ(f["evt.args"], "res=0 fd1=4(<p>) fd2=5(<p>) ino=38688");
    EXPECT_EQ(f["fd.num"], "5");
    EXPECT_EQ(f["fd.typechar"], "p");
}

// curl's open of ~/.curlrc fails (ENOENT): no fd is made, but the fd fields read the path off the
// event, as the reference's do (rules on failed opens match on fd.name), and fs.path.name has it.
TEST(FieldsFd, FailedOpenTakesItsNameFromTheEvent) {
    auto f =
        first_match("libs_curl_google.scap", "evt.type=open and evt.res=ENOENT and fd.name contains curlrc",
                    {"fd.num", "fd.name", "fd.nameraw", "fd.directory", "fd.containerdirectory",
                     "fd.typechar", "fd.filename", "fd.type", "fs.path.name"});
    EXPECT_EQ(f["fd.num"], "-1");
    EXPECT_EQ(f["fd.name"], "/home/ubuntu/.curlrc");
    EXPECT_EQ(f["fd.nameraw"], "/home/ubuntu/.curlrc");
    EXPECT_EQ(f["fd.directory"], "/home/ubuntu");
    EXPECT_EQ(f["fd.containerdirectory"], ":/home/ubuntu");
    EXPECT_EQ(f["fd.typechar"], "o");
    EXPECT_EQ(f["fd.filename"], "<NA>");  // no fd, no file
    EXPECT_EQ(f["fd.type"], "<NA>");
    EXPECT_EQ(f["fs.path.name"], "/home/ubuntu/.curlrc");
    // A failed call that creates no fd and names nothing has an empty name (fd.name exists).
    EXPECT_EQ(count_matches("libs_curl_google.scap", "evt.type=open and evt.failed=true and fd.name exists"),
              count_matches("libs_curl_google.scap", "evt.type=open and evt.failed=true"));
}

// The either-end filter fields as the reference filters with them (counts from sinsp-example on
// the same capture): `exists` holds on every event with a known fd, a socket compares both ends of
// its tuple (zeros until known), and != needs both ends to differ.
TEST(FieldsFd, EitherEndFieldsFilterAsTheReference) {
    const char* cap = "libs_curl_google.scap";
    EXPECT_EQ(count_matches(cap, "fd.ip exists"), 298u);
    EXPECT_EQ(count_matches(cap, "fd.port exists"), 298u);
    EXPECT_EQ(count_matches(cap, "fd.ip exists"), count_matches(cap, "fd.num exists and fd.type exists"));
    EXPECT_EQ(count_matches(cap, "fd.ip != 1.2.3.4"), 17u);  // every socket event
    EXPECT_EQ(count_matches(cap, "fd.port != 53"), 12u);     // not the DNS socket's
    EXPECT_EQ(count_matches(cap, "fd.ip = ::"), 6u);         // a socket before its peer is known
    EXPECT_EQ(count_matches(cap, "not fd.ip = 1.2.3.4"), 939u);
}

// A dup2 copies its source's name along: the copy's name did not change (the reference's
// reading), while an open's new fd did get one. bash redirecting stdin in the reference's capture.
TEST(FieldsFd, DupCopiesDoNotChangeNames) {
    auto dup =
        first_match("reference_mixed_2M.scap.gz", "evt.num=49808", {"evt.type", "fd.num", "fd.name_changed"});
    EXPECT_EQ(dup["evt.type"], "dup2");
    EXPECT_EQ(dup["fd.num"], "0");
    EXPECT_EQ(dup["fd.name_changed"], "false");
    auto open =
        first_match("libs_curl_google.scap", "evt.type=open and evt.res=SUCCESS", {"fd.name_changed"});
    EXPECT_EQ(open["fd.name_changed"], "true");
}
