// Data-moving syscalls (data up to the snaplen, sizes, positions) and the fd-creating ones
// (dup family, pipe2, eventfd2, signalfd4, timerfd, inotify, epoll, memfd) with their flags.
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "event_asserts.h"
#include "scratch_dir.h"

namespace drvtest {
namespace {

uint64_t ff(const char* name) {
    return flag(scap_flags_file_flags, name);
}

// Flags of fd-creating calls that have no access mode (dup3, pipe2, eventfd2, ...): the file_flags
// conversion must not invent O_RDONLY for the access-mode bits being 0.
void expect_fd_flags(const scap::event_view& v, uint64_t want) {
    EXPECT_EQ(uint(v, "flags"), want) << scap_event_table[v.type()].name;
}

TEST(DriverIo, ReadWriteCarryDataAndSizes) {
    DRV_SESSION_OR_SKIP(s);
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    char buf[64] = {};
    long wr = 0, rd = 0, bad = 0;
    run_result r = s->run_here([&] {
        wr = syscall(SYS_write, p[1], "hello driver", 12);
        rd = syscall(SYS_read, p[0], buf, sizeof buf);
        bad = syscall(SYS_read, 999, buf, 7);
    });
    close(p[0]);
    close(p[1]);
    ASSERT_EQ(wr, 12);
    ASSERT_EQ(rd, 12);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_WRITE_X, v));
    EXPECT_EQ(sint(v, "res"), 12);
    EXPECT_EQ(bytes(v, "data"), "hello driver");
    EXPECT_EQ(sint(v, "fd"), p[1]);
    EXPECT_EQ(uint(v, "size"), 12u);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_READ_X, [&](const scap::event_view& e) { return sint(e, "fd") == p[0]; }, v));
    EXPECT_EQ(sint(v, "res"), 12);
    EXPECT_EQ(bytes(v, "data"), "hello driver");  // what was read, not the whole buffer
    EXPECT_EQ(uint(v, "size"), sizeof buf);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_READ_X, [&](const scap::event_view& e) { return sint(e, "fd") == 999; }, v));
    EXPECT_EQ(sint(v, "res"), -EBADF);
    EXPECT_TRUE(param(v, "data").empty());
    EXPECT_EQ(uint(v, "size"), 7u);
}

TEST(DriverIo, DataIsCutAtTheSnaplen) {
    DRV_SESSION_OR_SKIP(s);
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    std::string big(3 * k_snaplen, 'x');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
    run_result r = s->run_here([&] { syscall(SYS_write, fd, big.data(), big.size()); });
    close(fd);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_WRITE_X, v));
    EXPECT_EQ(sint(v, "res"), static_cast<int64_t>(big.size()));
    EXPECT_EQ(bytes(v, "data"), big.substr(0, k_snaplen));
    EXPECT_EQ(uint(v, "size"), big.size());
}

TEST(DriverIo, PreadPwriteCarryPositions) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    const int fd = open((dir / "f").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    char buf[8] = {};
    long w = 0, rd = 0;
    run_result r = s->run_here([&] {
        w = syscall(SYS_pwrite64, fd, "abcdef", 6, 100);
        rd = syscall(SYS_pread64, fd, buf, 4, 102);
    });
    close(fd);
    ASSERT_EQ(w, 6);
    ASSERT_EQ(rd, 4);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_PWRITE_X, v));
    EXPECT_EQ(sint(v, "res"), 6);
    EXPECT_EQ(bytes(v, "data"), "abcdef");
    EXPECT_EQ(sint(v, "fd"), fd);
    EXPECT_EQ(uint(v, "size"), 6u);
    EXPECT_EQ(uint(v, "pos"), 100u);
    ASSERT_TRUE(find(r, PPME_SYSCALL_PREAD_X, v));
    EXPECT_EQ(sint(v, "res"), 4);
    EXPECT_EQ(bytes(v, "data"), "cdef");
    EXPECT_EQ(sint(v, "fd"), fd);
    EXPECT_EQ(uint(v, "size"), 4u);
    EXPECT_EQ(uint(v, "pos"), 102u);
}

TEST(DriverIo, ReadvWritevGatherTheIovecs) {
    DRV_SESSION_OR_SKIP(s);
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    char a[4] = {}, b[16] = {};
    iovec out[2] = {{const_cast<char*>("left-"), 5}, {const_cast<char*>("right"), 5}};
    iovec in[2] = {{a, sizeof a}, {b, sizeof b}};
    long w = 0, rd = 0;
    run_result r = s->run_here([&] {
        w = syscall(SYS_writev, p[1], out, 2);
        rd = syscall(SYS_readv, p[0], in, 2);
    });
    close(p[0]);
    close(p[1]);
    ASSERT_EQ(w, 10);
    ASSERT_EQ(rd, 10);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_WRITEV_X, v));
    EXPECT_EQ(sint(v, "res"), 10);
    EXPECT_EQ(bytes(v, "data"), "left-right");
    EXPECT_EQ(sint(v, "fd"), p[1]);
    EXPECT_EQ(uint(v, "size"), 10u);
    ASSERT_TRUE(find(r, PPME_SYSCALL_READV_X, v));
    EXPECT_EQ(sint(v, "res"), 10);
    EXPECT_EQ(uint(v, "size"), sizeof a + sizeof b);
    EXPECT_EQ(sint(v, "fd"), p[0]);
    // Only the bytes the kernel filled in (10 of the 20 offered) are data.
    EXPECT_EQ(bytes(v, "data"), "left-right");
}

