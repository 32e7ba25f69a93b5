// The /proc snapshot: against the live /proc (this test process, its fds, sockets, threads and
// a child), against fake trees for broken input, through the parsers, and loaded into sinsp.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "proc/proc_fds.h"
#include "proc/proc_host.h"
#include "proc/proc_parse.h"
#include "proc/proc_sockets.h"
#include "scap/proc_snapshot.h"
#include "sinsp/inspector.h"
#include "test_paths.h"

extern char** environ;

namespace {

using scap::fd_type;

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::string link_of(const std::string& path) {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

// A string literal with its embedded NULs.
template <size_t N>
std::string bin(const char (&s)[N]) {
    return std::string(s, N - 1);
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// A snapshot of just this process (the pid filter keeps the live tests fast).
scap::snapshot snapshot_self(scap::proc_snapshot_summary* summary = nullptr, bool threads = true) {
    scap::proc_snapshot_options o;
    o.pids = {static_cast<uint64_t>(::getpid())};
    o.include_threads = threads;
    o.read_users = o.read_interfaces = o.read_machine = false;
    scap::snapshot snap;
    scap::proc_snapshot_summary s;
    std::string err;
    EXPECT_EQ(scap::read_proc_snapshot(o, snap, err, s), scap::status::ok) << err;
    if (summary) *summary = s;
    return snap;
}

const scap::fd_info* find_fd(const scap::process_info& p, int fd) {
    for (const auto& f : p.fds)
        if (f.fd == fd) return &f;
    return nullptr;
}

// ---- live /proc -------------------------------------------------------------------------------

TEST(ProcSnapshotLive, OwnProcessIdentity) {
    scap::proc_snapshot_summary sum;
    const scap::snapshot snap = snapshot_self(&sum);
    const auto* p = snap.find_process(static_cast<uint64_t>(::getpid()));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->pid, static_cast<uint64_t>(::getpid()));
    EXPECT_EQ(p->ptid, static_cast<uint64_t>(::getppid()));
    std::string comm = read_text("/proc/self/comm");
    comm.pop_back();  // '\n'
    EXPECT_EQ(p->comm, comm);
    EXPECT_EQ(p->exepath, link_of("/proc/self/exe"));
    // cmdline read independently: argv[0] is exe, the rest is args with its trailing NUL.
    const std::string cmdline = read_text("/proc/self/cmdline");
    EXPECT_EQ(p->exe + '\0' + p->args, cmdline.find('\0') + 1 == cmdline.size() ? cmdline + '\0' : cmdline);
    char cwd[PATH_MAX];
    ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
    EXPECT_EQ(p->cwd, cwd);
    EXPECT_EQ(p->root, "/");
    EXPECT_EQ(p->uid, ::geteuid());
    EXPECT_EQ(p->gid, ::getegid());
    struct rlimit rl;
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
    EXPECT_EQ(p->fdlimit, rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur);
    EXPECT_GT(p->vmrss_kb, 0u);
    EXPECT_GE(p->vtid, 1);
    EXPECT_GE(p->vpid, 1);
    EXPECT_EQ(p->flags, 0u);
    EXPECT_NE(p->exe_ino, 0u);
    struct stat st;
    ASSERT_EQ(::stat("/proc/self/exe", &st), 0);
    EXPECT_EQ(p->exe_ino, st.st_ino);
    EXPECT_FALSE(p->exe_from_memfd);
    EXPECT_EQ(p->sid, ::getsid(0));
    EXPECT_EQ(p->pgid, ::getpgrp());
    // Environment as set in this process (environ may have changed since exec, but not PATH).
    EXPECT_FALSE(p->env.empty());
    // Started after boot, before now.
    const uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                   std::chrono::system_clock::now().time_since_epoch())
                                                   .count());
    EXPECT_GT(p->clone_ts, now - 24ull * 3600 * 1000000000ull * 365);
    EXPECT_LE(p->clone_ts, now);
    EXPECT_GE(sum.processes, 1u);
    EXPECT_GE(sum.fds, 3u);
}

TEST(ProcSnapshotLive, FileAndDirectoryFds) {
    const std::string dir = scap_test::temp_dir("ProcSnapshotLive_FileAndDirectoryFds");
    const std::string path = dir + "/data.txt";
    write_text(path, "x");
    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    ASSERT_GE(dfd, 0);
    const scap::snapshot snap = snapshot_self();
    ::close(fd);
    ::close(dfd);
    const auto* p = snap.find_process(static_cast<uint64_t>(::getpid()));
    ASSERT_NE(p, nullptr);
    const auto* f = find_fd(*p, fd);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->type, fd_type::file_v2);
    EXPECT_EQ(f->name, path);
    EXPECT_EQ(f->open_flags & 0x3u, 0x3u);   // PPM_O_RDWR
    EXPECT_NE(f->open_flags & 0x8u, 0u);     // PPM_O_APPEND
    EXPECT_NE(f->open_flags & 0x1000u, 0u);  // PPM_O_CLOEXEC
    EXPECT_EQ(f->open_flags & 0x4u, 0u);     // not O_CREAT
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(f->ino, st.st_ino);
    EXPECT_EQ(f->dev, scap::proc::encode_dev(st.st_dev));
    const auto* d = find_fd(*p, dfd);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->type, fd_type::directory);
    EXPECT_EQ(d->name, dir);
}

TEST(ProcSnapshotLive, TcpListenerAndConnection) {
    const int srv = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(srv, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(srv, 4), 0);
    socklen_t len = sizeof a;
    ASSERT_EQ(::getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len), 0);
    const uint16_t port = ntohs(a.sin_port);
    const int cli = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(::connect(cli, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    sockaddr_in c{};
    len = sizeof c;
    ASSERT_EQ(::getsockname(cli, reinterpret_cast<sockaddr*>(&c), &len), 0);

    const scap::snapshot snap = snapshot_self();
    ::close(cli);
    ::close(srv);
    const auto* p = snap.find_process(static_cast<uint64_t>(::getpid()));
    ASSERT_NE(p, nullptr);
    const auto* s = find_fd(*p, srv);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->type, fd_type::ipv4_servsock);
    EXPECT_EQ(s->sip, htonl(INADDR_LOOPBACK));
    EXPECT_EQ(s->sport, port);
    EXPECT_EQ(s->l4proto, 2);  // tcp
    const auto* k = find_fd(*p, cli);
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->type, fd_type::ipv4_sock);
    EXPECT_EQ(k->sip, htonl(INADDR_LOOPBACK));
    EXPECT_EQ(k->dip, htonl(INADDR_LOOPBACK));
    EXPECT_EQ(k->sport, ntohs(c.sin_port));
    EXPECT_EQ(k->dport, port);
}

