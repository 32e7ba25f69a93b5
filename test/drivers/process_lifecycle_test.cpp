// Process creation and replacement: fork, vfork and clone3 seen from the parent and from the
// child, execve/execveat success (exe, args, comm, filename) and failure, and procexit.
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "driver_bugs.h"
#include "event_asserts.h"

namespace drvtest {
namespace {

// Our own comm as the kernel holds it (the binary name, cut to 15 bytes).
std::string own_comm() {
    char buf[32] = {};
    const int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
    const ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    std::string c(buf, n > 0 ? static_cast<size_t>(n) : 0);
    if (!c.empty() && c.back() == '\n') c.pop_back();
    return c;
}

// Checks the parent and child sides of a process-creating syscall of the run's child.
void expect_both_sides(const run_result& r, uint16_t type, int64_t grandchild) {
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, type, [](const scap::event_view& e) { return sint(e, "res") != 0; }, v));
    EXPECT_EQ(sint(v, "res"), grandchild);
    EXPECT_EQ(sint(v, "tid"), r.pid);
    EXPECT_EQ(sint(v, "pid"), r.pid);
    EXPECT_EQ(sint(v, "ptid"), getpid());
    EXPECT_EQ(str(v, "comm"), own_comm());
    ASSERT_TRUE(find(r, type, v, static_cast<uint64_t>(grandchild)));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(sint(v, "tid"), grandchild);
    EXPECT_EQ(sint(v, "pid"), grandchild);
    EXPECT_EQ(sint(v, "ptid"), r.pid);
    EXPECT_EQ(str(v, "comm"), own_comm());
    EXPECT_EQ(uint(v, "uid"), getuid());
    EXPECT_EQ(uint(v, "gid"), getgid());
    EXPECT_EQ(sint(v, "vtid"), grandchild);  // no pid namespace of our own
    EXPECT_EQ(sint(v, "vpid"), grandchild);
}

// A run whose child creates a grandchild with `spawn` (which waits for it and returns its pid).
// The pid comes back through a pipe: the child's memory is its own. 0 when nothing came back.
struct spawn_run {
    run_result run;
    long grandchild = 0;
};

spawn_run run_spawning_child(live_session* s, const std::function<long()>& spawn) {
    spawn_run out;
    int report[2];
    if (pipe(report) != 0) {
        ADD_FAILURE() << "pipe: " << std::strerror(errno);
        return out;
    }
    out.run = s->run_in_child([&] {
        const long gc = spawn();
        (void)!write(report[1], &gc, sizeof gc);
        return 0;
    });
    long gc = 0;
    if (read(report[0], &gc, sizeof gc) == static_cast<ssize_t>(sizeof gc)) out.grandchild = gc;
    close(report[0]);
    close(report[1]);
    return out;
}

// The exit code of a child that exited normally, else -1.
int64_t reaped(int wait_status) {
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

TEST(DriverProcess, ForkBothSidesAndProcexit) {
    DRV_SESSION_OR_SKIP(s);
    auto [r, gc] = run_spawning_child(s, [] {
        const long pid = syscall(SYS_fork);
        if (pid == 0) _exit(3);
        int st = 0;
        waitpid(static_cast<pid_t>(pid), &st, 0);
        return pid;
    });
    ASSERT_GT(gc, 0) << "the child reported no grandchild";
    ASSERT_TRUE(r.complete);
    expect_both_sides(r, PPME_SYSCALL_FORK_20_X, gc);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_PROCEXIT_1_E, v, static_cast<uint64_t>(gc)));
    EXPECT_EQ(sint(v, "ret"), 3);
    EXPECT_EQ(sint(v, "status"), 3 << 8);  // the wait status
    EXPECT_EQ(sint(v, "sig"), 0);
    EXPECT_EQ(uint(v, "core"), 0u);
    EXPECT_EQ(reaped(r.wait_status), 0);
}

