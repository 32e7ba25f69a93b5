// The modern eBPF driver's in-kernel pre-filter (proposal 0011) against the real kernel: events
// that fail their code's rule never arrive and are counted as pre-filtered, the others arrive
// intact; rules change while the engine runs; a thread renamed after capture started still
// passes comm conditions on the name userspace knows.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "modern_bpf_live.h"
#include "scap/scap.h"

namespace {

using namespace std::chrono_literals;

std::unique_ptr<scap::engine> open_live(const scap::prefilter& pf) {
    scap::modern_bpf_options o;
    o.proc_snapshot = false;
    o.pre_filter = pf;
    return drvtest::open_modern_bpf(std::move(o));
}

uint32_t my_tid() {
    return static_cast<uint32_t>(syscall(SYS_gettid));
}

struct seen {
    uint16_t type;
    uint32_t tid;
    int64_t ret;
};

// Every read-family event delivered within `budget` (any thread), with its return value.
std::vector<seen> drain(scap::engine& e, std::chrono::milliseconds budget) {
    std::vector<seen> out;
    const auto end = std::chrono::steady_clock::now() + budget;
    scap::event_ref ref;
    while (std::chrono::steady_clock::now() < end) {
        if (e.next(ref) != scap::status::ok) continue;
        const scap::event_view v = ref.view();
        const uint16_t t = v.type();
        if (t != PPME_SYSCALL_READ_X && t != PPME_SYSCALL_WRITE_X && t != PPME_SYSCALL_PREAD_X) continue;
        out.push_back({t, static_cast<uint32_t>(v.tid()), v.param(0).as<int64_t>()});
    }
    return out;
}

size_t count(const std::vector<seen>& s, uint16_t type, uint32_t tid, bool failed) {
    size_t n = 0;
    for (const seen& x : s) n += x.type == type && x.tid == tid && (x.ret < 0) == failed;
    return n;
}

std::string my_comm() {
    char buf[32] = {};
    FILE* f = std::fopen("/proc/thread-self/comm", "r");
    if (!f) return "";
    if (!std::fgets(buf, sizeof buf, f)) buf[0] = 0;
    std::fclose(f);
    std::string s(buf);
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

void preads(int fd, int n) {
    char b;
    for (int i = 0; i < n; ++i) (void)!pread(fd, &b, 1, 0);
}

TEST(ModernBpfPrefilter, ReturnValueIdsAndNever) {
    SKIP_UNLESS_LIVE();
    scap::prefilter pf;
    pf.rules.resize(PPM_EVENT_MAX);
    pf.rules[PPME_SYSCALL_READ_X].tids = {my_tid()};
    pf.rules[PPME_SYSCALL_READ_X].ret_min = 0;
    pf.rules[PPME_SYSCALL_WRITE_X].never = true;
    pf.rules[PPME_SYSCALL_PREAD_X].pids = {static_cast<uint32_t>(getpid())};
    pf.rules[PPME_SYSCALL_PREAD_X].ret_max = -1;
    auto e = open_live(pf);
    ASSERT_NE(e, nullptr);

    const int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    ASSERT_GE(zero, 0);
    ASSERT_GE(null, 0);
    char b;
    for (int i = 0; i < 20; ++i) ASSERT_EQ(read(zero, &b, 1), 1);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(read(-1, &b, 1), -1);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(write(null, "x", 1), 1);
    preads(zero, 4);
    preads(-1, 3);
    close(zero);
    close(null);
    const std::vector<seen> got = drain(*e, 2000ms);

    EXPECT_GE(count(got, PPME_SYSCALL_READ_X, my_tid(), false), 20u);
    EXPECT_EQ(count(got, PPME_SYSCALL_READ_X, my_tid(), true), 0u);
    EXPECT_EQ(count(got, PPME_SYSCALL_PREAD_X, my_tid(), true), 3u);
    EXPECT_EQ(count(got, PPME_SYSCALL_PREAD_X, my_tid(), false), 0u);
    for (const seen& s : got) {
        EXPECT_NE(s.type, PPME_SYSCALL_WRITE_X) << "a write passed a rule that drops every write";
        if (s.type == PPME_SYSCALL_READ_X) {
            EXPECT_EQ(s.tid, my_tid()) << "another thread's read passed";
        }
    }
    scap::engine_stats st;
    e->get_stats(st);
    EXPECT_GE(st.n_prefiltered, 5u + 5u + 4u);
    EXPECT_EQ(st.n_drops, 0u) << "pre-filtered events are not drops";
}

TEST(ModernBpfPrefilter, CommRulesChangeLiveAndFollowRenamedThreads) {
    SKIP_UNLESS_LIVE();
    const std::string comm = my_comm();
    ASSERT_FALSE(comm.empty());
    scap::prefilter pf;
    pf.rules.resize(PPM_EVENT_MAX);
    pf.rules[PPME_SYSCALL_PREAD_X].comms = {{"no-such-comm", false}};
    auto e = open_live(pf);
    ASSERT_NE(e, nullptr);
    const int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(zero, 0);

    preads(zero, 3);
    EXPECT_EQ(count(drain(*e, 1500ms), PPME_SYSCALL_PREAD_X, my_tid(), false), 0u);

    // This thread's own name, now as a prefix: its preads pass.
    pf.rules[PPME_SYSCALL_PREAD_X].comms = {{"no-such-comm", false}, {comm.substr(0, 4), true}};
    ASSERT_EQ(e->set_prefilter(pf), scap::status::ok) << e->last_error();
    preads(zero, 3);
    EXPECT_EQ(count(drain(*e, 1500ms), PPME_SYSCALL_PREAD_X, my_tid(), false), 3u);

    // Exact name; then the thread renames itself: userspace still calls it `comm` (no event says
    // otherwise), so its events must still pass although the kernel's comm no longer matches.
    pf.rules[PPME_SYSCALL_PREAD_X].comms = {{comm, false}};
    ASSERT_EQ(e->set_prefilter(pf), scap::status::ok) << e->last_error();
    ASSERT_EQ(prctl(PR_SET_NAME, "pf-renamed", 0, 0, 0), 0);
    preads(zero, 3);
    const size_t after_rename = count(drain(*e, 1500ms), PPME_SYSCALL_PREAD_X, my_tid(), false);
    ASSERT_EQ(prctl(PR_SET_NAME, comm.c_str(), 0, 0, 0), 0);
    EXPECT_EQ(after_rename, 3u);
    close(zero);
}

}  // namespace