TEST(ProcSnapshotLive, UdpIpv6AndUnixListeners) {
    const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ASSERT_EQ(::getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len), 0);
    // IPv6 may be disabled in the test environment; then only the others are checked.
    const int tcp6 = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 a6{};
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    const bool have6 =
        tcp6 >= 0 && ::bind(tcp6, reinterpret_cast<sockaddr*>(&a6), sizeof a6) == 0 && ::listen(tcp6, 1) == 0;
    len = sizeof a6;
    if (have6) {
        ASSERT_EQ(::getsockname(tcp6, reinterpret_cast<sockaddr*>(&a6), &len), 0);
    }
    const std::string path = scap_test::temp_dir("ProcSnapshotLive_Unix") + "/sock";
    const int ux = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un u{};
    u.sun_family = AF_UNIX;
    std::strncpy(u.sun_path, path.c_str(), sizeof u.sun_path - 1);
    ASSERT_EQ(::bind(ux, reinterpret_cast<sockaddr*>(&u), sizeof u), 0);
    ASSERT_EQ(::listen(ux, 1), 0);

    const scap::snapshot snap = snapshot_self();
    for (int fd : {udp, tcp6, ux})
        if (fd >= 0) ::close(fd);
    const auto* p = snap.find_process(static_cast<uint64_t>(::getpid()));
    ASSERT_NE(p, nullptr);
    const auto* fu = find_fd(*p, udp);
    ASSERT_NE(fu, nullptr);
    EXPECT_EQ(fu->type, fd_type::ipv4_servsock);  // bound, not connected
    EXPECT_EQ(fu->l4proto, 3);                    // udp
    EXPECT_EQ(fu->sport, ntohs(a.sin_port));
    if (have6) {
        const auto* f6 = find_fd(*p, tcp6);
        ASSERT_NE(f6, nullptr);
        EXPECT_EQ(f6->type, fd_type::ipv6_servsock);
        EXPECT_EQ(std::memcmp(f6->sip6, &in6addr_loopback, 16), 0);
        EXPECT_EQ(f6->sport, ntohs(a6.sin6_port));
    }
    const auto* fx = find_fd(*p, ux);
    ASSERT_NE(fx, nullptr);
    EXPECT_EQ(fx->type, fd_type::unix_sock);
    EXPECT_EQ(fx->name, path);
}

TEST(ProcSnapshotLive, ExitedProcessIsCountedNotAnError) {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    ASSERT_EQ(::waitpid(child, nullptr, 0), child);
    scap::proc_snapshot_options o;
    o.pids = {static_cast<uint64_t>(child), static_cast<uint64_t>(::getpid())};
    o.read_users = o.read_interfaces = o.read_machine = false;
    scap::snapshot snap;
    scap::proc_snapshot_summary sum;
    std::string err;
    ASSERT_EQ(scap::read_proc_snapshot(o, snap, err, sum), scap::status::ok);
    EXPECT_EQ(snap.find_process(static_cast<uint64_t>(child)), nullptr);
    EXPECT_NE(snap.find_process(static_cast<uint64_t>(::getpid())), nullptr);
    EXPECT_EQ(sum.vanished, 1u);
    EXPECT_EQ(sum.processes, 1u);
}

TEST(ProcSnapshotLive, PipeSocketpairAndAnonInodes) {
    int pfd[2], sp[2];
    ASSERT_EQ(::pipe(pfd), 0);
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    const int ev = ::eventfd(0, 0);
    ASSERT_GE(ev, 0);
    const scap::snapshot snap = snapshot_self();
    struct stat pipe_st, sock_st;
    ASSERT_EQ(::fstat(pfd[0], &pipe_st), 0);
    ASSERT_EQ(::fstat(sp[0], &sock_st), 0);
    for (int fd : {pfd[0], pfd[1], sp[0], sp[1], ev}) ::close(fd);
    const auto* p = snap.find_process(static_cast<uint64_t>(::getpid()));
    ASSERT_NE(p, nullptr);
    for (int fd : {pfd[0], pfd[1]}) {
        const auto* f = find_fd(*p, fd);
        ASSERT_NE(f, nullptr);
        EXPECT_EQ(f->type, fd_type::fifo);
        EXPECT_EQ(f->name.compare(0, 6, "pipe:["), 0) << f->name;
    }
    EXPECT_EQ(find_fd(*p, pfd[0])->ino, find_fd(*p, pfd[1])->ino);
    // Pipe and socket inodes come from the link text; they must be the fds' real inodes.
    EXPECT_EQ(find_fd(*p, pfd[0])->ino, pipe_st.st_ino);
    ASSERT_NE(find_fd(*p, sp[0]), nullptr);
    EXPECT_EQ(find_fd(*p, sp[0])->ino, sock_st.st_ino);
    for (int fd : {sp[0], sp[1]}) {
        const auto* f = find_fd(*p, fd);
        ASSERT_NE(f, nullptr);
        EXPECT_EQ(f->type, fd_type::unix_sock);
    }
    const auto* e = find_fd(*p, ev);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->type, fd_type::event);
}

