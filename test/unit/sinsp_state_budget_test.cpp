// The state budget (inspector_options::max_state_bytes, proposal 0012): a host of many made-up
// processes, then a stream of short-lived and idle ones, replayed with a budget far below what the
// state would hold. The estimate must stay under the budget after every event, what is evicted
// must be counted, the event's own thread must survive, an evicted thread seen again must come
// back, verdicts cached per epoch must be invalidated, and without a budget nothing is evicted.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "../../benchmark/synthetic_processes.h"
#include "event_builder.h"
#include "event_feeder.h"
#include "sinsp/inspector.h"
#include "test_paths.h"

namespace {

using scap::test::bytes;
using scap::test::make_event;
using scap::test::str;
using scap::test::val;

using feeder = scap::test::event_feeder;

constexpr int64_t k_parent = 100;
constexpr uint64_t k_first_child = 100000;

bytes clone_in_parent(int64_t child, uint64_t ts) {
    return make_event(PPME_SYSCALL_CLONE_20_X, k_parent,
                      {{"res", val<int64_t>(child)},
                       {"exe", str("/bin/sh")},
                       {"args", str("")},
                       {"tid", val<int64_t>(k_parent)},
                       {"pid", val<int64_t>(k_parent)},
                       {"ptid", val<int64_t>(1)},
                       {"cwd", str("/")},
                       {"comm", str("sh")}},
                      ts);
}

// Every child runs its own program with its own environment, so strings do not dedupe away.
bytes execve_in(uint64_t tid, uint64_t ts, const std::string& env_tail = "") {
    const std::string n = std::to_string(tid);
    std::string env = "HOME=/home/u" + n + '\0' + "SESSION=" + std::string(64, 'a' + tid % 26) + n;
    env += env_tail;
    return make_event(PPME_SYSCALL_EXECVE_19_X, tid,
                      {{"res", val<int64_t>(0)},
                       {"exe", str("/usr/lib/app/bin/program-" + n)},
                       {"args", str("--job=" + n + "--with-a-long-enough-argument")},
                       {"env", str(env)},
                       {"pid", val<int64_t>(static_cast<int64_t>(tid))},
                       {"ptid", val<int64_t>(k_parent)},
                       {"cwd", str("/var/lib/jobs/" + n)},
                       {"comm", str("program-" + n)},
                       {"trusted_exepath", str("/usr/lib/app/bin/program-" + n)}},
                      ts);
}

bytes openat_in(uint64_t tid, uint64_t ts, int64_t fd, const std::string& name) {
    return make_event(PPME_SYSCALL_OPENAT_2_X, tid,
                      {{"fd", val<int64_t>(fd)}, {"dirfd", val<int64_t>(-100)}, {"name", str(name)}}, ts);
}

bytes exit_of(uint64_t tid, uint64_t ts) {
    return make_event(PPME_PROCEXIT_1_E, tid, {}, ts);
}

// The synthetic host: processes with ~1 KB environments, a few fds each.
scap::snapshot host() {
    synthetic::shape sh;
    sh.processes = 1500;
    sh.threads = 1600;
    sh.fds = 6000;
    scap::snapshot snap = synthetic::make_snapshot(sh);
    scap::process_info p;
    p.tid = p.pid = k_parent;
    p.ptid = 1;
    p.comm = "sh";
    p.exe = p.exepath = "/bin/sh";
    p.cwd = "/";
    snap.upsert_process(std::move(p));
    return snap;
}

// The stream after the snapshot: child i is cloned, execs, opens three files; one child in three
// exits, the others stay (idle) until evicted.
template <typename F>
void children(uint64_t n, F&& each_event) {
    uint64_t ts = 1'000'000;
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t tid = k_first_child + i;
        each_event(clone_in_parent(static_cast<int64_t>(tid), ++ts));
        each_event(execve_in(tid, ++ts));
        for (int64_t fd = 3; fd < 6; ++fd)
            each_event(
                openat_in(tid, ++ts, fd, "/srv/data/" + std::to_string(tid) + "/part-" + std::to_string(fd)));
        if (i % 3 == 0) each_event(exit_of(tid, ++ts));
    }
}

