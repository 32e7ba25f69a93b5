// State tracking over hand-built exit-event streams: one behaviour per test.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>

#include "event_builder.h"
#include "event_feeder.h"
#include "scap/snapshot.h"
#include "sinsp/inspector.h"

namespace {

using scap::test::bytes;
using scap::test::str;
using scap::test::val;

bytes make(uint16_t type, uint64_t tid, const std::map<std::string, bytes>& params, uint64_t ts = 1000) {
    return scap::test::make_event(type, tid, params, ts);
}

bytes ipv4_tuple(const char* sip, uint16_t sport, const char* dip, uint16_t dport) {
    bytes b{2};
    auto ip = [&](const char* s) {
        unsigned a, c, d, e;
        std::sscanf(s, "%u.%u.%u.%u", &a, &c, &d, &e);
        for (unsigned x : {a, c, d, e}) b.push_back(static_cast<uint8_t>(x));
    };
    auto port = [&](uint16_t p) {
        b.push_back(static_cast<uint8_t>(p & 0xff));
        b.push_back(static_cast<uint8_t>(p >> 8));
    };
    ip(sip);
    port(sport);
    ip(dip);
    port(dport);
    return b;
}

class SinspStateSynthetic : public ::testing::Test {
  protected:
    SinspStateSynthetic() : insp(opts()) {}
    static sinsp::inspector_options opts() { return {}; }

    const sinsp::event& feed(const bytes& e) { return scap::test::feed_event(insp, m_keep, e); }

    // A process 100 (parent 1) running /bin/sh in /home/u with fd 0 = /dev/pts/0.
    void load_shell() {
        scap::snapshot snap;
        scap::process_info p;
        p.tid = p.pid = 100;
        p.ptid = 1;
        p.comm = "sh";
        p.exe = "sh";
        p.exepath = "/bin/sh";
        p.cwd = "/home/u";
        p.vtid = p.vpid = 100;
        scap::fd_info f;
        f.fd = 0;
        f.type = scap::fd_type::file_v2;
        f.name = "/dev/pts/0";
        p.fds.push_back(f);
        snap.processes.push_back(p);
        insp.load_snapshot(snap);
    }

    bytes clone_event(uint64_t tid, int64_t res, uint32_t flags, int64_t pid, int64_t ptid) {
        return make(PPME_SYSCALL_CLONE_20_X, tid,
                    {{"res", val<int64_t>(res)},
                     {"exe", str("sh")},
                     {"args", str("sh")},
                     {"tid", val<int64_t>(static_cast<int64_t>(tid))},
                     {"pid", val<int64_t>(pid)},
                     {"ptid", val<int64_t>(ptid)},
                     {"cwd", str("/home/u")},
                     {"comm", str("sh")},
                     {"flags", val<uint32_t>(flags)},
                     {"vtid", val<int64_t>(static_cast<int64_t>(tid))},
                     {"vpid", val<int64_t>(pid)}});
    }

    std::string name(int64_t tid) { return std::string(insp.str(insp.threads().find(tid)->comm)); }