TEST(ProcSnapshotLive, ThreadIsListedUnderItsProcess) {
    std::atomic<pid_t> tid{0};
    std::atomic<bool> done{false};
    std::thread t([&] {
        pthread_setname_np(pthread_self(), "procsnap-thr");
        tid = static_cast<pid_t>(::syscall(SYS_gettid));
        while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    while (tid == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const scap::snapshot snap = snapshot_self();
    const scap::snapshot no_threads = snapshot_self(nullptr, false);
    done = true;
    t.join();
    const auto* th = snap.find_process(static_cast<uint64_t>(tid.load()));
    ASSERT_NE(th, nullptr);
    EXPECT_EQ(th->pid, static_cast<uint64_t>(::getpid()));
    EXPECT_EQ(th->ptid, static_cast<uint64_t>(::getppid()));  // the process's parent
    EXPECT_EQ(th->comm, "procsnap-thr");
    EXPECT_EQ(th->flags, 0x2001u);  // CLONE_THREAD | CLONE_FILES
    EXPECT_TRUE(th->fds.empty());   // listed once, on the main thread
    EXPECT_EQ(th->exepath, snap.find_process(static_cast<uint64_t>(::getpid()))->exepath);
    EXPECT_EQ(no_threads.find_process(static_cast<uint64_t>(tid.load())), nullptr);
}

TEST(ProcSnapshotLive, ChildWithKnownArguments) {
    pid_t child = 0;
    char a0[] = "sleep", a1[] = "1000";
    char* argv[] = {a0, a1, nullptr};
    ASSERT_EQ(::posix_spawnp(&child, "sleep", nullptr, nullptr, argv, environ), 0);
    // Wait for the exec to be complete: comm changes before the new argv is in place.
    const std::string cmdline_path = "/proc/" + std::to_string(child) + "/cmdline";
    for (int i = 0; i < 5000 && read_text(cmdline_path) != bin("sleep\0"
                                                               "1000\0");
         ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    // A soft fd limit of its own, so the scan must read the child's, not ours.
    struct rlimit own;
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &own), 0);
    struct rlimit lim = own;
    lim.rlim_cur = 321;
    ASSERT_EQ(::prlimit(child, RLIMIT_NOFILE, &lim, nullptr), 0);
    scap::proc_snapshot_options o;
    o.pids = {static_cast<uint64_t>(child)};
    o.read_users = o.read_interfaces = o.read_machine = false;
    scap::snapshot snap;
    std::string err;
    ASSERT_EQ(scap::read_proc_snapshot(o, snap, err), scap::status::ok);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    const auto* p = snap.find_process(static_cast<uint64_t>(child));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->comm, "sleep");
    EXPECT_EQ(p->exe, "sleep");
    EXPECT_EQ(p->args, std::string("1000\0", 5));
    EXPECT_EQ(p->arg_list(), std::vector<std::string>{"1000"});
    EXPECT_EQ(p->ptid, static_cast<uint64_t>(::getpid()));
    EXPECT_NE(p->exepath.find("sleep"), std::string::npos);
    EXPECT_EQ(p->fdlimit, 321u);
}

TEST(ProcSnapshotLive, WholeMachine) {
    scap::proc_snapshot_options o;
    scap::snapshot snap;
    scap::proc_snapshot_summary sum;
    std::string err;
    ASSERT_EQ(scap::read_proc_snapshot(o, snap, err, sum), scap::status::ok) << err;
    EXPECT_NE(snap.find_process(static_cast<uint64_t>(::getpid())), nullptr);
    EXPECT_GE(sum.processes, 1u);
    EXPECT_EQ(sum.threads, snap.processes.size());
    EXPECT_TRUE(snap.machine.present);
    EXPECT_GT(snap.machine.num_cpus, 0u);
    EXPECT_GT(snap.machine.memory_size_bytes, 0u);
    EXPECT_GT(snap.machine.max_pid, 0u);
    EXPECT_FALSE(snap.machine.hostname.empty());
    EXPECT_GT(snap.machine.boot_ts_epoch, 0u);
    EXPECT_TRUE(snap.has_userlist);
    bool root = false;
    for (const auto& u : snap.users) root |= u.uid == 0 && u.name == "root";
    EXPECT_TRUE(root);
    EXPECT_TRUE(snap.has_iflist);
    for (const auto& i : snap.ifaces_v4)
        if (i.name == "lo") {
            EXPECT_EQ(i.addr, htonl(INADDR_LOOPBACK));
        }
    // Our pid namespace's init is /proc's pid 1; its start time is the namespace's.
    const auto* self = snap.find_process(static_cast<uint64_t>(::getpid()));
    if (const auto* init = snap.find_process(1)) {
        EXPECT_EQ(self->pidns_init_start_ts, init->clone_ts);
        EXPECT_LE(init->clone_ts, self->clone_ts);
    }
    // Every listed thread's process is listed too.
    for (const auto& p : snap.processes) EXPECT_NE(snap.find_process(p.pid), nullptr) << p.tid;
}

// The parallel scan against the serial one on the live /proc: the processes and threads both
// see, in the same order, with the same fds. Other processes come and go between the two scans,
// so the test makes its own: children holding different fd sets (and this process with a
// second thread), which stay put while both scans run.
TEST(ProcSnapshotLive, ParallelScanEqualsSerial) {
    int ready[2];
    ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
    std::vector<pid_t> kids;
    for (int i = 0; i < 300; ++i) {
        const pid_t p = ::fork();
        if (p == 0) {
            // Raw syscalls only between fork and pause: fd counts and kinds vary by child.
            int fds[2];
            if (i % 3 == 0 && ::pipe(fds) != 0) ::_exit(1);
            if (i % 3 == 1 && ::open("/dev/null", O_RDONLY) < 0) ::_exit(1);
            if (i % 3 == 2 && ::socket(AF_UNIX, SOCK_STREAM, 0) < 0) ::_exit(1);
            if (i % 5 == 0 && ::open("/", O_RDONLY | O_DIRECTORY) < 0) ::_exit(1);
            const char c = 1;
            if (::write(ready[1], &c, 1) != 1) ::_exit(1);
            for (;;) ::pause();
        }
        ASSERT_GT(p, 0);
        kids.push_back(p);
    }
    for (size_t got = 0; got < kids.size();) {
        char c[64];
        const ssize_t n = ::read(ready[0], c, sizeof c);
        ASSERT_GT(n, 0);
        got += static_cast<size_t>(n);
    }
    std::atomic<bool> stop{false};
    std::thread worker([&] {
        while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
    auto scan = [](unsigned threads) {
        scap::proc_snapshot_options o;
        o.scan_threads = threads;
        o.read_users = o.read_interfaces = o.read_machine = false;
        scap::snapshot snap;
        std::string err;
        EXPECT_EQ(scap::read_proc_snapshot(o, snap, err), scap::status::ok) << err;
        return snap;
    };
    const scap::snapshot serial = scan(1);
    const scap::snapshot parallel = scan(2);
    stop = true;
    worker.join();
    for (pid_t p : kids) ::kill(p, SIGKILL);
    for (pid_t p : kids) ::waitpid(p, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);

    // The tids both scans listed, in each scan's order: the same sequence.
    std::vector<uint64_t> serial_order, parallel_order;
    for (const auto& p : serial.processes)
        if (parallel.find_process(p.tid)) serial_order.push_back(p.tid);
    for (const auto& p : parallel.processes)
        if (serial.find_process(p.tid)) parallel_order.push_back(p.tid);
    EXPECT_EQ(serial_order, parallel_order);

    const uint64_t self = static_cast<uint64_t>(::getpid());
    size_t self_threads = 0;
    for (const auto& a : serial.processes) {
        const bool ours = a.pid == self;
        if (!ours && std::find(kids.begin(), kids.end(), static_cast<pid_t>(a.pid)) == kids.end()) continue;
        const auto* b = parallel.find_process(a.tid);
        // Each scan's own worker threads are threads of this process that the other scan did
        // not see.
        if (ours && !b) continue;
        ASSERT_NE(b, nullptr) << a.tid;
        EXPECT_EQ(a.pid, b->pid);
        EXPECT_EQ(a.ptid, b->ptid);
        EXPECT_EQ(a.comm, b->comm);
        EXPECT_EQ(a.exepath, b->exepath);
        EXPECT_EQ(a.args, b->args);
        EXPECT_EQ(a.cwd, b->cwd);
        EXPECT_EQ(a.cgroups, b->cgroups);
        EXPECT_EQ(a.exe_ino, b->exe_ino);
        EXPECT_EQ(a.fdlimit, b->fdlimit);
        if (ours) {  // the scans' own fds differ: only the threads are compared
            ++self_threads;
            continue;
        }
        ASSERT_EQ(a.fds.size(), b->fds.size()) << a.tid;
        for (size_t f = 0; f < a.fds.size(); ++f) {
            EXPECT_EQ(a.fds[f].fd, b->fds[f].fd) << a.tid;
            EXPECT_EQ(a.fds[f].name, b->fds[f].name) << a.tid;
            EXPECT_EQ(a.fds[f].type, b->fds[f].type) << a.tid;
            EXPECT_EQ(a.fds[f].ino, b->fds[f].ino) << a.tid;
            EXPECT_EQ(a.fds[f].open_flags, b->fds[f].open_flags) << a.tid;
        }
    }
    EXPECT_GE(self_threads, 2u);
    // Every child is in both, with the fds it opened beyond the inherited ones.
    for (pid_t k : kids) {
        const auto* a = serial.find_process(static_cast<uint64_t>(k));
        ASSERT_NE(a, nullptr) << k;
        EXPECT_NE(parallel.find_process(static_cast<uint64_t>(k)), nullptr) << k;
        EXPECT_GE(a->fds.size(), 3u) << k;
    }
}

TEST(ProcSnapshotLive, FdCap) {
    scap::proc_snapshot_options o;
    o.pids = {static_cast<uint64_t>(::getpid())};
    o.max_fds_per_process = 2;
    o.read_users = o.read_interfaces = o.read_machine = false;
    scap::snapshot snap;
    scap::proc_snapshot_summary sum;
    std::string err;
    ASSERT_EQ(scap::read_proc_snapshot(o, snap, err, sum), scap::status::ok);
    EXPECT_EQ(snap.find_process(static_cast<uint64_t>(::getpid()))->fds.size(), 2u);
    EXPECT_EQ(sum.fd_capped, 1u);
}

TEST(ProcSnapshotLive, MissingProcRootIsAnError) {
    scap::proc_snapshot_options o;
    o.proc_root = "/nonexistent/proc";
    scap::snapshot snap;
    std::string err;
    EXPECT_EQ(scap::read_proc_snapshot(o, snap, err), scap::status::error);
    EXPECT_NE(err.find("/nonexistent/proc"), std::string::npos);
}

// ---- round trip into the state layer ---------------------------------------------------------

TEST(ProcSnapshotRoundTrip, LoadsIntoInspector) {
    const std::string dir = scap_test::temp_dir("ProcSnapshotRoundTrip");
    const int fd = ::open((dir + "/f").c_str(), O_CREAT | O_WRONLY, 0600);
    ASSERT_GE(fd, 0);
    const scap::snapshot snap = snapshot_self();
    ::close(fd);
    sinsp::inspector insp;
    insp.load_snapshot(snap);
    const auto* t = insp.threads().find(::getpid());
    ASSERT_NE(t, nullptr);
    const auto* p = snap.find_process(static_cast<uint64_t>(::getpid()));
    // The state layer's cmdline is comm followed by the arguments.
    std::string expected = p->comm;
    for (const auto& a : p->arg_list()) expected += " " + a;
    EXPECT_EQ(insp.arg_list(*t), p->arg_list());
    EXPECT_EQ(insp.str(t->exepath), p->exepath);
    EXPECT_EQ(insp.cmdline(*t), expected);
    EXPECT_EQ(insp.str(t->comm), p->comm);
    EXPECT_EQ(insp.cwd(*t), p->cwd);
    ASSERT_TRUE(t->fds);
    const auto* f = t->fds->find(fd);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->name, dir + "/f");
}

// ---- fake trees ----------------------------------------------------------------------------------

struct fake_tree {
    std::string root;
    explicit fake_tree(const std::string& name) : root(scap_test::temp_dir(name)) {
        ::mkdir((root + "/proc").c_str(), 0755);
        ::mkdir((root + "/etc").c_str(), 0755);
    }
    std::string proc() const { return root + "/proc"; }
    std::string pid_dir(int pid) const { return proc() + "/" + std::to_string(pid); }
    void mkpid(int pid) const { ::mkdir(pid_dir(pid).c_str(), 0755); }
    void file(int pid, const std::string& name, const std::string& text) const {
        write_text(pid_dir(pid) + "/" + name, text);
    }
    std::string stat_line(int pid, const std::string& comm, const std::string& tail) const {
        return std::to_string(pid) + " (" + comm + ") " + tail;
    }
    // Process `pid` named "p<pid>" with an argument, status (PPid 1, plus `status_extra`) and
    // pid % 5 fds 3.. on the file `data`.
    void numbered_process(int pid, const std::string& data, const std::string& stat_tail,
                          const std::string& status_extra = "") const {
        mkpid(pid);
        file(pid, "stat", stat_line(pid, "p" + std::to_string(pid), stat_tail));
        file(pid, "status", "Tgid:\t" + std::to_string(pid) + "\nPPid:\t1\n" + status_extra);
        file(pid, "cmdline", "p" + std::to_string(pid) + std::string("\0arg\0", 5));
        ::mkdir((pid_dir(pid) + "/fd").c_str(), 0755);
        for (int fd = 3; fd < 3 + pid % 5; ++fd)
            ::symlink(data.c_str(), (pid_dir(pid) + "/fd/" + std::to_string(fd)).c_str());
    }
    // A second thread, "worker", of process `pid` (its task/ entry).
    void worker_thread(int pid, int tid, const std::string& stat_tail) const {
        ::mkdir((pid_dir(pid) + "/task").c_str(), 0755);
        const std::string tdir = pid_dir(pid) + "/task/" + std::to_string(tid);
        ::mkdir(tdir.c_str(), 0755);
        write_text(tdir + "/stat", stat_line(tid, "worker", stat_tail));
        write_text(tdir + "/status", "Tgid:\t" + std::to_string(pid) + "\nPPid:\t1\n");
    }
    scap::snapshot scan(scap::proc_snapshot_summary& sum) const {
        scap::proc_snapshot_options o;
        o.proc_root = proc();
        o.etc_root = root + "/etc";
        o.read_interfaces = false;
        scap::snapshot snap;
        std::string err;
        EXPECT_EQ(scap::read_proc_snapshot(o, snap, err, sum), scap::status::ok) << err;
        return snap;
    }
};

// state ppid pgrp sid tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
// prio nice threads itreal starttime ...
const char* k_full_tail = "S 1 10 11 34816 -1 4194304 500 0 7 0 0 0 0 0 20 0 1 0 250 1000 50\n";

TEST(ProcSnapshotFake, FullProcessFromFiles) {
    fake_tree t("ProcSnapshotFake_Full");
    t.mkpid(42);
    t.file(42, "stat", t.stat_line(42, "my (odd) name", k_full_tail));
    t.file(
        42, "status",
        "Name:\tx\nTgid:\t42\nPid:\t42\nPPid:\t1\nUid:\t1000\t1001\t1000\t1000\nGid:\t50\t51\t50\t50\n"
        "NStgid:\t42\t7\nNSpid:\t42\t7\nNSpgid:\t10\t3\nVmSize:\t  1234 kB\nVmRSS:\t 56 kB\n"
        "VmSwap:\t 8 kB\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t00000000a80425fb\n");
    t.file(42, "cmdline", std::string("/bin/app\0-v\0--x=1\0", 18));
    t.file(42, "environ", std::string("A=1\0B=2\0", 8));
    t.file(42, "limits",
           "Limit                     Soft Limit           Hard Limit           Units     \n"
           "Max open files            1024                 4096                 files     \n");
    t.file(42, "loginuid", "1000");
    t.file(42, "cgroup", "12:cpu,cpuacct:/docker/abc\n1:name=systemd:/x\n0::/kubepods/pod1\n");
    ::symlink("/usr/bin/app", (t.pid_dir(42) + "/exe").c_str());
    ::symlink("/work", (t.pid_dir(42) + "/cwd").c_str());
    ::symlink("/", (t.pid_dir(42) + "/root").c_str());
    write_text(t.proc() + "/cgroups",
               "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t12\t1\t1\nmemory\t0\t1\t1\n"
               "pids\t0\t5\t1\nhugetlb\t0\t1\t0\n");
    write_text(t.proc() + "/stat", "cpu  1 2 3\nbtime 1700000000\n");
    ::mkdir((t.proc() + "/sys").c_str(), 0755);
    ::mkdir((t.proc() + "/sys/kernel").c_str(), 0755);
    write_text(t.proc() + "/sys/kernel/pid_max", "4194304\n");
    write_text(t.proc() + "/sys/kernel/hostname", "fakehost\n");
    write_text(t.root + "/etc/passwd",
               "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken line\nbob:x:notanumber:1::/:/bin/sh\n"
               "alice:x:1000:1000:Alice:/home/alice:/bin/zsh\n");
    write_text(t.root + "/etc/group", "root:x:0:\nwheel:x:10:alice,bob\nbad\n");

    scap::proc_snapshot_summary sum;
    const scap::snapshot snap = t.scan(sum);
    ASSERT_EQ(snap.processes.size(), 1u);
    const auto& p = snap.processes[0];
    EXPECT_EQ(p.tid, 42u);
    EXPECT_EQ(p.pid, 42u);
    EXPECT_EQ(p.ptid, 1u);
    EXPECT_EQ(p.comm, "my (odd) name");
    EXPECT_EQ(p.pgid, 10);
    EXPECT_EQ(p.sid, 11);
    EXPECT_EQ(p.vpgid, 3);
    EXPECT_EQ(p.vtid, 7);
    EXPECT_EQ(p.vpid, 7);
    EXPECT_EQ(p.tty, 34816u);
    EXPECT_EQ(p.pfminor, 500u);
    EXPECT_EQ(p.pfmajor, 7u);
    EXPECT_EQ(p.uid, 1001u);  // effective
    EXPECT_EQ(p.gid, 51u);
    EXPECT_EQ(p.vmsize_kb, 1234u);
    EXPECT_EQ(p.vmrss_kb, 56u);
    EXPECT_EQ(p.vmswap_kb, 8u);
    EXPECT_EQ(p.cap_permitted, 0x1ffffffffffull);
    EXPECT_EQ(p.cap_effective, 0xa80425fbull);
    EXPECT_EQ(p.exe, "/bin/app");
    EXPECT_EQ(p.args, bin("-v\0--x=1\0"));
    EXPECT_EQ(p.env, bin("A=1\0B=2\0"));
    EXPECT_EQ(p.exepath, "/usr/bin/app");
    EXPECT_EQ(p.cwd, "/work");
    EXPECT_EQ(p.root, "/");
    EXPECT_EQ(p.fdlimit, 1024u);
    EXPECT_EQ(p.loginuid, 1000u);
    EXPECT_EQ(p.cgroups, bin("cpu=/docker/abc\0cpuacct=/docker/abc\0name=systemd=/x\0"
                             "memory=/kubepods/pod1\0pids=/kubepods/pod1\0"));
    const long hz = ::sysconf(_SC_CLK_TCK);
    EXPECT_EQ(p.clone_ts, 1700000000ull * 1000000000ull + 250ull * 1000000000ull / static_cast<uint64_t>(hz));
    EXPECT_EQ(snap.machine.max_pid, 4194304u);
    EXPECT_EQ(snap.machine.hostname, "fakehost");
    EXPECT_EQ(snap.machine.boot_ts_epoch, 1700000000ull * 1000000000ull);
    ASSERT_EQ(snap.users.size(), 2u);
    EXPECT_EQ(snap.users[1].name, "alice");
    EXPECT_EQ(snap.users[1].homedir, "/home/alice");
    EXPECT_EQ(snap.users[1].shell, "/bin/zsh");
    ASSERT_EQ(snap.groups.size(), 2u);
    EXPECT_EQ(snap.groups[1].name, "wheel");
    EXPECT_EQ(snap.groups[1].gid, 10u);
    EXPECT_EQ(sum.malformed, 3u);  // two passwd lines, one group line
}

TEST(ProcSnapshotFake, BrokenAndVanishingProcesses) {
    fake_tree t("ProcSnapshotFake_Broken");
    // 10: fine, with nothing but stat and status.
    t.mkpid(10);
    t.file(10, "stat", t.stat_line(10, "ok", k_full_tail));
    t.file(10, "status", "Tgid:\t10\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
    // 11: truncated stat with a comm full of spaces and parentheses; still listed.
    t.mkpid(11);
    t.file(11, "stat", t.stat_line(11, ") a ( b ))", "R 1 11 11"));
    t.file(11, "status", "Tgid:\t11\nPPid:\tgarbage\n");
    // 12: vanished (its directory is empty, as when the process exits between readdir and open).
    t.mkpid(12);
    // 13: a kernel thread (PF_KTHREAD).
    t.mkpid(13);
    t.file(13, "stat", t.stat_line(13, "kworker/0:1", "I 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5\n"));
    t.file(13, "status", "Tgid:\t13\nPPid:\t2\n");
    // 14: stat without a comm at all.
    t.mkpid(14);
    t.file(14, "stat", "14 garbage\n");
    // Not processes.
    ::mkdir((t.proc() + "/self_not_numeric").c_str(), 0755);
    write_text(t.proc() + "/99", "a file, not a directory");

    scap::proc_snapshot_summary sum;
    const scap::snapshot snap = t.scan(sum);
    ASSERT_EQ(snap.processes.size(), 2u);
    const auto* ok = snap.find_process(10);
    ASSERT_NE(ok, nullptr);
    EXPECT_EQ(ok->comm, "ok");
    EXPECT_EQ(ok->exe, "");
    EXPECT_EQ(ok->loginuid, UINT32_MAX);
    EXPECT_TRUE(ok->fds.empty());
    const auto* odd = snap.find_process(11);
    ASSERT_NE(odd, nullptr);
    EXPECT_EQ(odd->comm, ") a ( b ))");  // first '(' to last ')'
    EXPECT_EQ(odd->pgid, 11);
    EXPECT_EQ(odd->sid, 11);
    EXPECT_EQ(odd->ptid, 1u);  // from stat, since status's PPid did not parse
    EXPECT_EQ(odd->clone_ts, 0u);
    EXPECT_EQ(sum.processes, 2u);
    EXPECT_EQ(sum.vanished, 2u);  // 12, and the plain file 99
    EXPECT_EQ(sum.kernel_threads, 1u);
    EXPECT_EQ(sum.malformed, 3u);  // 11's stat, 11's PPid, 14's stat
    EXPECT_TRUE(snap.users.empty());
    EXPECT_TRUE(snap.has_userlist);
}

TEST(ProcSnapshotFake, FdsAndThreadsFromFiles) {
    fake_tree t("ProcSnapshotFake_Fds");
    t.mkpid(20);
    t.file(20, "stat", t.stat_line(20, "srv", k_full_tail));
    t.file(20, "status", "Tgid:\t20\nPPid:\t1\n");
    t.file(20, "cmdline", std::string("srv\0", 4));
    ::mkdir((t.pid_dir(20) + "/task").c_str(), 0755);
    ::mkdir((t.pid_dir(20) + "/task/20").c_str(), 0755);
    ::mkdir((t.pid_dir(20) + "/task/21").c_str(), 0755);
    ::mkdir((t.pid_dir(20) + "/task/22").c_str(), 0755);  // vanished thread
    write_text(t.pid_dir(20) + "/task/21/stat", t.stat_line(21, "worker", k_full_tail));
    write_text(t.pid_dir(20) + "/task/21/status", "Tgid:\t20\nPPid:\t1\n");
    ::mkdir((t.pid_dir(20) + "/fd").c_str(), 0755);
    ::mkdir((t.pid_dir(20) + "/fdinfo").c_str(), 0755);
    const std::string data = t.root + "/data";
    write_text(data, "d");
    ::symlink(data.c_str(), (t.pid_dir(20) + "/fd/3").c_str());
    t.file(20, "fdinfo/3", "pos:\t0\nflags:\t06002\nmnt_id:\t21\n");  // O_RDWR|O_APPEND|O_NONBLOCK
    ::symlink(t.root.c_str(), (t.pid_dir(20) + "/fd/4").c_str());
    ::symlink("anon_inode:[eventpoll]", (t.pid_dir(20) + "/fd/5").c_str());
    ::symlink("anon_inode:bpf-map", (t.pid_dir(20) + "/fd/6").c_str());
    ::symlink("data", (t.pid_dir(20) + "/fd/notanfd").c_str());
    // A pipe is known from its link alone (type and inode), without a stat() of the fd.
    ::symlink("pipe:[777]", (t.pid_dir(20) + "/fd/7").c_str());

    scap::proc_snapshot_summary sum;
    const scap::snapshot snap = t.scan(sum);
    ASSERT_EQ(snap.processes.size(), 2u);
    const auto* m = snap.find_process(20);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->exe, "srv");
    EXPECT_EQ(m->args, "");
    ASSERT_EQ(m->fds.size(), 5u);
    const auto* pipe = find_fd(*m, 7);
    ASSERT_NE(pipe, nullptr);
    EXPECT_EQ(pipe->type, fd_type::fifo);
    EXPECT_EQ(pipe->ino, 777u);
    EXPECT_EQ(pipe->name, "pipe:[777]");
    const auto* f = find_fd(*m, 3);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->type, fd_type::file_v2);
    EXPECT_EQ(f->name, data);
    EXPECT_EQ(f->open_flags, 0x3u | 0x8u | 0x40u);
    EXPECT_EQ(find_fd(*m, 4)->type, fd_type::directory);
    EXPECT_EQ(find_fd(*m, 5)->type, fd_type::eventpoll);
    EXPECT_EQ(find_fd(*m, 6)->type, fd_type::bpf);
    const auto* w = snap.find_process(21);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->pid, 20u);
    EXPECT_EQ(w->comm, "worker");
    EXPECT_EQ(w->exe, "srv");
    EXPECT_EQ(sum.processes, 1u);
    EXPECT_EQ(sum.threads, 2u);
    EXPECT_EQ(sum.vanished, 1u);
    EXPECT_EQ(sum.fds, 5u);
}