TEST(DriverIo, DupFamily) {
    DRV_SESSION_OR_SKIP(s);
    long d1 = -1, d2 = -1, d3 = -1, bad = 0;
    run_result r = s->run_here([&] {
        d1 = syscall(SYS_dup, 0);
        d2 = syscall(SYS_dup2, 0, 150);
        d3 = syscall(SYS_dup3, 0, 151, O_CLOEXEC);
        bad = syscall(SYS_dup, 999);
    });
    for (long fd : {d1, d2, d3}) close(static_cast<int>(fd));
    ASSERT_GE(d1, 0);
    ASSERT_EQ(d2, 150);
    ASSERT_EQ(d3, 151);
    ASSERT_EQ(bad, -1);
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_DUP_1_X, [](const scap::event_view& e) { return sint(e, "oldfd") == 0; }, v));
    EXPECT_EQ(sint(v, "res"), d1);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_DUP_1_X, [](const scap::event_view& e) { return sint(e, "oldfd") == 999; }, v));
    EXPECT_EQ(sint(v, "res"), -EBADF);
    ASSERT_TRUE(find(r, PPME_SYSCALL_DUP2_X, v));
    EXPECT_EQ(sint(v, "res"), 150);
    EXPECT_EQ(sint(v, "oldfd"), 0);
    EXPECT_EQ(sint(v, "newfd"), 150);
    ASSERT_TRUE(find(r, PPME_SYSCALL_DUP3_X, v));
    EXPECT_EQ(sint(v, "res"), 151);
    EXPECT_EQ(sint(v, "oldfd"), 0);
    EXPECT_EQ(sint(v, "newfd"), 151);
    expect_fd_flags(v, ff("O_CLOEXEC"));
}

TEST(DriverIo, Pipe2FdsAndFlags) {
    DRV_SESSION_OR_SKIP(s);
    int p[2] = {-1, -1};
    long res = -1;
    run_result r = s->run_here([&] { res = syscall(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK); });
    struct stat st {};
    fstat(p[0], &st);
    close(p[0]);
    close(p[1]);
    ASSERT_EQ(res, 0);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_PIPE2_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    // The int[2] array holds two 4-byte fds.
    EXPECT_EQ(sint(v, "fd1"), p[0]);
    EXPECT_EQ(sint(v, "fd2"), p[1]);
    expect_fd_flags(v, ff("O_CLOEXEC") | ff("O_NONBLOCK"));
    EXPECT_EQ(uint(v, "ino"), st.st_ino);
}

TEST(DriverIo, EventfdSignalfdTimerfdInotifyEpollMemfd) {
    DRV_SESSION_OR_SKIP(s);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    long efd = -1, sfd = -1, tfd = -1, ifd = -1, epfd = -1, mfd = -1, bad_sfd = 0;
    run_result r = s->run_here([&] {
        efd = syscall(SYS_eventfd2, 7, EFD_CLOEXEC | EFD_NONBLOCK);
        sfd = syscall(SYS_signalfd4, -1, &mask, 8, SFD_CLOEXEC);  // the kernel sigset is 8 bytes
        bad_sfd = syscall(SYS_signalfd4, 999, &mask, 8, 0);
        tfd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0);
        ifd = syscall(SYS_inotify_init1, IN_CLOEXEC | IN_NONBLOCK);
        epfd = syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
        mfd = syscall(SYS_memfd_create, "drvtest-memfd", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    });
    for (long fd : {efd, sfd, tfd, ifd, epfd, mfd}) close(static_cast<int>(fd));
    for (long fd : {efd, sfd, tfd, ifd, epfd, mfd}) ASSERT_GE(fd, 0);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_EVENTFD2_X, v));
    EXPECT_EQ(sint(v, "res"), efd);
    expect_fd_flags(v, ff("O_CLOEXEC") | ff("O_NONBLOCK"));
    EXPECT_EQ(uint(v, "initval"), 7u);

    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_SIGNALFD4_X, [](const scap::event_view& e) { return sint(e, "fd") == -1; }, v));
    EXPECT_EQ(sint(v, "res"), sfd);
    expect_fd_flags(v, ff("O_CLOEXEC"));
    EXPECT_EQ(uint(v, "mask"), 1u << (SIGUSR2 - 1));
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_SIGNALFD4_X, [](const scap::event_view& e) { return sint(e, "fd") == 999; }, v));
    EXPECT_EQ(sint(v, "res"), -EBADF);

    ASSERT_TRUE(find(r, PPME_SYSCALL_TIMERFD_CREATE_X, v));
    EXPECT_EQ(sint(v, "res"), tfd);
    EXPECT_EQ(uint(v, "clockid"), static_cast<uint64_t>(CLOCK_MONOTONIC));
    EXPECT_EQ(uint(v, "flags"), 0u);

    ASSERT_TRUE(find(r, PPME_SYSCALL_INOTIFY_INIT1_X, v));
    EXPECT_EQ(sint(v, "res"), ifd);
    expect_fd_flags(v, ff("O_CLOEXEC") | ff("O_NONBLOCK"));

    ASSERT_TRUE(find(r, PPME_SYSCALL_EPOLL_CREATE1_X, v));
    EXPECT_EQ(sint(v, "res"), epfd);
    EXPECT_EQ(uint(v, "flags"), flag(scap_flags_epoll_create1_flags, "EPOLL_CLOEXEC"));

    ASSERT_TRUE(find(r, PPME_SYSCALL_MEMFD_CREATE_X, v));
    EXPECT_EQ(sint(v, "fd"), mfd);
    EXPECT_EQ(str(v, "name"), "drvtest-memfd");
    EXPECT_EQ(uint(v, "flags"), flag(scap_flags_memfd_create_flags, "MFD_CLOEXEC") |
                                    flag(scap_flags_memfd_create_flags, "MFD_ALLOW_SEALING"));
}

}  // namespace
}  // namespace drvtest
