// Syscalls the zero-argument run must deny (they block, or cmd 0 destroys something), run here
// with arguments that make them return at once without touching anything: select/ppoll with a
// zero timeout, semctl and ptrace on ids that cannot exist. Plus clone as glibc's fork uses it.
#include <poll.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/ptrace.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <gtest/gtest.h>

#include "driver_bugs.h"
#include "event_asserts.h"

namespace drvtest {
namespace {

TEST(DriverSafeArgs, SelectAndPpollWithZeroTimeout) {
    DRV_SESSION_OR_SKIP(s);
    run_result r = s->run_here([] {
        timeval tv{0, 0};
        syscall(SYS_select, 0, nullptr, nullptr, nullptr, &tv);
        timespec ts{0, 0};
        syscall(SYS_ppoll, nullptr, 0, &ts, nullptr, 8);
    });
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_SELECT_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    ASSERT_TRUE(find(r, PPME_SYSCALL_PPOLL_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(uint(v, "timeout"), 0u);
}

TEST(DriverSafeArgs, SemctlOnAMissingSet) {
    DRV_SESSION_OR_SKIP(s);
    run_result r = s->run_here([] { syscall(SYS_semctl, -1, 3, IPC_STAT, 0); });
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_SEMCTL_X, v));
    EXPECT_EQ(sint(v, "res"), -EINVAL);
    EXPECT_EQ(sint(v, "semid"), -1);
    EXPECT_EQ(sint(v, "semnum"), 3);
}

// semop reports the first two operations of a successful call (flags in the schema's values),
// zeros past nsops.
TEST(DriverSafeArgs, SemopReportsItsFirstOperations) {
    DRV_SESSION_OR_SKIP(s);
    const int id = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    ASSERT_GE(id, 0);
    sembuf two[2] = {{0, 1, SEM_UNDO}, {1, 2, IPC_NOWAIT}};
    sembuf one[1] = {{1, -2, IPC_NOWAIT}};
    long r2 = -1, r1 = -1;
    run_result r = s->run_here([&] {
        r2 = syscall(SYS_semop, id, two, 2);
        r1 = syscall(SYS_semop, id, one, 1);
    });
    semctl(id, 0, IPC_RMID);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(r1, 0);
    const std::vector<const owned_event*> ops = r.all(PPME_SYSCALL_SEMOP_X);
    ASSERT_EQ(ops.size(), 2u);
    scap::event_view v = ops[0]->view();
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(sint(v, "semid"), id);
    EXPECT_EQ(uint(v, "nsops"), 2u);
    EXPECT_EQ(uint(v, "sem_num_0"), 0u);
    EXPECT_EQ(sint(v, "sem_op_0"), 1);
    EXPECT_EQ(uint(v, "sem_flg_0"), flag(scap_flags_semop_flags, "SEM_UNDO"));
    EXPECT_EQ(uint(v, "sem_num_1"), 1u);
    EXPECT_EQ(sint(v, "sem_op_1"), 2);
    EXPECT_EQ(uint(v, "sem_flg_1"), flag(scap_flags_semop_flags, "IPC_NOWAIT"));
    v = ops[1]->view();
    EXPECT_EQ(uint(v, "nsops"), 1u);
    EXPECT_EQ(uint(v, "sem_num_0"), 1u);
    EXPECT_EQ(sint(v, "sem_op_0"), -2);
    EXPECT_EQ(uint(v, "sem_num_1"), 0u);  // past nsops
    EXPECT_EQ(sint(v, "sem_op_1"), 0);
    EXPECT_EQ(uint(v, "sem_flg_1"), 0u);
}

// process_vm_readv/writev carry the bytes moved, from the caller's own iovecs.
TEST(DriverSafeArgs, ProcessVmReadvWritevCarryTheData) {
    DRV_SESSION_OR_SKIP(s);
    char remote[] = "secret", local[8] = {};
    char payload[] = "public";
    iovec l{local, 6}, rm{remote, 6}, src{payload, 6};
    long rd = -1, wr = -1;
    const pid_t self = getpid();
    run_result r = s->run_here([&] {
        rd = syscall(SYS_process_vm_readv, self, &l, 1, &rm, 1, 0);
        wr = syscall(SYS_process_vm_writev, self, &src, 1, &rm, 1, 0);
    });
    ASSERT_EQ(rd, 6);
    ASSERT_EQ(wr, 6);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_PROCESS_VM_READV_X, v));
    EXPECT_EQ(sint(v, "res"), 6);
    EXPECT_EQ(sint(v, "pid"), self);
    EXPECT_EQ(bytes(v, "data"), "secret");
    ASSERT_TRUE(find(r, PPME_SYSCALL_PROCESS_VM_WRITEV_X, v));
    EXPECT_EQ(sint(v, "res"), 6);
    EXPECT_EQ(bytes(v, "data"), "public");
}