// status's "Threads: 1" spares the scan the task/ listing; any other count (or none) lists it.
TEST(ProcSnapshotFake, TaskListingFollowsTheThreadCount) {
    fake_tree t("ProcSnapshotFake_ThreadCount");
    for (uint64_t pid : {30u, 40u}) {
        t.mkpid(pid);
        t.file(pid, "stat", t.stat_line(pid, "p", k_full_tail));
        const std::string tid = std::to_string(pid + 1);
        ::mkdir((t.pid_dir(pid) + "/task").c_str(), 0755);
        ::mkdir((t.pid_dir(pid) + "/task/" + tid).c_str(), 0755);
        write_text(t.pid_dir(pid) + "/task/" + tid + "/stat", t.stat_line(pid + 1, "t", k_full_tail));
        write_text(t.pid_dir(pid) + "/task/" + tid + "/status",
                   "Tgid:\t" + std::to_string(pid) + "\nPPid:\t1\n");
    }
    t.file(30, "status", "Tgid:\t30\nPPid:\t1\nThreads:\t1\n");
    t.file(40, "status", "Tgid:\t40\nPPid:\t1\nThreads:\t2\n");
    scap::proc_snapshot_summary sum;
    const scap::snapshot snap = t.scan(sum);
    EXPECT_EQ(snap.find_process(31), nullptr);  // status said one thread: task/ not read
    ASSERT_NE(snap.find_process(41), nullptr);
    EXPECT_EQ(snap.find_process(41)->pid, 40u);
    EXPECT_EQ(sum.processes, 2u);
    EXPECT_EQ(sum.threads, 3u);
}