    sinsp::inspector insp;
    bytes m_keep;
};

constexpr uint32_t k_clone_files = 0x1, k_clone_fs = 0x2, k_clone_thread = 0x2000;

TEST_F(SinspStateSynthetic, CloneWithFilesSharesTheFdTable) {
    load_shell();
    feed(clone_event(100, 101, k_clone_files, 100, 1));  // caller side: child 101
    const sinsp::thread_info* child = insp.threads().find(101);
    const sinsp::thread_info* parent = insp.threads().find(100);
    ASSERT_NE(child, nullptr);
    EXPECT_EQ(child->pid, 101);
    EXPECT_EQ(child->ptid, 100);
    EXPECT_EQ(child->fds.get(), parent->fds.get());
    EXPECT_NE(child->fs.get(), parent->fs.get());
    // An open in the child is visible to the parent through the shared table.
    feed(make(PPME_SYSCALL_OPEN_X, 101, {{"fd", val<int64_t>(5)}, {"name", str("/etc/passwd")}}));
    ASSERT_NE(parent->fds->find(5), nullptr);
    EXPECT_EQ(parent->fds->find(5)->name, "/etc/passwd");
}

TEST_F(SinspStateSynthetic, ForkCopiesFdsAndThreadsShareEverything) {
    load_shell();
    feed(clone_event(102, 0, 0, 102, 100));  // child side first
    const sinsp::thread_info* child = insp.threads().find(102);
    ASSERT_NE(child, nullptr);
    EXPECT_EQ(child->pid, 102);
    EXPECT_NE(child->fds.get(), insp.threads().find(100)->fds.get());
    ASSERT_NE(child->fds->find(0), nullptr);
    EXPECT_EQ(child->fds->find(0)->name, "/dev/pts/0");
    EXPECT_EQ(insp.cwd(*child), "/home/u");

    feed(clone_event(100, 103, k_clone_thread | k_clone_files | k_clone_fs, 100, 1));
    const sinsp::thread_info* thr = insp.threads().find(103);
    ASSERT_NE(thr, nullptr);
    EXPECT_EQ(thr->pid, 100);
    EXPECT_EQ(thr->fs.get(), insp.threads().find(100)->fs.get());
    EXPECT_EQ(insp.threads().find(100)->live_threads, 2u);
    // chdir in the thread moves the whole process.
    feed(make(PPME_SYSCALL_CHDIR_X, 103, {{"res", val<int64_t>(0)}, {"path", str("../v/./w")}}));
    EXPECT_EQ(insp.cwd(*insp.threads().find(100)), "/home/v/w");
}

TEST_F(SinspStateSynthetic, ExecveReplacesTheImageAndFailedExecChangesNothing) {
    load_shell();
    auto exec = [&](int64_t res, const char* comm) {
        return make(PPME_SYSCALL_EXECVE_19_X, 100,
                    {{"res", val<int64_t>(res)},
                     {"exe", str("/usr/bin/cat")},
                     {"args", bytes{'-', 'n', 0, 'f', 0}},  // argv[1..]: exe holds argv[0]
                     {"pid", val<int64_t>(100)},
                     {"ptid", val<int64_t>(1)},
                     {"cwd", str("/tmp")},
                     {"comm", str(comm)},
                     {"trusted_exepath", str("/usr/bin/cat")},
                     {"uid", val<uint32_t>(1000)}});
    };
    feed(exec(-2, "nope"));
    EXPECT_EQ(name(100), "sh");
    feed(exec(0, "cat"));
    const sinsp::thread_info* t = insp.threads().find(100);
    EXPECT_EQ(name(100), "cat");
    EXPECT_EQ(insp.str(t->exepath), "/usr/bin/cat");
    EXPECT_EQ(insp.cmdline(*t), "cat -n f");
    EXPECT_EQ(insp.cwd(*t), "/tmp");
    EXPECT_EQ(t->uid, 1000u);
}

TEST_F(SinspStateSynthetic, CloseRemovesAndDupCopies) {
    load_shell();
    const auto& e =
        feed(make(PPME_SYSCALL_DUP2_X, 100,
                  {{"res", val<int64_t>(7)}, {"oldfd", val<int64_t>(0)}, {"newfd", val<int64_t>(7)}}));
    ASSERT_NE(e.fd, nullptr);
    EXPECT_EQ(e.fd_num, 7);
    EXPECT_EQ(e.fd->name, "/dev/pts/0");
    feed(make(PPME_SYSCALL_FCNTL_X, 100,
              {{"res", val<int64_t>(9)}, {"fd", val<int64_t>(7)}, {"cmd", val<uint8_t>(0x1a)}}));
    const sinsp::thread_info* t = insp.threads().find(100);
    ASSERT_NE(t->fds->find(9), nullptr);
    EXPECT_NE(t->fds->find(9)->open_flags & 0x1000, 0u);  // F_DUPFD_CLOEXEC

    const auto& c =
        feed(make(PPME_SYSCALL_CLOSE_X, 100, {{"res", val<int64_t>(0)}, {"fd", val<int64_t>(7)}}));
    EXPECT_EQ(t->fds->find(7), nullptr);
    ASSERT_NE(c.fd, nullptr);  // the event still shows what was closed
    EXPECT_EQ(c.fd->name, "/dev/pts/0");
    // A failed close leaves the fd alone.
    feed(make(PPME_SYSCALL_CLOSE_X, 100, {{"res", val<int64_t>(-9)}, {"fd", val<int64_t>(9)}}));
    EXPECT_NE(t->fds->find(9), nullptr);
}

TEST_F(SinspStateSynthetic, OpenatResolvesAgainstDirfdAndCwd) {
    load_shell();
    feed(make(PPME_SYSCALL_OPENAT_2_X, 100,
              {{"fd", val<int64_t>(3)},
               {"dirfd", val<int64_t>(-100)},
               {"name", str("etc")},
               {"flags", val<uint32_t>(0x400 | 0x1)}}));
    const sinsp::thread_info* t = insp.threads().find(100);
    ASSERT_NE(t->fds->find(3), nullptr);
    EXPECT_EQ(t->fds->find(3)->name, "/home/u/etc");
    EXPECT_EQ(t->fds->find(3)->kind, sinsp::fd_kind::directory);
    feed(make(PPME_SYSCALL_OPENAT_2_X, 100,
              {{"fd", val<int64_t>(4)}, {"dirfd", val<int64_t>(3)}, {"name", str("../x/conf")}}));
    ASSERT_NE(t->fds->find(4), nullptr);
    EXPECT_EQ(t->fds->find(4)->name, "/home/u/x/conf");
    feed(make(PPME_SYSCALL_OPENAT_2_X, 100,
              {{"fd", val<int64_t>(5)}, {"dirfd", val<int64_t>(3)}, {"name", str("/abs")}}));
    EXPECT_EQ(t->fds->find(5)->name, "/abs");
}

TEST_F(SinspStateSynthetic, ConnectSetsTheTuple) {
    load_shell();
    feed(make(PPME_SOCKET_SOCKET_X, 100,
              {{"fd", val<int64_t>(6)}, {"domain", val<uint32_t>(2)}, {"type", val<uint32_t>(1)}}));
    const auto& e = feed(make(PPME_SOCKET_CONNECT_X, 100,
                              {{"res", val<int64_t>(0)},
                               {"tuple", ipv4_tuple("10.0.0.1", 40000, "93.184.216.34", 443)},
                               {"fd", val<int64_t>(6)}}));
    ASSERT_NE(e.fd, nullptr);
    EXPECT_EQ(e.fd->kind, sinsp::fd_kind::ipv4_socket);
    EXPECT_EQ(e.fd->proto, sinsp::l4_proto::tcp);
    EXPECT_EQ(e.fd->role, sinsp::sock_role::client);
    EXPECT_EQ(e.fd->display_name(), "10.0.0.1:40000->93.184.216.34:443");
}

TEST_F(SinspStateSynthetic, ProcexitReapsThreadsAndKeepsTheProcessWhileThreadsLive) {
    load_shell();
    feed(clone_event(100, 101, k_clone_thread | k_clone_files | k_clone_fs, 100, 1));
    feed(make(PPME_PROCEXIT_1_E, 100, {}));  // main thread exits first
    feed(make(PPME_SYSCALL_GETUID_X, 101, {}));
    ASSERT_NE(insp.threads().find(100), nullptr);  // kept: thread 101 still runs
    EXPECT_TRUE(insp.threads().find(100)->dead());
    feed(make(PPME_PROCEXIT_1_E, 101, {}));
    EXPECT_NE(insp.threads().find(101), nullptr);  // still there during its own exit event
    feed(make(PPME_SYSCALL_GETUID_X, 1, {}));
    EXPECT_EQ(insp.threads().find(101), nullptr);
    EXPECT_EQ(insp.threads().find(100), nullptr);
    EXPECT_EQ(insp.stats().threads_removed, 2u);
}

TEST_F(SinspStateSynthetic, UnknownThreadsGetAMinimalEntryThatCloneFills) {
    feed(make(PPME_SYSCALL_GETUID_X, 500, {}));
    const sinsp::thread_info* t = insp.threads().find(500);
    ASSERT_NE(t, nullptr);
    EXPECT_NE(t->state & sinsp::k_thread_incomplete, 0u);
    EXPECT_EQ(insp.stats().threads_incomplete, 1u);
    feed(clone_event(500, 0, 0, 500, 1));
    EXPECT_EQ(t->state & sinsp::k_thread_incomplete, 0u);
    EXPECT_EQ(name(500), "sh");
}

// The child ran on another CPU and its own clone exit came first: that event describes the child
// in full (its parent is known), so nothing is made up; the caller's exit then changes nothing.
TEST_F(SinspStateSynthetic, ChildSideCloneFirstIsNotCountedIncomplete) {
    load_shell();
    feed(clone_event(101, 0, 0, 101, 100));  // child side first
    feed(clone_event(100, 101, 0, 100, 1));  // then the caller's
    const sinsp::thread_info* child = insp.threads().find(101);
    ASSERT_NE(child, nullptr);
    EXPECT_EQ(child->state & sinsp::k_thread_incomplete, 0u);
    EXPECT_EQ(child->ptid, 100);
    EXPECT_EQ(insp.stats().threads_incomplete, 0u);
    EXPECT_EQ(insp.stats().threads_child_first, 1u);
    // The fd table was copied from the parent (no CLONE_FILES).
    ASSERT_NE(child->fds, nullptr);
    EXPECT_NE(child->fds->find(0), nullptr);
    // A thread that is really unknown is still counted.
    feed(make(PPME_SYSCALL_GETUID_X, 777, {}));
    EXPECT_EQ(insp.stats().threads_incomplete, 1u);
}

TEST_F(SinspStateSynthetic, SetuidPrctlSetsid) {
    load_shell();
    feed(make(PPME_SYSCALL_SETUID_X, 100, {{"res", val<int64_t>(0)}, {"uid", val<uint32_t>(33)}}));
    feed(make(PPME_SYSCALL_PRCTL_X, 100,
              {{"res", val<int64_t>(0)}, {"option", val<uint32_t>(0xf)}, {"arg2_str", str("worker")}}));
    feed(make(PPME_SYSCALL_SETSID_X, 100, {{"res", val<int64_t>(100)}}));
    const sinsp::thread_info* t = insp.threads().find(100);
    EXPECT_EQ(t->uid, 33u);
    EXPECT_EQ(name(100), "worker");
    EXPECT_EQ(t->sid, 100);
}

TEST(SinspStateBound, EvictsDeadThenLeastRecentlyActive) {
    sinsp::inspector_options o;
    o.max_threads = 4;
    sinsp::inspector insp(o);
    bytes keep;
    auto feed = [&](uint16_t type, uint64_t tid, uint64_t ts) {
        keep = make(type, tid, {}, ts);
        scap::event_ref ref;
        ref.hdr = scap::test::hdr(keep);
        insp.process(ref);
    };
    for (uint64_t tid = 1; tid <= 4; ++tid) feed(PPME_SYSCALL_GETUID_X, tid, 100 + tid);
    feed(PPME_SYSCALL_GETUID_X, 1, 200);  // 1 is now the most recently active
    feed(PPME_SYSCALL_GETUID_X, 5, 300);  // full: 2 (least recent) goes
    EXPECT_EQ(insp.threads().size(), 4u);
    EXPECT_EQ(insp.threads().find(2), nullptr);
    EXPECT_NE(insp.threads().find(1), nullptr);
    EXPECT_EQ(insp.stats().threads_evicted, 1u);
    // A thread reported dead outranks older live ones... (3 is older but alive).
    feed(PPME_SYSCALL_GETUID_X, 4, 400);
    keep = make(PPME_PROCEXIT_1_E, 4, {}, 401);
    // procexit of 4 schedules its removal; a new tid then still fits without evicting 3.
    scap::event_ref ref;
    ref.hdr = scap::test::hdr(keep);
    insp.process(ref);
    feed(PPME_SYSCALL_GETUID_X, 6, 500);
    EXPECT_NE(insp.threads().find(3), nullptr);
    EXPECT_EQ(insp.threads().find(4), nullptr);
    EXPECT_LE(insp.threads().size(), 4u);
}

TEST(SinspStateFlatMap, InsertEraseKeepsProbeChainsIntact) {
    sinsp::flat_map<int> m;
    for (uint64_t k = 0; k < 1000; ++k) m[k * 7] = static_cast<int>(k);
    for (uint64_t k = 0; k < 1000; k += 2) EXPECT_TRUE(m.erase(k * 7));
    EXPECT_EQ(m.size(), 500u);
    for (uint64_t k = 0; k < 1000; ++k) {
        const int* v = m.find(k * 7);
        if (k % 2) {
            ASSERT_NE(v, nullptr) << k;
            EXPECT_EQ(*v, static_cast<int>(k));
        } else {
            EXPECT_EQ(v, nullptr) << k;
        }
    }
}

TEST(SinspStateInterner, SharesAndFreesStrings) {
    sinsp::string_interner s;
    const auto a = s.acquire("/usr/bin/bash");
    const auto b = s.acquire("/usr/bin/bash");
    EXPECT_EQ(a, b);
    EXPECT_EQ(s.refs(a), 2u);
    s.release(a);
    s.release(b);
    EXPECT_EQ(s.live(), 1u);  // only the permanent empty string
    const auto c = s.acquire("other");
    EXPECT_EQ(c, a);  // id reused
    EXPECT_EQ(s.get(c), "other");
}

}  // namespace

