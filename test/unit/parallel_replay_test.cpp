// Reading on a second thread (inspector_options::threads = 2, batches handed over a ring) must be
// invisible: every shared capture gives the same events in the same order, with the same state
// and the same field values, as reading on one thread. Both inspectors run in lockstep and each
// event is compared as it comes: raw bytes, number, cpu, thread, fd, and the text of every field
// that needs no argument (a lean set for the 2M-event capture, to keep the test short).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "savefile/block_types.h"
#include "savefile/metadata_reader.h"
#include "savefile_blocks.h"
#include "scap/batch_reader.h"
#include "scap/savefile.h"
#include "sinsp/fields.h"
#include "sinsp/filter.h"
#include "sinsp/formatter.h"
#include "sinsp/inspector.h"
#include "gzip_bytes.h"
#include "test_paths.h"

namespace {

// Every field that takes no argument, separated by a byte no value contains.
std::string every_field_format() {
    sinsp::field_catalog catalog;
    std::string fmt = "*";
    catalog.for_each_field([&](const sinsp::filter::field_descriptor& d) {
        if (d.flags & sinsp::filter::FIELD_ARG_REQUIRED) return;
        fmt += "%" + d.name + "\x1f";
    });
    return fmt;
}

constexpr const char* k_lean_format =
    "*%evt.num %evt.time %evt.cpu %evt.type %evt.res %thread.tid %proc.pid %proc.name %proc.exepath "
    "%fd.num %fd.name %fd.type %user.name";

struct lockstep_result {
    uint64_t events = 0;
    uint64_t matched = 0;  // of the filter, by the parallel side
};

// Under ASan/UBSan (a Debug build, ~20 times slower) the 2M-event capture is compared over its
// first events only; the test says so in its output.
#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t k_big_capture_events = 300000;
#else
constexpr uint64_t k_big_capture_events = 0;  // all
#endif

// Replays `path` on one thread and with `par` side by side; fails at the first difference.
// `max_events`: stop after that many (0: the whole capture).
lockstep_result compare_replays(const std::string& path, sinsp::inspector_options par,
                                const std::string& format, uint64_t max_events = 0) {
    lockstep_result r;
    sinsp::inspector_options one;
    one.threads = 1;
    sinsp::inspector a(one), b(par);
    std::string err;
    EXPECT_EQ(a.open_file(path, err), scap::status::ok) << err;
    EXPECT_EQ(b.open_file(path, err), scap::status::ok) << err;
    EXPECT_EQ(a.reading_threads(), 1u);
    EXPECT_GE(b.reading_threads(), 2u);
    sinsp::field_catalog fa, fb;
    sinsp::event_formatter fmt_a(format, fa), fmt_b(format, fb);
    auto filt_a = sinsp::filter::compile("evt.type=openat and proc.name contains load", fa);
    auto filt_b = sinsp::filter::compile("evt.type=openat and proc.name contains load", fb);
    std::string la, lb;
    for (;;) {
        const sinsp::event *ea = nullptr, *eb = nullptr;
        const scap::status sa = a.next(ea), sb = b.next(eb);
        if (sa != sb) {
            ADD_FAILURE() << path << ": status " << static_cast<int>(sa) << " vs " << static_cast<int>(sb)
                          << " after " << r.events << " events (" << a.last_error() << " / " << b.last_error()
                          << ")";
            return r;
        }
        if (sa == scap::status::eof || (max_events && r.events == max_events)) break;
        if (sa == scap::status::error) {
            EXPECT_EQ(a.last_error(), b.last_error());
            break;
        }
        ++r.events;
        const uint32_t len = ea->view.len();
        if (len != eb->view.len() || std::memcmp(ea->view.raw(), eb->view.raw(), len) != 0 ||
            ea->num != eb->num || ea->cpu != eb->cpu || ea->block_flags != eb->block_flags ||
            ea->fd_num != eb->fd_num || (ea->thread == nullptr) != (eb->thread == nullptr) ||
            (ea->fd == nullptr) != (eb->fd == nullptr)) {
            ADD_FAILURE() << path << ": event " << r.events << " differs (type " << ea->type() << " vs "
                          << eb->type() << ", tid " << ea->tid() << " vs " << eb->tid() << ")";
            return r;
        }
        const sinsp::event_context ca{ea, &a}, cb{eb, &b};
        la.clear();
        lb.clear();
        fmt_a.format(ca, la);
        fmt_b.format(cb, lb);
        if (la != lb) {
            ADD_FAILURE() << path << ": event " << r.events << " fields differ:\n  one thread: " << la
                          << "\n  two threads: " << lb;
            return r;
        }
        const bool ma = filt_a->matches(ca);
        if (ma != filt_b->matches(cb)) {
            ADD_FAILURE() << path << ": event " << r.events << " filter result differs";
            return r;
        }
        r.matched += ma;
    }
    // The state both ended with.
    EXPECT_EQ(a.threads().size(), b.threads().size()) << path;
    EXPECT_EQ(a.stats().threads_created, b.stats().threads_created) << path;
    EXPECT_EQ(a.stats().fds_added, b.stats().fds_added) << path;
    EXPECT_EQ(a.stats().parse_errors, b.stats().parse_errors) << path;
    EXPECT_EQ(a.memory().total(), b.memory().total()) << path;
    return r;
}

bool is_big(const std::string& path) {
    return std::filesystem::file_size(path) > (4u << 20);
}

TEST(ParallelReplay, EveryCaptureSameAsOneThread) {
    const auto files = scap_test::shared_captures();
    ASSERT_GE(files.size(), 10u) << "shared captures not found in " << scap_test::captures_dir();
    const std::string all = every_field_format();
    sinsp::inspector_options two;
    two.threads = 2;
    uint64_t total = 0;
    for (const auto& f : files) {
        const bool big = is_big(f);
        if (big && k_big_capture_events)
            std::printf("note: sanitizer build: %s compared over its first %llu events\n", f.c_str(),
                        static_cast<unsigned long long>(k_big_capture_events));
        const auto r = compare_replays(f, two, big ? k_lean_format : all, big ? k_big_capture_events : 0);
        if (f.find("reference_mixed_2M") != std::string::npos) {
            EXPECT_EQ(r.events, k_big_capture_events ? k_big_capture_events : 2000076u);
            EXPECT_GT(r.matched, 0u);  // the benchmark filter matches something there
        }
        total += r.events;
        if (HasFailure()) return;
    }
    EXPECT_GT(total, k_big_capture_events ? k_big_capture_events : 2000076u);
}

// Tiny batches and a ring of 2: every batch boundary, pin and wrap-around is exercised.
TEST(ParallelReplay, TinyBatchesSameAsOneThread) {
    const std::string all = every_field_format();
    for (uint32_t per_batch : {1u, 3u, 7u}) {
        sinsp::inspector_options two;
        two.threads = 2;
        two.batch_events = per_batch;
        two.batch_ring = 2;
        for (const auto& f : scap_test::shared_captures()) {
            if (is_big(f)) continue;
            compare_replays(f, two, all);
            if (HasFailure()) return;
        }
    }
}

// A process list that comes after events (the reference's writers may append one) changes the
// engine's snapshot mid-stream: the reading thread waits for the consumer before reading it, and
// the result is still the one-thread result. Made by moving a real capture's first process-list
// block behind its fifth event block.
TEST(ParallelReplay, MetadataAfterEventsSameAsOneThread) {
    using namespace savefile_test;
    const bytes src = scap_test::read_plain(scap_test::capture("falco_cat_write.scap"));
    ASSERT_GT(src.size(), 100u);
    bytes head, moved, events;
    size_t at = 0;
    int event_blocks = 0;
    bool inserted = false;
    while (at + 8 <= src.size()) {
        uint32_t type, len;
        std::memcpy(&type, src.data() + at, 4);
        std::memcpy(&len, src.data() + at + 4, 4);
        ASSERT_GE(len, 12u);
        ASSERT_LE(at + len, src.size());
        const bytes blk(src.begin() + static_cast<long>(at), src.begin() + static_cast<long>(at + len));
        const bool is_event = scap::block::is_event(type);
        const bool is_proclist = scap::is_list_block(type) && type != scap::block::fdlist &&
                                 type != scap::block::fdlist_int && type != scap::block::fdlist_v2;
        if (is_proclist && moved.empty() && !is_event)
            moved = blk;
        else if (!is_event && events.empty())
            append(head, blk);
        else {
            append(events, blk);
            if (is_event && ++event_blocks == 5) append(events, moved), inserted = true;
        }
        at += len;
    }
    ASSERT_FALSE(moved.empty()) << "no process list in the capture";
    ASSERT_TRUE(inserted);
    bytes out = head;
    append(out, events);
    const std::string dir = scap_test::temp_dir("parallel_replay_late_metadata");
    const std::string path = dir + "/late_proclist.scap";
    write_file(path, out);

    sinsp::inspector_options two;
    two.threads = 2;
    two.batch_events = 2;  // the block falls inside a batch's reach, not at its edge
    const auto r = compare_replays(path, two, every_field_format());
    EXPECT_GT(r.events, 5u);
    // The engine did read it after events.
    std::string err;
    auto eng = scap::open_savefile({path, true, true}, err);
    ASSERT_TRUE(eng) << err;
    scap::event_ref ref;
    while (eng->next(ref) == scap::status::ok) {
    }
    scap::engine_stats st;
    eng->get_stats(st);
    uint64_t late = 0;
    for (const auto& [name, v] : st.extra)
        if (name == "metadata_blocks_after_events") late = v;
    EXPECT_EQ(late, 1u);
}

// Stopping early (scapdig -n, Ctrl-C) with batches still in flight ends the reading thread,
// gives every pinned buffer back and leaves the engine readable.
TEST(ParallelReplay, StopMidStreamReleasesEverything) {
    for (uint32_t ring : {2u, 8u}) {
        sinsp::inspector_options two;
        two.threads = 2;
        two.batch_ring = ring;
        sinsp::inspector insp(two);
        std::string err;
        ASSERT_EQ(insp.open_file(scap_test::capture("reference_mixed_2M.scap.gz"), err), scap::status::ok)
            << err;
        const sinsp::event* e = nullptr;
        for (int i = 0; i < 50000; ++i) ASSERT_EQ(insp.next(e), scap::status::ok);
        EXPECT_EQ(e->num, 50000u);
        insp.stop_reading();
        EXPECT_EQ(insp.next(e), scap::status::eof);
        scap::engine_stats st;
        insp.engine()->get_stats(st);
        EXPECT_GE(st.n_evts, 50000u);  // the reading thread may have gone further
    }
}

// An engine over memory cannot keep its buffers alive: every event is copied into the batch.
TEST(ParallelReplay, CopiedEventsSameAsViews) {
    using namespace savefile_test;
    const bytes src = scap_test::read_plain(scap_test::capture("libs_curl_google.scap"));
    std::string err;
    auto mem = scap::open_savefile_memory(src.data(), src.size(), {}, err);
    ASSERT_TRUE(mem) << err;
    auto file = scap::open_savefile({scap_test::capture("libs_curl_google.scap"), true, true}, err);
    ASSERT_TRUE(file) << err;
    scap::batch_reader_options ro;
    ro.events_per_batch = 5;
    ro.ring = 3;
    scap::batch_reader rm(*mem, ro), rf(*file, ro);
    uint64_t n = 0;
    const scap::event_batch *bm = rm.acquire(), *bf = rf.acquire();
    uint32_t im = 0, jf = 0;
    for (;;) {
        if (im == bm->count && bm->result == scap::status::ok) rm.release(bm), bm = rm.acquire(), im = 0;
        if (jf == bf->count && bf->result == scap::status::ok) rf.release(bf), bf = rf.acquire(), jf = 0;
        const bool end_m = im == bm->count, end_f = jf == bf->count;
        ASSERT_EQ(end_m, end_f) << "after " << n << " events";
        if (end_m) break;
        const scap::event_view vm = bm->events[im++].view(), vf = bf->events[jf++].view();
        ASSERT_EQ(vm.len(), vf.len());
        ASSERT_EQ(std::memcmp(vm.raw(), vf.raw(), vm.len()), 0) << "event " << n;
        ++n;
    }
    EXPECT_EQ(bm->result, scap::status::eof);
    EXPECT_EQ(bf->result, scap::status::eof);
    EXPECT_GT(n, 900u);        // 939 events
    EXPECT_EQ(bm->npins, 0u);  // memory input: nothing to pin, all copies
    rm.release(bm);
    rf.release(bf);
}

}  // namespace