// The parallel scan hands pids out in chunks to several threads; what comes back must be what
// one thread reads: same entries, same order, same counts.
TEST(ProcSnapshotFake, ParallelScanEqualsSerial) {
    fake_tree t("ProcSnapshotFake_Parallel");
    const std::string data = t.root + "/data";
    write_text(data, "d");
    for (int pid = 100; pid < 100 + 700; ++pid) {
        if (pid % 97 == 0) {  // vanished
            t.mkpid(pid);
            continue;
        }
        t.numbered_process(pid, data, k_full_tail);
        if (pid % 10 == 0) t.worker_thread(pid, 10000 + pid, k_full_tail);
    }
    auto scan = [&](unsigned threads, scap::proc_snapshot_summary& sum) {
        scap::proc_snapshot_options o;
        o.proc_root = t.proc();
        o.etc_root = t.root + "/etc";
        o.read_interfaces = false;
        o.scan_threads = threads;
        scap::snapshot snap;
        std::string err;
        EXPECT_EQ(scap::read_proc_snapshot(o, snap, err, sum), scap::status::ok) << err;
        return snap;
    };
    scap::proc_snapshot_summary serial_sum, parallel_sum;
    const scap::snapshot serial = scan(1, serial_sum);
    const scap::snapshot parallel = scan(4, parallel_sum);
    ASSERT_EQ(serial.processes.size(), 700u - 7u + 70u);  // 7 multiples of 97 vanished
    ASSERT_EQ(parallel.processes.size(), serial.processes.size());
    for (size_t i = 0; i < serial.processes.size(); ++i) {
        const auto& a = serial.processes[i];
        const auto& b = parallel.processes[i];
        ASSERT_EQ(a.tid, b.tid) << i;
        EXPECT_EQ(a.pid, b.pid);
        EXPECT_EQ(a.comm, b.comm);
        EXPECT_EQ(a.exe, b.exe);
        EXPECT_EQ(a.args, b.args);
        ASSERT_EQ(a.fds.size(), b.fds.size()) << a.tid;
        for (size_t f = 0; f < a.fds.size(); ++f) {
            EXPECT_EQ(a.fds[f].fd, b.fds[f].fd);
            EXPECT_EQ(a.fds[f].name, b.fds[f].name);
        }
        ASSERT_NE(parallel.find_process(a.tid), nullptr);
    }
    // Threads follow their process, as the serial scan lists them.
    const auto* w = parallel.find_process(10000 + 110);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->exe, "p110");
    EXPECT_EQ(&parallel.processes[static_cast<size_t>(w - parallel.processes.data()) - 1],
              parallel.find_process(110));
    EXPECT_EQ(serial_sum.processes, parallel_sum.processes);
    EXPECT_EQ(serial_sum.threads, parallel_sum.threads);
    EXPECT_EQ(serial_sum.fds, parallel_sum.fds);
    EXPECT_EQ(serial_sum.vanished, parallel_sum.vanished);
    EXPECT_EQ(serial_sum.malformed, parallel_sum.malformed);
    EXPECT_EQ(parallel_sum.vanished, 7u);
}