constexpr size_t k_budget = 1u << 20;
// What one event may add beyond the budget: the threads the event needs are never evicted, so
// the largest single entry here (one child with its strings and fd table) is the slack.
constexpr size_t k_entry_slack = 8u << 10;

TEST(SinspStateBudget, EstimateStaysUnderTheBudgetAndEvictionsAreCounted) {
    sinsp::inspector_options o;
    o.max_state_bytes = k_budget;
    sinsp::inspector insp(o);
    feeder f(insp);
    insp.load_snapshot(host());
    EXPECT_LE(insp.state_bytes(), k_budget) << "the budget holds from the end of the snapshot load";
    EXPECT_GT(insp.stats().threads_evicted_for_memory, 0u) << "the host alone is over the budget";

    uint64_t events = 0, over = 0;
    uint64_t last_epoch = 0, evicted_before = 0, epoch_checks = 0;
    children(20000, [&](const bytes& b) {
        const sinsp::event& e = f.feed(b);
        ++events;
        if (insp.state_bytes() > k_budget + k_entry_slack) ++over;
        // The event's thread is never evicted from under it.
        ASSERT_NE(e.thread, nullptr);
        ASSERT_EQ(insp.threads().find(static_cast<int64_t>(e.tid())), e.thread);
        // An eviction during an event that changes no thread (an open) still gives it a new
        // epoch: verdicts cached per (thread address, epoch) must not outlive evicted threads.
        if (insp.stats().threads_evicted_for_memory != evicted_before &&
            e.type() == PPME_SYSCALL_OPENAT_2_X) {
            EXPECT_NE(e.thread_epoch, last_epoch) << "event " << e.num;
            ++epoch_checks;
        }
        evicted_before = insp.stats().threads_evicted_for_memory;
        last_epoch = e.thread_epoch;
    });
    EXPECT_EQ(over, 0u) << "events after which the estimate was past the budget and its slack";
    EXPECT_GT(epoch_checks, 0u) << "no eviction happened during an open: the epoch check tested nothing";

    const sinsp::state_stats& s = insp.stats();
    EXPECT_GT(s.threads_evicted_for_memory, 1000u);
    EXPECT_GT(s.fds_evicted, 1000u);
    EXPECT_GT(s.state_bytes_evicted, 4 * k_budget);
    EXPECT_LE(s.threads_evicted_for_memory, s.threads_evicted);
    EXPECT_LE(s.state_bytes_peak, k_budget + k_entry_slack);
    EXPECT_EQ(s.state_bytes, insp.state_bytes());
    // Every thread is accounted for: alive, reaped after its exit, or evicted.
    EXPECT_EQ(s.threads_created, insp.threads().size() + s.threads_removed + s.threads_evicted);
    // The most recent child is kept; the parent that keeps cloning too.
    EXPECT_NE(insp.threads().find(static_cast<int64_t>(k_first_child + 19999)), nullptr);
    EXPECT_NE(insp.threads().find(k_parent), nullptr);
    // The estimate follows the state as measured by visiting every table (no drift): within 5 %.
    const size_t walked = insp.memory().total();
    EXPECT_LE(insp.state_bytes(), walked + walked / 20);
    EXPECT_GE(insp.state_bytes(), walked - walked / 20);
}