TEST(DriverProcess, Clone3BothSides) {
    DRV_SESSION_OR_SKIP(s);
    auto [r, gc] = run_spawning_child(s, [] {
        clone_args args{};
        args.exit_signal = SIGCHLD;
        const long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid == 0) syscall(SYS_exit, 0);
        waitpid(static_cast<pid_t>(pid), nullptr, 0);
        return pid;
    });
    ASSERT_GT(gc, 0) << "the child reported no grandchild";
    expect_both_sides(r, PPME_SYSCALL_CLONE3_X, gc);
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_CLONE3_X, [](const scap::event_view& e) { return sint(e, "res") != 0; }, v));
    EXPECT_EQ(uint(v, "flags"), 0u);  // no CLONE_* flag was passed
}

TEST(DriverProcess, VforkThenExecveSucceeds) {
    DRV_SESSION_OR_SKIP(s);
    auto [r, gc] = run_spawning_child(s, [] {
        const pid_t pid = vfork();
        if (pid == 0) {
            char* const argv[] = {const_cast<char*>("true"), const_cast<char*>("--scap-one"),
                                  const_cast<char*>("two"), nullptr};
            char* const envp[] = {const_cast<char*>("SCAP_DRVTEST=1"), nullptr};
            syscall(SYS_execve, "/bin/true", argv, envp);
            _exit(127);
        }
        waitpid(pid, nullptr, 0);
        return static_cast<long>(pid);
    });
    ASSERT_GT(gc, 0) << "the child reported no grandchild";
    expect_both_sides(r, PPME_SYSCALL_VFORK_20_X, gc);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_EXECVE_19_X, v, static_cast<uint64_t>(gc)));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(str(v, "exe"), "true");
    EXPECT_EQ(bytes(v, "args"), std::string("--scap-one\0two\0", 15));
    EXPECT_EQ(sint(v, "tid"), gc);
    EXPECT_EQ(sint(v, "pid"), gc);
    EXPECT_EQ(sint(v, "ptid"), r.pid);
    EXPECT_EQ(str(v, "comm"), "true");
    EXPECT_EQ(bytes(v, "env"), std::string("SCAP_DRVTEST=1\0", 15));
    EXPECT_EQ(uint(v, "uid"), getuid());
    EXPECT_EQ(uint(v, "gid"), getgid());
    driver_bugs bugs;
    if (!bugs.seen(str(v, "filename").empty(), "execve filename (saved at entry) is an empty string")) {
        EXPECT_EQ(str(v, "filename"), "/bin/true");
    }
    EXPECT_GT(uint(v, "vm_size"), 0u);
    EXPECT_NE(uint(v, "exe_ino"), 0u);
    ASSERT_TRUE(find(r, PPME_PROCEXIT_1_E, v, static_cast<uint64_t>(gc)));
    EXPECT_EQ(sint(v, "ret"), 0);
    DRV_SKIP_IF_DRIVER_BUGS(bugs);
}

TEST(DriverProcess, ExecveFailureKeepsTheCallerAndErrno) {
    DRV_SESSION_OR_SKIP(s);
    run_result r = s->run_in_child([] {
        char* const argv[] = {const_cast<char*>("nope"), nullptr};
        syscall(SYS_execve, "/nonexistent/scap/prog", argv, environ);
        return 0;
    });
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_EXECVE_19_X, v));
    EXPECT_EQ(sint(v, "res"), -ENOENT);
    EXPECT_EQ(str(v, "comm"), own_comm());  // still the same program
    EXPECT_EQ(sint(v, "tid"), r.pid);
    EXPECT_EQ(sint(v, "pid"), r.pid);
    driver_bugs bugs;
    if (!bugs.seen(str(v, "filename").empty(), "execve filename (saved at entry) is an empty string")) {
        EXPECT_EQ(str(v, "filename"), "/nonexistent/scap/prog");
    }
    DRV_SKIP_IF_DRIVER_BUGS(bugs);
}