// Records what a scan hands to its sink (proc_snapshot_options::processes_to), in order.
struct recording_sink final : scap::snapshot_sink {
    std::vector<scap::process_info> got;
    void add_process(scap::process_info&& p) override { got.push_back(std::move(p)); }
    bool begin_fds(uint64_t) override {
        ADD_FAILURE() << "a scan's fds come with their process";
        return false;
    }
    void add_fd(scap::fd_info&&) override { ADD_FAILURE() << "a scan's fds come with their process"; }
    size_t index_of(uint64_t tid) const {
        for (size_t i = 0; i < got.size(); ++i)
            if (got[i].tid == tid) return i;
        return got.size();
    }
};

// With a sink the scan hands every entry over as its run of pids is done (four workers here,
// the calling thread taking their runs in order) and keeps none: the sink gets what the list
// would hold, fds and threads included, in the same order, except an entry whose pid
// namespace's init comes later, which waits for it so that pidns_init_start_ts is the same.
TEST(ProcSnapshotFake, SinkGetsTheListsEntriesAsTheScanGoes) {
    fake_tree t("ProcSnapshotFake_Sink");
    const std::string data = t.root + "/data";
    write_text(data, "d");
    const std::string init_tail = "S 0 1 1 0 -1 4194560 500 0 7 0 0 0 0 0 20 0 1 0 11 1000 50\n";
    const std::string ns_init_tail = "S 1 10 11 0 -1 4194560 500 0 7 0 0 0 0 0 20 0 1 0 777 1000 50\n";
    auto process = [&](int pid, const std::string& tail, const std::string& nspid) {
        t.numbered_process(pid, data, tail, nspid);
    };
    process(1, init_tail, "NSpid:\t1\n");  // the host's init: its namespace is procfs's own
    for (int pid = 100; pid < 100 + 400; ++pid) {
        if (pid == 200 || pid == 300 || pid == 400) continue;
        // Odd pids in procfs's own namespace (pid 1's), even ones in a namespace whose ns/pid
        // cannot be read (no namespace known: no init to wait for).
        process(pid, k_full_tail, "NSpid:\t" + std::to_string(pid) + (pid % 2 ? "\n" : "\t9\n"));
        if (pid % 10 == 0) t.worker_thread(pid, 10000 + pid, k_full_tail);
    }
    // A container's pid namespace (one ns/pid inode, hard-linked): a member before its init in
    // pid order (200), the init (300, pid 1 inside), a member after it (400).
    process(200, k_full_tail, "NSpid:\t200\t5\n");
    process(300, ns_init_tail, "NSpid:\t300\t1\n");
    process(400, k_full_tail, "NSpid:\t400\t7\n");
    for (int pid : {200, 300, 400}) ::mkdir((t.pid_dir(pid) + "/ns").c_str(), 0755);
    write_text(t.pid_dir(300) + "/ns/pid", "");
    ASSERT_EQ(::link((t.pid_dir(300) + "/ns/pid").c_str(), (t.pid_dir(200) + "/ns/pid").c_str()), 0);
    ASSERT_EQ(::link((t.pid_dir(300) + "/ns/pid").c_str(), (t.pid_dir(400) + "/ns/pid").c_str()), 0);

    auto scan = [&](unsigned threads, scap::snapshot_sink* sink, scap::proc_snapshot_summary& sum) {
        scap::proc_snapshot_options o;
        o.proc_root = t.proc();
        o.etc_root = t.root + "/etc";
        o.read_interfaces = false;
        o.scan_threads = threads;
        o.processes_to = sink;
        // In pid order, as procfs lists itself (a plain directory lists in no useful order).
        o.pids = {1};
        for (uint64_t pid = 100; pid < 500; ++pid) o.pids.push_back(pid);
        scap::snapshot snap;
        std::string err;
        EXPECT_EQ(scap::read_proc_snapshot(o, snap, err, sum), scap::status::ok) << err;
        return snap;
    };
    scap::proc_snapshot_summary list_sum, sink_sum;
    const scap::snapshot list = scan(1, nullptr, list_sum);
    recording_sink sink;
    const scap::snapshot rest = scan(4, &sink, sink_sum);
    EXPECT_TRUE(rest.processes.empty()) << "the sink's entries are not kept";
    EXPECT_TRUE(rest.has_userlist) << "the host-wide parts stay in the snapshot";
    ASSERT_EQ(list.processes.size(), 1u + 400u + 37u);  // threads of 200, 300, 400: none
    ASSERT_EQ(sink.got.size(), list.processes.size());
    for (const auto& b : sink.got) {
        const scap::process_info* a = list.find_process(b.tid);
        ASSERT_NE(a, nullptr) << b.tid;
        EXPECT_EQ(a->pid, b.pid);
        EXPECT_EQ(a->comm, b.comm);
        EXPECT_EQ(a->args, b.args);
        EXPECT_EQ(a->clone_ts, b.clone_ts);
        EXPECT_EQ(a->pidns_init_start_ts, b.pidns_init_start_ts) << b.tid;
        ASSERT_EQ(a->fds.size(), b.fds.size()) << b.tid;
        for (size_t f = 0; f < a->fds.size(); ++f) {
            EXPECT_EQ(a->fds[f].fd, b.fds[f].fd);
            EXPECT_EQ(a->fds[f].name, b.fds[f].name);
        }
    }
    // The values themselves: the container's members carry its init's start, procfs's
    // namespace pid 1's, and entries of no known namespace nothing.
    const uint64_t host_init = list.find_process(1)->clone_ts;
    const uint64_t ns_init = list.find_process(300)->clone_ts;
    ASSERT_NE(host_init, ns_init);
    EXPECT_EQ(sink.got[sink.index_of(200)].pidns_init_start_ts, ns_init);
    EXPECT_EQ(sink.got[sink.index_of(400)].pidns_init_start_ts, ns_init);
    EXPECT_EQ(sink.got[sink.index_of(101)].pidns_init_start_ts, host_init);
    EXPECT_EQ(sink.got[sink.index_of(102)].pidns_init_start_ts, 0u);
    // Order: 200 waited for 300; everything else came in the list's order.
    EXPECT_GT(sink.index_of(200), sink.index_of(300));
    std::vector<uint64_t> list_order, sink_order;
    for (const auto& p : list.processes)
        if (p.tid != 200) list_order.push_back(p.tid);
    for (const auto& p : sink.got)
        if (p.tid != 200) sink_order.push_back(p.tid);
    EXPECT_EQ(list_order, sink_order);
    EXPECT_EQ(list_sum.processes, sink_sum.processes);
    EXPECT_EQ(list_sum.threads, sink_sum.threads);
    EXPECT_EQ(list_sum.fds, sink_sum.fds);
    EXPECT_EQ(list_sum.malformed, sink_sum.malformed);
}

