// State derived from real captures: values were read off the captures (scap-open -p) and are
// asserted on the events that show them.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sinsp/inspector.h"
#include "test_paths.h"

namespace {

// Runs the whole capture, calling f on every event; returns the final status.
scap::status run(sinsp::inspector& insp, const std::string& file,
                 const std::function<void(const sinsp::event&)>& f) {
    std::string err;
    if (insp.open_file(scap_test::capture(file), err) != scap::status::ok) {
        ADD_FAILURE() << err;
        return scap::status::error;
    }
    const sinsp::event* e;
    scap::status s;
    while ((s = insp.next(e)) == scap::status::ok) f(*e);
    return s;
}

std::string name_of(const sinsp::event& e) {
    return e.view.info().name;
}

// Old enter+exit captures: evt.num counts the enter events the reference numbers and hides
// (open, connect, execve...), so a number names the same event in both (sinsp-example -a).
TEST(SinspStateCapture, EventNumbersCountTheEntersTheReferenceNumbers) {
    sinsp::inspector insp;
    std::vector<std::pair<uint64_t, std::string>> seen;
    run(insp, "falco_cat_write.scap", [&](const sinsp::event& e) {
        if (e.tid() == 20072 && seen.size() < 6) seen.emplace_back(e.num, name_of(e));
    });
    // execve 131, brk, access, mmap, access 135, then open 137: 136 was open's enter there.
    const std::vector<std::pair<uint64_t, std::string>> want = {
        {131, "execve"}, {132, "brk"}, {133, "access"}, {134, "mmap"}, {135, "access"}, {137, "open"}};
    EXPECT_EQ(seen, want);
}

// cat's thread is first seen at its execve, whose old version carries no credentials, process
// group or executable path: those stay unknown (not root, not 0, not argv[0]), as in the
// reference; its virtual ids are its ids (no pid namespace said otherwise).
TEST(SinspStateCapture, ExecOfAThreadFirstSeenThereLeavesUnknownsUnknown) {
    sinsp::inspector insp;
    bool saw_exec = false;
    run(insp, "falco_cat_write.scap", [&](const sinsp::event& e) {
        if (e.tid() != 20072 || name_of(e) != "execve" || !e.thread) return;
        saw_exec = true;
        const sinsp::thread_info& t = *e.thread;
        EXPECT_EQ(t.uid, UINT32_MAX);
        EXPECT_EQ(t.gid, UINT32_MAX);
        EXPECT_EQ(t.loginuid, UINT32_MAX);
        EXPECT_EQ(t.pgid, -1);
        EXPECT_EQ(t.vpgid, -1);
        EXPECT_EQ(t.vtid, 20072);
        EXPECT_EQ(t.vpid, 20072);
        EXPECT_EQ(t.clone_ts, 0u);  // its start is unknown
        EXPECT_EQ(insp.str(t.exepath), "");
        EXPECT_EQ(insp.str(t.exe), "cat");
    });
    EXPECT_TRUE(saw_exec);
}

// sshd's snapshot entry has a lone NUL for arguments: no argument, as the reference reads it.
TEST(SinspStateCapture, LoneNulArgumentsAreNoArguments) {
    sinsp::inspector insp;
    bool checked = false;
    run(insp, "falco_cat_write.scap", [&](const sinsp::event&) {
        if (checked) return;
        const sinsp::thread_info* t = insp.threads().find(936);
        if (!t) return;
        checked = true;
        EXPECT_EQ(insp.str(t->comm), "sshd");
        EXPECT_TRUE(insp.arg_list(*t).empty());
        EXPECT_EQ(insp.cmdline(*t), "sshd");
        // Two NULs are still two empty arguments (the reference drops one trailing NUL only).
        const sinsp::thread_info* child = insp.threads().find(1019);
        ASSERT_NE(child, nullptr);
        EXPECT_EQ(insp.arg_list(*child).size(), 2u);
    });
    EXPECT_TRUE(checked);
}

TEST(SinspStateCapture, CatWriteExecAndOpens) {
    sinsp::inspector insp;
    std::set<std::string> opened;
    bool saw_exec = false;
    const auto s = run(insp, "falco_cat_write.scap", [&](const sinsp::event& e) {
        if (e.tid() != 20072 || !e.thread) return;
        if (name_of(e) == "execve") {
            saw_exec = true;
            EXPECT_EQ(insp.str(e.thread->comm), "cat");
            EXPECT_EQ(e.thread->pid, 20072);
            EXPECT_EQ(e.thread->ptid, 11310);
            EXPECT_EQ(insp.cwd(*e.thread), "/mnt/sf_mstemm/work/src/agent/build/release/userspace/dragent");
            // The parent is the interactive bash from the snapshot.
            const sinsp::thread_info* parent = insp.threads().parent(*e.thread);
            ASSERT_NE(parent, nullptr);
            EXPECT_EQ(insp.str(parent->comm), "bash");
            EXPECT_EQ(insp.cmdline(*parent), "bash --noediting -i");
        }
        if (name_of(e) == "open" && e.fd) {
            EXPECT_EQ(e.fd->kind, sinsp::fd_kind::file);
            opened.insert(e.fd->name);
        }
        if (e.view.info().flags & EF_USES_FD && e.num == 144) {  // the reference's number too
            ASSERT_NE(e.fd, nullptr);                            // the read of libc after its open
            EXPECT_EQ(e.fd->name, "/lib/x86_64-linux-gnu/libc.so.6");
        }
    });
    EXPECT_EQ(s, scap::status::eof);
    EXPECT_TRUE(saw_exec);
    EXPECT_TRUE(opened.count("/etc/ld.so.cache"));
    EXPECT_TRUE(opened.count("/dev/null"));
    EXPECT_TRUE(opened.count("/usr/lib/locale/locale-archive"));
    EXPECT_EQ(insp.stats().parse_errors, 0u);
    EXPECT_GT(insp.stats().fds_removed, 0u);
}

TEST(SinspStateCapture, ConnectLocalhostTuple) {
    sinsp::inspector insp;
    int connects = 0;
    run(insp, "falco_connect_localhost.scap", [&](const sinsp::event& e) {
        if (name_of(e) != "connect" || e.tid() != 31699) return;
        ++connects;
        ASSERT_NE(e.fd, nullptr);
        EXPECT_EQ(e.fd_num, 4);
        EXPECT_EQ(e.fd->kind, sinsp::fd_kind::ipv4_socket);
        EXPECT_EQ(e.fd->proto, sinsp::l4_proto::tcp);
        EXPECT_EQ(e.fd->role, sinsp::sock_role::client);
        EXPECT_EQ(e.fd->display_name(), "127.0.0.1:47192->127.0.0.1:80");
    });
    EXPECT_EQ(connects, 1);
}

// curl resolves over IPv6 UDP (DNS, port 53) and then connects over IPv6 TCP to port 80.
TEST(SinspStateCapture, CurlGoogleSockets) {
    for (const char* file : {"libs_curl_google.scap", "libs_curl_google_comments.scap"}) {
        sinsp::inspector insp;
        std::set<std::string> tuples;
        run(insp, file, [&](const sinsp::event& e) {
            if (name_of(e) != "connect" || !e.fd || !e.fd->is_inet()) return;
            ASSERT_NE(e.thread, nullptr);
            EXPECT_EQ(insp.str(e.thread->comm), "curl");
            EXPECT_EQ(insp.cmdline(*e.thread), "curl -6 http://www.google.com");
            EXPECT_EQ(e.thread->pid, 17497);
            tuples.insert(e.fd->display_name() + (e.fd->proto == sinsp::l4_proto::tcp ? "/tcp" : "/udp"));
        });
        EXPECT_TRUE(
            tuples.count("2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:40251->2001:4860:4860::8888:53/udp"))
            << file;
        EXPECT_TRUE(
            tuples.count("2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:37140->2607:f8b0:4004:802::2004:80/tcp"))
            << file;
    }
}

TEST(SinspStateCapture, Ipv6ServerAndClient) {
    sinsp::inspector insp;
    bool accepted = false, connected = false;
    run(insp, "libs_single_ipv6_conn.scap", [&](const sinsp::event& e) {
        if (!e.fd) return;
        if (name_of(e) == "accept" && e.tid() == 25886) {
            accepted = true;
            EXPECT_EQ(e.fd->kind, sinsp::fd_kind::ipv6_socket);
            EXPECT_EQ(e.fd->role, sinsp::sock_role::server);
            EXPECT_EQ(e.fd->display_name(), "2001:db8::4:54405->2001:db8::3:1234");
        }
        if (name_of(e) == "connect" && e.tid() == 25888 && e.fd->is_inet()) {
            connected = true;
            EXPECT_EQ(e.fd->role, sinsp::sock_role::client);
            EXPECT_EQ(e.fd->display_name(), "2001:db8::4:54405->2001:db8::3:1234");
        }
        if (name_of(e) == "listen") {
            EXPECT_EQ(e.fd->role, sinsp::sock_role::server);
            EXPECT_EQ(e.fd->tuple.sport, 1234);
        }
    });
    EXPECT_TRUE(accepted);
    EXPECT_TRUE(connected);

    sinsp::inspector client;
    std::set<std::string> peers;
    run(client, "libs_test_ipv6_client.scap", [&](const sinsp::event& e) {
        if (name_of(e) != "sendto" || !e.fd || e.tid() != 19747) return;
        EXPECT_EQ(client.str(e.thread->comm), "test_ipv6_clien");
        // The old execve gives argv[0] ("./test_ipv6_client") but no path: the path stays
        // unknown, as in the reference.
        EXPECT_EQ(client.str(e.thread->exe), "./test_ipv6_client");
        EXPECT_EQ(client.str(e.thread->exepath), "");
        EXPECT_EQ(e.fd->proto, sinsp::l4_proto::udp);
        peers.insert(e.fd->display_name());
    });
    // sendto before connect: the tuple from the event, its unbound local end (::) taken from the
    // loopback interface that carries it
    EXPECT_TRUE(peers.count("::1:0->::1:2345"));
    EXPECT_TRUE(peers.count("::1:38255->2001:4860:4860::8888:53"));
}

TEST(SinspStateCapture, PingSendmsgLearnsThePeer) {
    sinsp::inspector insp;
    int sends = 0;
    run(insp, "falco_ping_sendto.scap", [&](const sinsp::event& e) {
        if (name_of(e) != "sendmsg" || e.tid() != 738) return;
        ++sends;
        ASSERT_NE(e.fd, nullptr);
        EXPECT_EQ(e.fd_num, 3);
        EXPECT_EQ(e.fd->kind, sinsp::fd_kind::ipv4_socket);
        EXPECT_EQ(e.fd->display_name(), "10.0.2.15:1->128.32.41.1:0");  // local end from eth0
    });
    EXPECT_EQ(sends, 10);
}

TEST(SinspStateCapture, OpenMultipleFiles) {
    sinsp::inspector insp;
    std::vector<std::string> names;
    run(insp, "falco_open-multiple-files.scap", [&](const sinsp::event& e) {
        if (name_of(e) != "open" || e.tid() != 16569 || !e.fd) return;
        EXPECT_EQ(insp.cmdline(*e.thread), "python open.py");
        if (e.fd->name.rfind("/tmp/file-", 0) == 0) names.push_back(e.fd->name);
    });
    ASSERT_EQ(names.size(), 13u);
    for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], "/tmp/file-" + std::to_string(i + 1));
}

