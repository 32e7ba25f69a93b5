// Address-space syscalls (mmap, mprotect, munmap, brk: converted prot/map flags and the
// process's memory figures) and sleeps (nanosleep's interval, clock_nanosleep as generic).
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "event_asserts.h"

namespace drvtest {
namespace {

TEST(DriverMemory, MmapMprotectMunmap) {
    DRV_SESSION_OR_SKIP(s);
    const size_t len = 64 * 4096;
    void* addr = MAP_FAILED;
    long prot_res = -1, unmap_res = -1, bad = 0;
    run_result r = s->run_here([&] {
        addr = reinterpret_cast<void*>(
            syscall(SYS_mmap, nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        prot_res = syscall(SYS_mprotect, addr, len, PROT_READ);
        unmap_res = syscall(SYS_munmap, addr, len);
        bad = syscall(SYS_mmap, nullptr, len, PROT_READ, MAP_PRIVATE, 999, 0);
    });
    ASSERT_NE(addr, MAP_FAILED);
    ASSERT_EQ(prot_res, 0);
    ASSERT_EQ(unmap_res, 0);
    const uint64_t a = reinterpret_cast<uint64_t>(addr);
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_MMAP_X, [](const scap::event_view& e) { return sint(e, "fd") == -1; }, v));
    EXPECT_EQ(uint(v, "res"), a);
    EXPECT_GE(uint(v, "vm_size"), len / 1024);  // KiB, the new mapping included
    EXPECT_GT(uint(v, "vm_rss"), 0u);
    EXPECT_EQ(uint(v, "addr"), 0u);
    EXPECT_EQ(uint(v, "length"), len);
    EXPECT_EQ(uint(v, "prot"),
              flag(scap_flags_prot_flags, "PROT_READ") | flag(scap_flags_prot_flags, "PROT_WRITE"));
    EXPECT_EQ(uint(v, "flags"),
              flag(scap_flags_mmap_flags, "MAP_PRIVATE") | flag(scap_flags_mmap_flags, "MAP_ANONYMOUS"));
    EXPECT_EQ(uint(v, "offset"), 0u);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_MMAP_X, [](const scap::event_view& e) { return sint(e, "fd") == 999; }, v));
    EXPECT_EQ(sint(v, "res"), -EBADF);
    EXPECT_EQ(uint(v, "flags"), flag(scap_flags_mmap_flags, "MAP_PRIVATE"));

    ASSERT_TRUE(find(r, PPME_SYSCALL_MPROTECT_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_EQ(uint(v, "addr"), a);
    EXPECT_EQ(uint(v, "length"), len);
    EXPECT_EQ(uint(v, "prot"), flag(scap_flags_prot_flags, "PROT_READ"));

    ASSERT_TRUE(find(r, PPME_SYSCALL_MUNMAP_X, v));
    EXPECT_EQ(sint(v, "res"), 0);
    EXPECT_GT(uint(v, "vm_size"), 0u);
    EXPECT_EQ(uint(v, "addr"), a);
    EXPECT_EQ(uint(v, "length"), len);
}

TEST(DriverMemory, BrkGrowsTheHeap) {
    DRV_SESSION_OR_SKIP(s);
    int report[2];
    ASSERT_EQ(pipe(report), 0);
    // In a child: moving the break under this process's malloc is not ours to do.
    run_result r = s->run_in_child([&] {
        const long cur = syscall(SYS_brk, 0);
        const long grown = syscall(SYS_brk, cur + 8 * 4096);
        const long vals[2] = {cur, grown};
        (void)!write(report[1], vals, sizeof vals);
        return 0;
    });
    long vals[2] = {};
    ASSERT_EQ(read(report[0], vals, sizeof vals), static_cast<ssize_t>(sizeof vals));
    close(report[0]);
    close(report[1]);
    ASSERT_EQ(vals[1], vals[0] + 8 * 4096);
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_BRK_4_X, [](const scap::event_view& e) { return uint(e, "addr") == 0; }, v));
    EXPECT_EQ(uint(v, "res"), static_cast<uint64_t>(vals[0]));
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_BRK_4_X, [](const scap::event_view& e) { return uint(e, "addr") != 0; }, v));
    EXPECT_EQ(uint(v, "res"), static_cast<uint64_t>(vals[1]));
    EXPECT_EQ(uint(v, "addr"), static_cast<uint64_t>(vals[1]));
    EXPECT_GT(uint(v, "vm_size"), 0u);
    EXPECT_GT(uint(v, "vm_rss"), 0u);
}

TEST(DriverSleep, NanosleepAndClockNanosleep) {
    DRV_SESSION_OR_SKIP(s);
    const timespec ts{0, 1500000};
    run_result r = s->run_here([&] {
        syscall(SYS_nanosleep, &ts, nullptr);
        syscall(SYS_nanosleep, nullptr, nullptr);
        syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, nullptr);
    });
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_NANOSLEEP_X, [](const scap::event_view& e) { return sint(e, "res") == 0; }, v));
    EXPECT_EQ(uint(v, "interval"), 1500000u);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_NANOSLEEP_X, [](const scap::event_view& e) { return sint(e, "res") != 0; }, v));
    EXPECT_EQ(sint(v, "res"), -EFAULT);
    ASSERT_TRUE(find_if(
        r, PPME_GENERIC_X,
        [](const scap::event_view& e) { return e.param(0).as<uint16_t>() == PPM_SC_CLOCK_NANOSLEEP; }, v));
    EXPECT_EQ(v.param(1).as<uint16_t>(), SYS_clock_nanosleep);
}

}  // namespace
}  // namespace drvtest