// Users and groups added or deleted during the capture update the host tables; container
// users do not touch them.
TEST_F(SinspStateSynthetic, UserAndGroupMetaEvents) {
    feed(make(PPME_USER_ADDED_E, UINT64_MAX,
              {{"uid", val<uint32_t>(1001)},
               {"gid", val<uint32_t>(1002)},
               {"name", str("alice")},
               {"home", str("/home/alice")},
               {"shell", str("/bin/zsh")},
               {"container_id", str("")}}));
    feed(make(PPME_GROUP_ADDED_E, UINT64_MAX, {{"gid", val<uint32_t>(1002)}, {"name", str("staff")}}));
    feed(make(
        PPME_USER_ADDED_E, UINT64_MAX,
        {{"uid", val<uint32_t>(0)}, {"name", str("container-root")}, {"container_id", str("abcdef012345")}}));
    ASSERT_NE(insp.user(1001), nullptr);
    EXPECT_EQ(insp.user(1001)->name, "alice");
    EXPECT_EQ(insp.user(1001)->homedir, "/home/alice");
    EXPECT_EQ(insp.user(1001)->shell, "/bin/zsh");
    EXPECT_EQ(insp.user(1001)->gid, 1002u);
    ASSERT_NE(insp.group(1002), nullptr);
    EXPECT_EQ(insp.group(1002)->name, "staff");
    EXPECT_EQ(insp.user(0), nullptr);      // the container's root is not the host's
    EXPECT_EQ(insp.threads().size(), 0u);  // meta events (tid -1) invent no thread

    feed(make(PPME_USER_DELETED_E, UINT64_MAX, {{"uid", val<uint32_t>(1001)}, {"container_id", str("")}}));
    feed(make(PPME_GROUP_DELETED_E, UINT64_MAX, {{"gid", val<uint32_t>(1002)}}));
    EXPECT_EQ(insp.user(1001), nullptr);
    EXPECT_EQ(insp.group(1002), nullptr);
}