// ---- parsers -------------------------------------------------------------------------------------

TEST(ProcSnapshotParse, InetTables) {
    scap::proc::socket_map m;
    const char* tcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0\n"
        "   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0\n"
        "   2: 0100007F:C351 0100007F:1F90 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0\n"
        "   3: zzzz\n";
    EXPECT_EQ(scap::proc::parse_inet_table(tcp, false, scap::proc::k_l4_tcp, m), 1u);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[111].type, fd_type::ipv4_servsock);
    EXPECT_EQ(m[111].sip, htonl(INADDR_LOOPBACK));
    EXPECT_EQ(m[111].sport, 8080);
    EXPECT_EQ(m[222].type, fd_type::ipv4_sock);
    EXPECT_EQ(m[222].sport, 50000);
    EXPECT_EQ(m[222].dport, 8080);
    EXPECT_EQ(m[222].dip, htonl(INADDR_LOOPBACK));
    const char* tcp6 =
        "  sl  local_address                         remote_address                        st ...\n"
        "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 "
        "00:00000000 00000000     0        0 333 1 0\n";
    EXPECT_EQ(scap::proc::parse_inet_table(tcp6, true, scap::proc::k_l4_tcp, m), 0u);
    EXPECT_EQ(m[333].type, fd_type::ipv6_servsock);
    EXPECT_EQ(m[333].sport, 22);
    uint8_t loop6[16] = {};
    loop6[15] = 1;
    EXPECT_EQ(std::memcmp(m[333].sip6, loop6, 16), 0);
}

