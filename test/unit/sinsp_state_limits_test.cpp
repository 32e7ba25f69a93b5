// The state's bounds reached on purpose with long synthetic streams: the thread table (evictions)
// and the per-process fd tables (fds past the bound not tracked). Both are counted, nothing
// crashes, and the state's memory stops growing once the bound is reached.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "event_builder.h"
#include "event_feeder.h"
#include "sinsp/fields.h"
#include "sinsp/formatter.h"
#include "sinsp/inspector.h"

namespace {

using scap::test::bytes;
using scap::test::str;
using scap::test::val;

// An event of `type` with the named parameters; the others zero-sized or empty, as the schema
// has them.
bytes event_of(uint16_t type, uint64_t tid, uint64_t ts, const std::map<std::string, bytes>& params) {
    scap::test::event_builder b(type, tid, ts);
    const scap_event_info& info = scap_event_table[type];
    for (uint32_t i = 0; i < info.nparams; ++i) {
        auto it = params.find(info.params[i].name);
        if (it != params.end()) {
            b.param(it->second);
        } else if (const uint32_t n = scap_param_fixed_size(info.params[i].type)) {
            b.param(bytes(n, 0));
        } else {
            const uint8_t t = info.params[i].type;
            b.param(t == PT_CHARBUF || t == PT_FSPATH || t == PT_FSRELPATH ? str("") : bytes{});
        }
    }
    return b.build();
}

using state_feeder = scap::test::event_feeder;

// A process image per tid, every string distinct, so interned strings would pile up if evicted
// threads kept them.
bytes execve_of(uint64_t tid, uint64_t ts) {
    const std::string n = std::to_string(tid);
    return event_of(PPME_SYSCALL_EXECVE_19_X, tid, ts,
                    {{"res", val<int64_t>(0)},
                     {"exe", str("/usr/bin/prog" + n)},
                     {"args", str("--id=" + n)},
                     {"pid", val<int64_t>(static_cast<int64_t>(tid))},
                     {"ptid", val<int64_t>(1)},
                     {"cwd", str("/work/" + n)},
                     {"comm", str("prog" + n)},
                     {"trusted_exepath", str("/usr/bin/prog" + n)}});
}

bytes openat_of(uint64_t tid, uint64_t ts, int64_t fd, const std::string& name) {
    return event_of(PPME_SYSCALL_OPENAT_2_X, tid, ts,
                    {{"fd", val<int64_t>(fd)}, {"dirfd", val<int64_t>(-100)}, {"name", str(name)}});
}

TEST(SinspStateLimits, ThreadTableEvictsAndMemoryStopsGrowing) {
    sinsp::inspector_options o;
    o.max_threads = 1000;
    sinsp::inspector insp(o);
    state_feeder f(insp);
    sinsp::field_catalog fields;
    sinsp::event_formatter fmt("*%proc.name %proc.exepath %proc.cwd %proc.pname %fd.name", fields);
    std::string line;

    constexpr uint64_t k_threads = 30000;
    size_t memory_at_bound = 0, strings_at_bound = 0;
    for (uint64_t i = 0; i < k_threads; ++i) {
        const uint64_t tid = 10 + i, ts = 1000 + 3 * i;
        f.feed(execve_of(tid, ts));
        f.feed(openat_of(tid, ts + 1, 3, "/data/" + std::to_string(i)));
        const sinsp::event& e = f.feed(openat_of(tid, ts + 2, 4, "/data/b" + std::to_string(i)));
        line.clear();
        fmt.format({&e, &insp}, line);  // fields of a thread that may be evicted next
        ASSERT_LE(insp.threads().size(), o.max_threads) << "after " << i << " threads";
        if (i == 5 * o.max_threads) {
            memory_at_bound = insp.memory().total();
            strings_at_bound = insp.memory().strings;
        }
    }
    const auto& s = insp.stats();
    EXPECT_EQ(s.threads_created, k_threads);
    EXPECT_EQ(s.threads_evicted + insp.threads().size(), k_threads) << "every thread gone is counted";
    EXPECT_GT(s.threads_evicted, k_threads - o.max_threads - 1);
    // Bounded: after 6 times as many threads again, the state holds no more than at 5x the bound.
    const auto m = insp.memory();
    EXPECT_LE(m.total(), memory_at_bound + memory_at_bound / 10) << "state memory kept growing";
    EXPECT_LE(m.strings, strings_at_bound + strings_at_bound / 10) << "interned strings kept growing";
    EXPECT_LE(m.strings, 6 * o.max_threads);  // a handful of strings per live thread
}

TEST(SinspStateLimits, FdTableBoundRefusesNewFdsAndCountsThem) {
    sinsp::inspector_options o;
    o.max_fds_per_table = 256;
    sinsp::inspector insp(o);
    state_feeder f(insp);
    sinsp::field_catalog fields;
    sinsp::event_formatter fmt("*%fd.num %fd.name %fd.type %fd.directory", fields);
    std::string line;

    f.feed(execve_of(100, 1));
    constexpr int64_t k_fds = 20000;
    size_t memory_at_bound = 0;
    for (int64_t fd = 3; fd < 3 + k_fds; ++fd) {
        const sinsp::event& e = f.feed(openat_of(100, 10 + fd, fd, "/var/lib/file" + std::to_string(fd)));
        line.clear();
        fmt.format({&e, &insp}, line);  // an fd not tracked formats as unknown, no crash
        if (fd == 3 + 1000) memory_at_bound = insp.memory().total();
    }
    const sinsp::thread_info* t = insp.threads().find(100);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->fds->size(), o.max_fds_per_table);
    EXPECT_EQ(insp.stats().fds_refused, static_cast<uint64_t>(k_fds) - o.max_fds_per_table);
    EXPECT_LE(insp.memory().total(), memory_at_bound + memory_at_bound / 10) << "fd memory kept growing";
    // The first fds are the tracked ones; a refused one shows no fd on its events.
    ASSERT_NE(t->fds->find(3), nullptr);
    EXPECT_EQ(t->fds->find(3)->name, "/var/lib/file3");
    EXPECT_EQ(t->fds->find(3 + k_fds - 1), nullptr);
    const sinsp::event& later = f.feed(event_of(
        PPME_SYSCALL_READ_X, 100, 99999, {{"res", val<int64_t>(0)}, {"fd", val<int64_t>(3 + k_fds - 1)}}));
    EXPECT_EQ(later.fd, nullptr);

