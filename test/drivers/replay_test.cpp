// A capture written from live events reads back identical: the live engine's events go through
// scap::dumper into a file, the capture-file engine reads them, and every event compares byte
// for byte (and by CPU) with what was written.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "event_asserts.h"
#include "scap/scap.h"

namespace drvtest {
namespace {

class ReplayFile : public ::testing::TestWithParam<bool> {};

TEST_P(ReplayFile, LiveEventsRoundTripByteForByte) {
    DRV_SESSION_OR_SKIP(s);
    const bool gzip = GetParam();
    run_result r = s->run_in_child([] {
        const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        (void)!write(fd, "replayed", 8);
        close(fd);
        char* const argv[] = {const_cast<char*>("true"), const_cast<char*>("--replay"), nullptr};
        if (fork() == 0) {
            execv("/bin/true", argv);
            _exit(127);
        }
        return 0;
    });
    ASSERT_TRUE(r.complete);
    ASSERT_GT(r.events.size(), 5u);

    char path[] = "/tmp/scap_drvtest_replay_XXXXXX";
    const int tmp = mkstemp(path);
    ASSERT_GE(tmp, 0);
    close(tmp);
    std::string error;
    {
        auto d = scap::dumper::open(path, gzip, s->snapshot(), error);
        ASSERT_NE(d, nullptr) << error;
        for (const owned_event& e : r.events)
            ASSERT_EQ(d->write(reinterpret_cast<const scap::event_header*>(e.bytes.data()), e.cpu),
                      scap::status::ok)
                << d->last_error();
        ASSERT_EQ(d->close(), scap::status::ok) << d->last_error();
        EXPECT_EQ(d->events_written(), r.events.size());
    }

    scap::open_options opts;
    opts.kind = scap::engine_kind::savefile;
    opts.file.path = path;
    opts.file.convert = false;  // exactly what was stored
    auto file = scap::open_engine(opts, error);
    ASSERT_NE(file, nullptr) << error;
    scap::event_ref ref;
    size_t n = 0;
    scap::status st;
    while ((st = file->next(ref)) == scap::status::ok) {
        ASSERT_LT(n, r.events.size()) << "more events read than written";
        const owned_event& want = r.events[n];
        const scap::event_view v = ref.view();
        ASSERT_EQ(v.len(), want.bytes.size()) << "event " << n;
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.raw()), v.len()),
                  std::string(reinterpret_cast<const char*>(want.bytes.data()), want.bytes.size()))
            << "event " << n << " (" << scap_event_table[v.type()].name << ")";
        EXPECT_EQ(ref.cpu, want.cpu) << "event " << n;
        ++n;
    }
    EXPECT_EQ(st, scap::status::eof) << file->last_error();
    EXPECT_EQ(n, r.events.size());
    // The snapshot made it too: the same processes as the live engine's.
    const auto& live_procs = s->snapshot().processes;
    const auto& file_procs = file->get_snapshot().processes;
    ASSERT_EQ(file_procs.size(), live_procs.size());
    for (size_t i = 0; i < file_procs.size(); ++i) {
        EXPECT_EQ(file_procs[i].tid, live_procs[i].tid);
        EXPECT_EQ(file_procs[i].pid, live_procs[i].pid);
    }
    unlink(path);
}

INSTANTIATE_TEST_SUITE_P(Capture, ReplayFile, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "gzip" : "plain"; });

}  // namespace
}  // namespace drvtest