TEST(ProcSnapshotParse, UnixAndNetlinkTables) {
    scap::proc::socket_map m;
    const char* unix_table =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "ffff8880046a3c00: 00000002 00000000 00010000 0001 01 17891 /run/systemd/notify\n"
        "0000000000000000: 00000003 00000000 00000000 0001 03 17900\n"
        "bad line\n";
    EXPECT_EQ(scap::proc::parse_unix_table(unix_table, m), 1u);
    EXPECT_EQ(m[17891].type, fd_type::unix_sock);
    EXPECT_EQ(m[17891].name, "/run/systemd/notify");
    EXPECT_EQ(m[17891].unix_source, 0xffff8880046a3c00ull);
    EXPECT_EQ(m[17900].name, "");
    const char* nl =
        "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"
        "ffff888003a9e000 0   1          00000111 0        0        0     2        0        18001\n";
    EXPECT_EQ(scap::proc::parse_netlink_table(nl, m), 0u);
    EXPECT_EQ(m[18001].type, fd_type::netlink);
}

TEST(ProcSnapshotParse, StatStatusAndCmdline) {
    scap::proc::stat_fields st;
    EXPECT_FALSE(scap::proc::parse_stat("123 no parens here", st));
    EXPECT_TRUE(scap::proc::parse_stat("1 ((x)) S", st));
    EXPECT_EQ(st.comm, "(x)");
    EXPECT_FALSE(st.complete);
    scap::proc::status_fields ss;
    EXPECT_EQ(scap::proc::parse_status("Uid:\t1\nGid:\nNSpid:\t9\nCapEff:\tzz\n", ss), 3u);
    EXPECT_TRUE(ss.root_pidns);
    EXPECT_EQ(ss.threads, -1);  // no Threads: line
    EXPECT_EQ(scap::proc::parse_status("Threads:\t17\n", ss), 0u);
    EXPECT_EQ(ss.threads, 17);
    std::string exe, args;
    scap::proc::split_cmdline(std::string("a\0\0", 3), exe, args);
    EXPECT_EQ(exe, "a");
    EXPECT_EQ(args, std::string("\0", 1));  // one empty argument
    scap::proc::split_cmdline("no-nul-terminator", exe, args);
    EXPECT_EQ(exe, "no-nul-terminator");
    EXPECT_EQ(args, "");
    uint64_t lim = 0;
    EXPECT_TRUE(
        scap::proc::parse_nofile_limit("Max open files            unlimited  unlimited  files\n", lim));
    EXPECT_EQ(lim, UINT64_MAX);
    EXPECT_FALSE(scap::proc::parse_nofile_limit("Max processes 5 5\n", lim));
    std::string cg;
    EXPECT_EQ(scap::proc::parse_cgroup("nonsense\n3::/no-controllers-v1\n", {"cpu"}, cg), 1u);
    EXPECT_EQ(cg, "");
}

TEST(ProcSnapshotParse, OpenFlagsAndAnonInodes) {
    using scap::proc::open_flags_to_ppm;
    EXPECT_EQ(open_flags_to_ppm(O_RDONLY), 0x1u);
    EXPECT_EQ(open_flags_to_ppm(O_WRONLY | O_CREAT | O_TRUNC), 0x2u | 0x4u | 0x100u);
    EXPECT_EQ(open_flags_to_ppm(O_RDONLY | O_DIRECTORY), 0x1u | 0x400u);
    EXPECT_EQ(open_flags_to_ppm(O_RDWR | O_TMPFILE), 0x3u | 0x2000u);
    EXPECT_EQ(open_flags_to_ppm(O_WRONLY | O_SYNC), 0x2u | 0x80u);
    EXPECT_EQ(open_flags_to_ppm(O_WRONLY | O_DSYNC), 0x2u | 0x10u);
    uint64_t fl = 0;
    EXPECT_TRUE(scap::proc::parse_fdinfo_flags("pos:\t0\nflags:\t0100002\n", fl));
    EXPECT_EQ(fl, 0100002u);
    EXPECT_FALSE(scap::proc::parse_fdinfo_flags("pos:\t0\n", fl));
    using scap::proc::classify_anon_link;
    EXPECT_EQ(classify_anon_link("anon_inode:[signalfd]"), fd_type::signalfd);
    EXPECT_EQ(classify_anon_link("anon_inode:inotify"), fd_type::inotify);
    EXPECT_EQ(classify_anon_link("anon_inode:[timerfd]"), fd_type::timerfd);
    EXPECT_EQ(classify_anon_link("anon_inode:[io_uring]"), fd_type::io_uring);
    EXPECT_EQ(classify_anon_link("anon_inode:[userfaultfd]"), fd_type::userfaultfd);
    EXPECT_EQ(classify_anon_link("anon_inode:[pidfd]"), fd_type::pidfd);
    EXPECT_EQ(classify_anon_link("pidfd:[1234]"), fd_type::pidfd);
    EXPECT_EQ(classify_anon_link("anon_inode:bpf-prog"), fd_type::bpf);
    EXPECT_EQ(classify_anon_link("anon_inode:[perf_event]"), fd_type::unsupported);
    EXPECT_EQ(scap::proc::encode_dev(makedev(8, 1)), (8u << 8) | 1u);
    EXPECT_EQ(scap::proc::encode_dev(makedev(259, 300)),
              (300u & 0xffu) | (259u << 8) | ((300u & ~0xffu) << 12));
}

}  // namespace
