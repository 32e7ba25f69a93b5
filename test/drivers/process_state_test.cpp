// Per-process state changes, each in a child so the test binary keeps its own: the set*id
// family (success, then EPERM once privileges are dropped), prctl(PR_SET_NAME), kill/tgkill.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "event_asserts.h"

namespace drvtest {
namespace {

TEST(DriverState, SetIdFamilyThenEperm) {
    DRV_SESSION_OR_SKIP(s);
    if (geteuid() != 0) GTEST_SKIP() << "needs root to change ids";
    run_result r = s->run_in_child([] {
        syscall(SYS_setgid, 0);
        syscall(SYS_setregid, 0, 0);
        syscall(SYS_setresgid, 1000, 1000, 1000);
        syscall(SYS_setreuid, 0, 0);
        syscall(SYS_setresuid, 1000, 1001, 1002);
        syscall(SYS_setuid, 0);  // EPERM: no privilege left
        return 0;
    });
    ASSERT_TRUE(r.complete);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_SETGID_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(uint(v, "gid"), 0u);
    ASSERT_TRUE(find(r, PPME_SYSCALL_SETREGID_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(uint(v, "rgid"), 0u);
    EXPECT_EQ(uint(v, "egid"), 0u);
    ASSERT_TRUE(find(r, PPME_SYSCALL_SETRESGID_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(uint(v, "rgid"), 1000u);
    EXPECT_EQ(uint(v, "egid"), 1000u);
    EXPECT_EQ(uint(v, "sgid"), 1000u);
    ASSERT_TRUE(find(r, PPME_SYSCALL_SETREUID_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(uint(v, "ruid"), 0u);
    EXPECT_EQ(uint(v, "euid"), 0u);
    ASSERT_TRUE(find(r, PPME_SYSCALL_SETRESUID_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(uint(v, "ruid"), 1000u);
    EXPECT_EQ(uint(v, "euid"), 1001u);
    EXPECT_EQ(uint(v, "suid"), 1002u);
    ASSERT_TRUE(find(r, PPME_SYSCALL_SETUID_X, v));
    EXPECT_EQ(sint(v, "res"), -EPERM);
    EXPECT_EQ(uint(v, "uid"), 0u);
}

TEST(DriverState, PrctlSetName) {
    DRV_SESSION_OR_SKIP(s);
    run_result r = s->run_in_child([] {
        syscall(SYS_prctl, PR_SET_NAME, "drvtest-name", 0, 0, 0);
        syscall(SYS_prctl, 0x7fff0000, 0, 0, 0, 0);  // no such option: EINVAL
        return 0;
    });
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_PRCTL_X, [](const scap::event_view& e) { return sint(e, "res") == 0; }, v));
    EXPECT_EQ(uint(v, "option"), static_cast<uint64_t>(PR_SET_NAME));
    EXPECT_EQ(str(v, "arg2_str"), "drvtest-name");
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_PRCTL_X, [](const scap::event_view& e) { return sint(e, "res") != 0; }, v));
    EXPECT_EQ(sint(v, "res"), -EINVAL);
    EXPECT_EQ(uint(v, "option"), 0x7fff0000u);
    EXPECT_EQ(sint(v, "arg2_int"), 0);
    // Not a name option: arg2 is an integer, never read as a string.
    EXPECT_TRUE(str(v, "arg2_str").empty());
}

TEST(DriverState, KillAndTgkillCarryTheSignal) {
    DRV_SESSION_OR_SKIP(s);
    run_result r = s->run_in_child([] {
        const long me = syscall(SYS_getpid);
        syscall(SYS_kill, me, 0);
        syscall(SYS_kill, 0x3fffffff, SIGUSR1);                 // beyond any pid_max: ESRCH, nobody signalled
        syscall(SYS_tgkill, me, syscall(SYS_gettid), SIGCONT);  // harmless to a running process
        return 0;
    });
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_KILL_X, [](const scap::event_view& e) { return sint(e, "res") == 0; }, v));
    EXPECT_EQ(sint(v, "pid"), r.pid);
    EXPECT_EQ(uint(v, "sig"), 0u);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_KILL_X, [](const scap::event_view& e) { return sint(e, "res") != 0; }, v));
    EXPECT_EQ(sint(v, "res"), -ESRCH);
    EXPECT_EQ(sint(v, "pid"), 0x3fffffff);
    EXPECT_EQ(uint(v, "sig"), static_cast<uint64_t>(SIGUSR1));
    ASSERT_TRUE(find(r, PPME_SYSCALL_TGKILL_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(sint(v, "pid"), r.pid);
    EXPECT_EQ(sint(v, "tid"), r.pid);
    EXPECT_EQ(uint(v, "sig"), static_cast<uint64_t>(SIGCONT));
}

}  // namespace
}  // namespace drvtest