    // Replacing a tracked fd still works on a full table, and closing makes room again.
    f.feed(openat_of(100, 100000, 3, "/var/lib/replaced"));
    EXPECT_EQ(t->fds->find(3)->name, "/var/lib/replaced");
    f.feed(event_of(PPME_SYSCALL_CLOSE_X, 100, 100001, {{"res", val<int64_t>(0)}, {"fd", val<int64_t>(4)}}));
    f.feed(openat_of(100, 100002, 50000, "/var/lib/after-close"));
    ASSERT_NE(t->fds->find(50000), nullptr);
    EXPECT_EQ(t->fds->size(), o.max_fds_per_table);
}

// The snapshot's fds obey the same bound, counted the same way.
TEST(SinspStateLimits, SnapshotFdsBeyondTheBoundAreCountedToo) {
    sinsp::inspector_options o;
    o.max_fds_per_table = 10;
    sinsp::inspector insp(o);
    scap::snapshot snap;
    scap::process_info p;
    p.tid = p.pid = 200;
    p.comm = "many";
    for (int i = 0; i < 25; ++i) {
        scap::fd_info fd;
        fd.fd = i;
        fd.type = scap::fd_type::file_v2;
        fd.name = "/f" + std::to_string(i);
        p.fds.push_back(fd);
    }
    snap.processes.push_back(p);
    insp.load_snapshot(snap);
    const sinsp::thread_info* t = insp.threads().find(200);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->fds->size(), 10u);
    EXPECT_EQ(insp.stats().fds_refused, 15u);
    EXPECT_EQ(insp.stats().fds_added, 10u);
}

// max_state_bytes: past the budget the least useful threads go, and after every event the state
// is back under it; the thread table's own bound stays as it was. (More in
// sinsp_state_budget_test.cpp.)
TEST(SinspStateLimits, MemoryBudgetEvictsAndHoldsTheStateUnderIt) {
    sinsp::inspector_options o;
    o.max_state_bytes = 2u << 20;
    sinsp::inspector insp(o);
    state_feeder f(insp);
    sinsp::inspector unbounded;  // the same stream without a budget, for scale
    state_feeder g(unbounded);

    constexpr uint64_t k_threads = 40000;
    size_t over = 0;
    for (uint64_t i = 0; i < k_threads; ++i) {
        const uint64_t tid = 10 + i, ts = 1000 + 3 * i;
        for (const bytes& e : {execve_of(tid, ts), openat_of(tid, ts + 1, 3, "/data/" + std::to_string(i)),
                               openat_of(tid, ts + 2, 4, "/data/b" + std::to_string(i))}) {
            f.feed(e);
            g.feed(e);
            over += insp.state_bytes() > o.max_state_bytes;
        }
        if (i % 4096 == 0) {
            EXPECT_LE(insp.memory().total(), o.max_state_bytes) << "after event " << insp.stats().events;
        }
    }
    EXPECT_EQ(over, 0u) << "events after which the state was over its budget";
    const auto& s = insp.stats();
    EXPECT_GT(s.threads_evicted_for_memory, 0u);
    EXPECT_LE(s.threads_evicted_for_memory, s.threads_evicted);
    EXPECT_EQ(s.threads_evicted + insp.threads().size(), k_threads) << "every thread gone is counted";
    EXPECT_EQ(unbounded.stats().threads_evicted, 0u);
    EXPECT_GT(unbounded.memory().total(), 4 * o.max_state_bytes)
        << "the stream is too small to test a budget";
    EXPECT_LT(insp.memory().total(), 2 * o.max_state_bytes);
    // The most recent threads are the ones kept.
    EXPECT_NE(insp.threads().find(10 + k_threads - 1), nullptr);
    EXPECT_EQ(insp.threads().find(10), nullptr);
}

}  // namespace
