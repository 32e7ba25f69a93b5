// Files we write read back identically: events byte for byte, snapshot field for field, with
// and without gzip.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "scap/savefile.h"
#include "scap/snapshot.h"
#include "test_paths.h"

namespace {

using bytes = std::vector<uint8_t>;

struct captured {
    std::vector<bytes> events;
    std::vector<uint16_t> cpus;
    std::vector<uint32_t> flags;
    scap::snapshot snap;
};

captured read_all(const std::string& path, bool convert, size_t limit = SIZE_MAX) {
    captured out;
    scap::savefile_options o;
    o.path = path;
    o.convert = convert;
    std::string error;
    auto eng = scap::open_savefile(o, error);
    EXPECT_NE(eng, nullptr) << error;
    if (!eng) return out;
    scap::event_ref ref;
    scap::status s = scap::status::ok;
    while (out.events.size() < limit && (s = eng->next(ref)) == scap::status::ok) {
        const auto* p = reinterpret_cast<const uint8_t*>(ref.hdr);
        out.events.emplace_back(p, p + ref.view().len());
        out.cpus.push_back(ref.cpu);
        out.flags.push_back(ref.flags);
    }
    if (out.events.size() < limit) {
        EXPECT_EQ(s, scap::status::eof) << eng->last_error();
    }
    out.snap = eng->get_snapshot();
    return out;
}

void write_all(const std::string& path, bool gzip, const captured& c) {
    std::string error;
    auto d = scap::dumper::open(path, gzip, c.snap, error);
    ASSERT_NE(d, nullptr) << error;
    for (size_t i = 0; i < c.events.size(); ++i)
        ASSERT_EQ(
            d->write(reinterpret_cast<const scap::event_header*>(c.events[i].data()), c.cpus[i], c.flags[i]),
            scap::status::ok)
            << d->last_error();
    ASSERT_EQ(d->close(), scap::status::ok) << d->last_error();
    EXPECT_EQ(d->events_written(), c.events.size());
}

void expect_same_process(const scap::process_info& a, const scap::process_info& b) {
    EXPECT_EQ(a.tid, b.tid);
    EXPECT_EQ(a.pid, b.pid);
    EXPECT_EQ(a.ptid, b.ptid);
    EXPECT_EQ(a.sid, b.sid);
    EXPECT_EQ(a.vpgid, b.vpgid);
    EXPECT_EQ(a.pgid, b.pgid);
    EXPECT_EQ(a.comm, b.comm);
    EXPECT_EQ(a.exe, b.exe);
    EXPECT_EQ(a.exepath, b.exepath);
    EXPECT_EQ(a.args, b.args);
    EXPECT_EQ(a.env, b.env);
    EXPECT_EQ(a.cwd, b.cwd);
    EXPECT_EQ(a.cgroups, b.cgroups);
    EXPECT_EQ(a.root, b.root);
    EXPECT_EQ(a.fdlimit, b.fdlimit);
    EXPECT_EQ(a.uid, b.uid);
    EXPECT_EQ(a.gid, b.gid);
    EXPECT_EQ(a.loginuid, b.loginuid);
    EXPECT_EQ(a.vtid, b.vtid);
    EXPECT_EQ(a.vpid, b.vpid);
    EXPECT_EQ(a.cap_effective, b.cap_effective);
    EXPECT_EQ(a.exe_ino, b.exe_ino);
    EXPECT_EQ(a.tty, b.tty);
    ASSERT_EQ(a.fds.size(), b.fds.size()) << "tid " << a.tid;
    for (size_t i = 0; i < a.fds.size(); ++i) {
        EXPECT_EQ(a.fds[i].fd, b.fds[i].fd);
        EXPECT_EQ(a.fds[i].type, b.fds[i].type);
        EXPECT_EQ(a.fds[i].ino, b.fds[i].ino);
        EXPECT_EQ(a.fds[i].name, b.fds[i].name);
        EXPECT_EQ(a.fds[i].sip, b.fds[i].sip);
        EXPECT_EQ(a.fds[i].sport, b.fds[i].sport);
        EXPECT_EQ(std::memcmp(a.fds[i].sip6, b.fds[i].sip6, 16), 0);
    }
}

void expect_same(const captured& a, const captured& b) {
    ASSERT_EQ(a.events.size(), b.events.size());
    for (size_t i = 0; i < a.events.size(); ++i) {
        ASSERT_EQ(a.events[i], b.events[i]) << "event " << i;
        ASSERT_EQ(a.cpus[i], b.cpus[i]) << "event " << i;
        ASSERT_EQ(a.flags[i], b.flags[i]) << "event " << i;
    }
    ASSERT_EQ(a.snap.processes.size(), b.snap.processes.size());
    for (size_t i = 0; i < a.snap.processes.size(); ++i)
        expect_same_process(a.snap.processes[i], b.snap.processes[i]);
    ASSERT_EQ(a.snap.users.size(), b.snap.users.size());
    for (size_t i = 0; i < a.snap.users.size(); ++i) {
        EXPECT_EQ(a.snap.users[i].name, b.snap.users[i].name);
        EXPECT_EQ(a.snap.users[i].uid, b.snap.users[i].uid);
        EXPECT_EQ(a.snap.users[i].homedir, b.snap.users[i].homedir);
        EXPECT_EQ(a.snap.users[i].shell, b.snap.users[i].shell);
    }
    ASSERT_EQ(a.snap.groups.size(), b.snap.groups.size());
    ASSERT_EQ(a.snap.ifaces_v4.size(), b.snap.ifaces_v4.size());
    for (size_t i = 0; i < a.snap.ifaces_v4.size(); ++i) {
        EXPECT_EQ(a.snap.ifaces_v4[i].name, b.snap.ifaces_v4[i].name);
        EXPECT_EQ(a.snap.ifaces_v4[i].addr, b.snap.ifaces_v4[i].addr);
    }
    ASSERT_EQ(a.snap.ifaces_v6.size(), b.snap.ifaces_v6.size());
    EXPECT_EQ(a.snap.machine.hostname, b.snap.machine.hostname);
    EXPECT_EQ(a.snap.machine.num_cpus, b.snap.machine.num_cpus);
    EXPECT_EQ(a.snap.machine.boot_ts_epoch, b.snap.machine.boot_ts_epoch);
}

class SavefileRoundTrip : public ::testing::TestWithParam<const char*> {};

// Old captures, converted to exit-only and written in the current format, read back identically
// (so a converted capture needs no conversion the second time).
TEST_P(SavefileRoundTrip, ConvertedCaptureRereadsIdentically) {
    const captured first = read_all(scap_test::capture(GetParam()), true);
    ASSERT_FALSE(first.events.empty());
    const std::string dir = scap_test::temp_dir("roundtrip");
    for (bool gzip : {false, true}) {
        const std::string out = dir + (gzip ? "/out.scap.gz" : "/out.scap");
        write_all(out, gzip, first);
        const captured second = read_all(out, true);
        expect_same(first, second);
    }
}

INSTANTIATE_TEST_SUITE_P(Real, SavefileRoundTrip,
                         ::testing::Values("falco_cat_write.scap", "falco_empty.scap",
                                           "libs_single_ipv6_conn.scap", "libs_curl_google.scap"));

// The current-format capture written by the reference, copied through our writer without
// conversion: same events, same snapshot (first 200k events keep the test quick).
TEST(SavefileRoundTripReference, ReferenceCaptureCopiesByteForByte) {
    const captured first = read_all(scap_test::capture("reference_mixed_2M.scap.gz"), false, 200000);
    ASSERT_EQ(first.events.size(), 200000u);
    const std::string out = scap_test::temp_dir("roundtrip_ref") + "/copy.scap";
    write_all(out, false, first);
    expect_same(first, read_all(out, false));
}

TEST(SavefileWriter, EventsWithFlagsKeepTheirFlags) {
    captured c = read_all(scap_test::capture("falco_cat_write.scap"), true, 50);
    for (size_t i = 0; i < c.flags.size(); ++i) c.flags[i] = static_cast<uint32_t>(i % 3);  // 0 = plain block
    const std::string out = scap_test::temp_dir("flags") + "/flags.scap";
    write_all(out, false, c);
    expect_same(c, read_all(out, true));
}

}  // namespace