// An exiting process's children are adopted by the reaper procexit names, or by init when the
// capture does not say (old captures): their parent links stay usable.
TEST_F(SinspStateSynthetic, OrphansAreReparented) {
    scap::snapshot snap;
    auto proc = [](uint64_t pid, uint64_t ppid, const char* comm) {
        scap::process_info p;
        p.tid = p.pid = pid;
        p.ptid = ppid;
        p.comm = comm;
        p.vtid = p.vpid = static_cast<int64_t>(pid);
        return p;
    };
    snap.processes = {proc(1, 0, "init"), proc(50, 1, "subreaper"), proc(100, 50, "parent"),
                      proc(200, 100, "child"), proc(300, 100, "child2")};
    insp.load_snapshot(snap);
    feed(make(PPME_PROCEXIT_1_E, 100, {{"reaper_tid", val<int64_t>(50)}}));
    feed(make(PPME_SYSCALL_GETUID_X, 200, {}));  // the exit takes effect before the next event
    EXPECT_EQ(insp.threads().find(100), nullptr);
    EXPECT_EQ(insp.threads().find(200)->ptid, 50);
    EXPECT_EQ(insp.threads().find(300)->ptid, 50);

    // No reaper given: init (the thread lives in the host pid namespace).
    feed(make(PPME_PROCEXIT_1_E, 50, {{"reaper_tid", val<int64_t>(0)}}));
    feed(make(PPME_SYSCALL_GETUID_X, 200, {}));
    EXPECT_EQ(insp.threads().find(200)->ptid, 1);
    EXPECT_EQ(insp.stats().parse_errors, 0u);
}