TEST(DriverSafeArgs, PtraceAttachToNobody) {
    DRV_SESSION_OR_SKIP(s);
    constexpr long k_no_pid = 0x3fffffff;  // beyond any pid_max
    run_result r = s->run_here([] { syscall(SYS_ptrace, PTRACE_ATTACH, k_no_pid, 0, 0); });
    driver_bugs bugs;
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_PTRACE_X, v));
    EXPECT_EQ(sint(v, "res"), -ESRCH);
    EXPECT_EQ(sint(v, "pid"), k_no_pid);
    const uint64_t want = flag(scap_flags_ptrace_requests, "PTRACE_ATTACH");
    if (!bugs.seen(uint(v, "request") == PTRACE_ATTACH && want != PTRACE_ATTACH,
                   "ptrace request is the raw kernel number, not converted to ptrace_requests")) {
        EXPECT_EQ(uint(v, "request"), want);
    }
    DRV_SKIP_IF_DRIVER_BUGS(bugs);
}

// ptrace's addr and data are PT_DYN: a PEEK request reports the word it read (the raw syscall
// stores it at the data pointer), a resuming request the signal it delivers.
volatile uint64_t g_peek_me = 0x1122334455667788ull;

std::string dyn_u64(uint64_t v) {
    std::string out(1, '\0');
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
    return out;
}

TEST(DriverSafeArgs, PtracePeekAndContOnATracedChild) {
    DRV_SESSION_OR_SKIP(s);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        raise(SIGSTOP);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSTOPPED(status));
    uint64_t word = 0;
    long peek = -1, cont = -1;
    run_result r = s->run_here([&] {
        peek = syscall(SYS_ptrace, PTRACE_PEEKDATA, child, &g_peek_me, &word);
        cont = syscall(SYS_ptrace, PTRACE_CONT, child, 0, 0);
    });
    waitpid(child, &status, 0);
    ASSERT_EQ(peek, 0);
    ASSERT_EQ(cont, 0);
    ASSERT_EQ(word, g_peek_me);
    int seen = 0;
    for (const owned_event* e : r.all(PPME_SYSCALL_PTRACE_X)) {
        const scap::event_view v = e->view();
        EXPECT_EQ(sint(v, "res"), 0);
        EXPECT_EQ(sint(v, "pid"), child);
        if (uint(v, "request") == flag(scap_flags_ptrace_requests, "PTRACE_PEEKDATA")) {
            EXPECT_EQ(bytes(v, "addr"), dyn_u64(reinterpret_cast<uintptr_t>(&g_peek_me)));
            EXPECT_EQ(bytes(v, "data"), dyn_u64(0x1122334455667788ull));
            ++seen;
        } else if (uint(v, "request") == flag(scap_flags_ptrace_requests, "PTRACE_CONT")) {
            EXPECT_EQ(bytes(v, "data"), std::string("\x01\x00", 2));  // signal 0
            ++seen;
        }
    }
    EXPECT_EQ(seen, 2);
}

TEST(DriverSafeArgs, CloneAsGlibcForkUsesIt) {
    DRV_SESSION_OR_SKIP(s);
    pid_t gc = -1;
    run_result r = s->run_here([&] {
        gc = fork();  // glibc: clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD)
        if (gc == 0) _exit(0);
        waitpid(gc, nullptr, 0);
    });
    ASSERT_GT(gc, 0);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_CLONE_20_X, v));
    EXPECT_EQ(sint(v, "res"), gc);
    EXPECT_EQ(sint(v, "pid"), getpid());
    const uint64_t want = flag(scap_flags_clone_flags, "CLONE_CHILD_SETTID") |
                          flag(scap_flags_clone_flags, "CLONE_CHILD_CLEARTID");
    EXPECT_EQ(uint(v, "flags") & want, want);
    ASSERT_TRUE(find(r, PPME_SYSCALL_CLONE_20_X, v, static_cast<uint64_t>(gc)));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(sint(v, "ptid"), getpid());
}

}  // namespace
}  // namespace drvtest