// Per-thread memory over a real capture, printed for the record and bounded so regressions show.
TEST(SinspStateCapture, MemoryPerThread) {
    sinsp::inspector insp;
    run(insp, "falco_connect_localhost.scap", [](const sinsp::event&) {});
    const auto m = insp.memory();
    ASSERT_GT(m.threads, 100u);
    const double per_thread = static_cast<double>(m.total()) / static_cast<double>(m.threads);
    std::printf(
        "threads=%zu sizeof(thread_info)=%zu thread_bytes=%zu fd_tables=%zu fd_bytes=%zu strings=%zu "
        "string_bytes=%zu per_thread=%.0f\n",
        m.threads, sizeof(sinsp::thread_info), m.thread_bytes, m.fd_tables, m.fd_bytes, m.strings,
        m.string_bytes, per_thread);
    // 296: container entry, executable inode times, memory and page-fault figures and the pid
    // namespace's start joined the thread for the container and proc.* fields (the reference's
    // thread entry is several times larger).
    EXPECT_LE(sizeof(sinsp::thread_info), 296u);
    EXPECT_LT(per_thread, 4096.0);
}

}  // namespace

namespace {
// reference_mixed_2M.scap.gz starts with useradded/groupadded meta events (scap-open -p):
// uid 1000 is cloudsdk with home /home/cloudsdk, uid 101 is postgres.
TEST(SinspStateCapture, UserTableKnowsTheCaptureUsers) {
    sinsp::inspector insp;
    uint64_t n = 0;
    run(insp, "reference_mixed_2M.scap.gz", [&](const sinsp::event&) { ++n; });
    ASSERT_NE(insp.user(1000), nullptr);
    EXPECT_EQ(insp.user(1000)->name, "cloudsdk");
    EXPECT_EQ(insp.user(1000)->homedir, "/home/cloudsdk");
    ASSERT_NE(insp.user(101), nullptr);
    EXPECT_EQ(insp.user(101)->name, "postgres");
    EXPECT_EQ(n, 2000076u);
}
}  // namespace

namespace {
// Every sample capture, old or new, parses without an event too short for its parser.
TEST(SinspStateCapture, NoParseErrorsInAnyCapture) {
    for (const char* file : {"falco_cat_write.scap", "falco_connect_localhost.scap", "falco_empty.scap",
                             "falco_open-multiple-files.scap", "falco_ping_sendto.scap", "falco_syscall.scap",
                             "libs_curl_google.scap", "libs_curl_google_comments.scap",
                             "libs_single_ipv6_conn.scap", "libs_test_ipv6_client.scap"}) {
        sinsp::inspector insp;
        run(insp, file, [](const sinsp::event&) {});
        EXPECT_EQ(insp.stats().parse_errors, 0u) << file;
        EXPECT_GT(insp.stats().events, 0u) << file;
    }
}
}  // namespace