TEST(SinspStateBudget, WithoutABudgetNothingIsEvicted) {
    sinsp::inspector insp;
    feeder f(insp);
    insp.load_snapshot(host());
    children(20000, [&](const bytes& b) { f.feed(b); });
    const sinsp::state_stats& s = insp.stats();
    EXPECT_EQ(s.threads_evicted, 0u);
    EXPECT_EQ(s.threads_evicted_for_memory, 0u);
    EXPECT_EQ(s.fds_evicted, 0u);
    EXPECT_EQ(s.state_bytes_evicted, 0u);
    // The same stream would have been over the budget many times over.
    EXPECT_GT(s.state_bytes_peak, 8 * k_budget);
    // And the estimate agrees with the walk without eviction as well.
    const size_t walked = insp.memory().total();
    EXPECT_LE(insp.state_bytes(), walked + walked / 20);
    EXPECT_GE(insp.state_bytes(), walked - walked / 20);
}

// The event's own thread, even the least recently active one, survives the eviction its event
// causes; a thread evicted earlier and seen again is made up again, as any unknown thread.
TEST(SinspStateBudget, EventThreadSurvivesAndEvictedThreadsComeBack) {
    sinsp::inspector_options o;
    o.max_state_bytes = k_budget;
    sinsp::inspector insp(o);
    feeder f(insp);
    uint64_t ts = 1'000'000;
    // No snapshot (the parent is made up at its first clone): fill up to 32 KiB under the budget
    // (above the low-water mark, so nothing was evicted yet) with children that do not exit.
    uint64_t n = 0, first_exec_ts = 0;
    while (insp.state_bytes() < k_budget - (32u << 10)) {
        const uint64_t tid = k_first_child + n++;
        f.feed(clone_in_parent(static_cast<int64_t>(tid), ++ts));
        f.feed(execve_in(tid, ++ts));
        if (n == 1) first_exec_ts = ts;
        ASSERT_LT(n, 100000u);
    }
    ASSERT_GT(n, 100u);
    const uint64_t evicted_before = insp.stats().threads_evicted_for_memory;
    ASSERT_EQ(evicted_before, 0u);
    // The first child is now the least recently active live thread. Its exec brings a 60 KB
    // environment (parameters have 16-bit lengths): the state goes over, and everything but this
    // thread (and its parent) is a candidate.
    const int64_t oldest = static_cast<int64_t>(k_first_child);
    ASSERT_NE(insp.threads().find(oldest), nullptr);
    std::string big;
    for (int k = 0; big.size() < 60000; ++k)
        big += '\0' + std::string("BIG") + std::to_string(k) + "=" + std::string(100, 'x');
    // The event carries the time of the thread's previous one (events from different CPUs
    // interleave), so the thread stays the least recently active: first in line but for the rule
    // that the event's own thread is never evicted.
    const sinsp::event& e = f.feed(execve_in(static_cast<uint64_t>(oldest), first_exec_ts, big));
    ASSERT_GT(insp.stats().threads_evicted_for_memory, evicted_before)
        << "the exec should have caused evictions";
    ASSERT_NE(e.thread, nullptr);
    EXPECT_EQ(insp.threads().find(oldest), e.thread);
    EXPECT_EQ(insp.str(e.thread->comm), "program-" + std::to_string(oldest));
    EXPECT_NE(insp.threads().find(k_parent), nullptr) << "the event's parent is kept";
    EXPECT_LE(insp.state_bytes(), k_budget);

    // Child 1 was idle since its exec: evicted. Seen again, it comes back incomplete, with only
    // what its new event says.
    const int64_t again = static_cast<int64_t>(k_first_child + 1);
    ASSERT_EQ(insp.threads().find(again), nullptr);
    const uint64_t incomplete_before = insp.stats().threads_incomplete;
    const sinsp::event& back = f.feed(openat_in(static_cast<uint64_t>(again), ++ts, 7, "/srv/again"));
    ASSERT_NE(back.thread, nullptr);
    EXPECT_EQ(back.thread->tid, again);
    EXPECT_TRUE(back.thread->state & sinsp::k_thread_incomplete);
    EXPECT_EQ(insp.stats().threads_incomplete, incomplete_before + 1);
    ASSERT_NE(back.fd, nullptr);
    EXPECT_EQ(back.fd->name, "/srv/again");
    EXPECT_EQ(back.thread->fds->size(), 1u) << "the evicted fd table does not come back";
    // Its exec fills it in again.
    f.feed(execve_in(static_cast<uint64_t>(again), ++ts));
    EXPECT_EQ(insp.str(insp.threads().find(again)->comm), "program-" + std::to_string(again));
}