TEST(DriverProcess, ExecveatSuccessAndFailure) {
    DRV_SESSION_OR_SKIP(s);
    run_result bad = s->run_in_child([] {
        char* const argv[] = {const_cast<char*>("nope"), nullptr};
        syscall(SYS_execveat, AT_FDCWD, "/nonexistent/scap/prog", argv, environ, 0);
        return 0;
    });
    scap::event_view v;
    ASSERT_TRUE(find(bad, PPME_SYSCALL_EXECVEAT_X, v));
    EXPECT_EQ(sint(v, "res"), -ENOENT);
    EXPECT_EQ(str(v, "comm"), own_comm());

    run_result ok = s->run_in_child([] {
        char* const argv[] = {const_cast<char*>("true"), const_cast<char*>("--at"), nullptr};
        syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, environ, 0);
        return 127;
    });
    // x86_64 exits a successful execveat with execve's number: it must still be an execveat event.
    EXPECT_EQ(ok.first(PPME_SYSCALL_EXECVE_19_X, ok.pid), nullptr);
    ASSERT_TRUE(find(ok, PPME_SYSCALL_EXECVEAT_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(str(v, "exe"), "true");
    EXPECT_EQ(bytes(v, "args"), std::string("--at\0", 5));
    EXPECT_EQ(str(v, "comm"), "true");
    EXPECT_EQ(sint(v, "pid"), ok.pid);
    EXPECT_EQ(reaped(ok.wait_status), 0);
}

// An exec from a thread other than the leader: the kernel gives the caller the leader's tid
// before the syscall returns, so its exit is seen under a tid its entry was not. The path and
// the syscall (execveat, which exits with execve's number) must still be the ones saved at
// entry or by the exec itself. A grandchild execs (the exec kills its leader first, whose
// procexit would end a run_in_child run before the exec's exit arrives).
TEST(DriverProcess, ExecFromANonLeaderThreadKeepsItsPathAndSyscall) {
    DRV_SESSION_OR_SKIP(s);
    for (const bool at : {false, true}) {
        auto [r, gc] = run_spawning_child(s, [at] {
            const pid_t pid = fork();
            if (pid == 0) {
                std::thread t([at] {
                    char* const argv[] = {const_cast<char*>("true"), const_cast<char*>("--from-thread"),
                                          nullptr};
                    if (at)
                        syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, environ, 0);
                    else
                        syscall(SYS_execve, "/bin/true", argv, environ);
                    _exit(127);
                });
                t.join();
                _exit(126);
            }
            int st = 0;
            waitpid(pid, &st, 0);
            return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? static_cast<long>(pid) : -1L;
        });
        ASSERT_GT(gc, 0) << "the grandchild did not exec /bin/true (at=" << at << ")";
        ASSERT_TRUE(r.complete) << at;
        const uint16_t want = at ? PPME_SYSCALL_EXECVEAT_X : PPME_SYSCALL_EXECVE_19_X;
        const uint16_t other = at ? PPME_SYSCALL_EXECVE_19_X : PPME_SYSCALL_EXECVEAT_X;
        EXPECT_EQ(r.first(other, gc), nullptr) << at;
        scap::event_view v;
        ASSERT_TRUE(find_if(
            r, want, [](const scap::event_view& e) { return sint(e, "res") == 0; }, v,
            static_cast<uint64_t>(gc)))
            << at;
        EXPECT_EQ(sint(v, "tid"), gc) << at;  // the leader's tid, taken over by the exec
        EXPECT_EQ(sint(v, "pid"), gc) << at;
        EXPECT_EQ(str(v, "exe"), "true") << at;
        EXPECT_EQ(bytes(v, "args"), std::string("--from-thread\0", 14)) << at;
        if (!at) {
            EXPECT_EQ(str(v, "filename"), "/bin/true");  // execveat's event has no filename
        }
    }
}

}  // namespace
}  // namespace drvtest