// On every shared capture (real connects, binds and datagrams naming fds in place, forks copying
// fd tables, execs, exits), the O(1) estimate agrees with the walk of every table, every 4,096
// events and at the end: the counters follow the state without drift.
TEST(SinspStateBudget, EstimateAgreesWithTheWalkOnRealCaptures) {
    for (const char* name :
         {"falco_connect_localhost.scap", "libs_curl_google.scap", "falco_ping_sendto.scap",
          "libs_single_ipv6_conn.scap", "reference_mixed_2M.scap.gz"}) {
        sinsp::inspector insp;
        std::string error;
        ASSERT_EQ(insp.open_file(scap_test::capture(name), error), scap::status::ok) << name << ": " << error;
        const sinsp::event* e = nullptr;
        size_t checks = 0;
        auto agree = [&] {
            const size_t walked = insp.memory().total(), estimate = insp.state_bytes();
            EXPECT_LE(estimate, walked + walked / 20) << name << " event " << insp.stats().events;
            EXPECT_GE(estimate, walked - walked / 20) << name << " event " << insp.stats().events;
            ++checks;
        };
        while (insp.next(e) == scap::status::ok)
            if ((insp.stats().events & 4095) == 0) agree();
        agree();
        EXPECT_EQ(insp.stats().state_bytes, insp.state_bytes()) << name;
        EXPECT_GE(insp.stats().state_bytes_peak, insp.stats().state_bytes) << name;
        EXPECT_GT(checks, 0u);
    }
}

}  // namespace

// fd.nameraw's storage: one pointer in every fd, the text only when an fd has one; copies (a
// fork's fd table) own their own text, and the budget counts what it holds.
TEST(SinspStateBudget, RareStringCopiesItsTextAndCountsItsHeap) {
    sinsp::rare_string empty;
    EXPECT_TRUE(empty.empty());
    EXPECT_EQ(empty.view(), "");
    EXPECT_EQ(empty.heap_bytes(), 0u);
    EXPECT_EQ(sizeof(sinsp::rare_string), sizeof(void*));

    sinsp::rare_string s;
    s = std::string_view("a/../b");
    EXPECT_FALSE(s.empty());
    EXPECT_EQ(s.view(), "a/../b");
    EXPECT_EQ(s.heap_bytes(), sizeof(std::string));  // short: inside the string object
    const std::string long_path(40, 'x');
    s = std::string_view(long_path);
    EXPECT_EQ(s.view(), long_path);
    EXPECT_GE(s.heap_bytes(), sizeof(std::string) + 41);

    sinsp::rare_string copy = s;
    copy = std::string_view("other");
    EXPECT_EQ(s.view(), long_path) << "a copy shares no text with its original";
    sinsp::rare_string moved = std::move(copy);
    EXPECT_EQ(moved.view(), "other");
    moved = std::string_view();
    EXPECT_TRUE(moved.empty());
    EXPECT_EQ(moved.heap_bytes(), 0u);

    sinsp::fd_info f;
    f.name = "/tmp/b";
    f.name_raw = std::string_view(long_path);
    EXPECT_EQ(sinsp::fd_string_bytes(f), f.name_raw.heap_bytes());
    sinsp::fd_table t;
    t.set(3, std::move(f));
    const sinsp::fd_table forked(t);
    ASSERT_NE(forked.find(3), nullptr);
    EXPECT_EQ(forked.find(3)->name_raw.view(), long_path);
    EXPECT_EQ(forked.bytes(), t.bytes());
}
