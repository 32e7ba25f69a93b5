// Every real capture in ../shared/captures reads to the end through the capture-file engine with
// the expected counts. Event-block counts were cross-checked with an independent block walker;
// the delivered counts, minus the state-only meta events the reference's libsinsp consumes
// instead of returning (container, user/group added), equal the reference's own counts
// (../shared/captures/README.md).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "savefile_blocks.h"
#include "scap/scap.h"
#include "scap/snapshot.h"
#include "test_paths.h"

namespace {

struct expected_capture {
    const char* file;
    uint64_t event_blocks;     // events stored in the file (enter and exit, any version)
    uint64_t delivered;        // exit-only events after conversion
    uint64_t reference_count;  // what the reference's libsinsp returns
    uint64_t processes, fds, users, groups, ifaces;
};

const expected_capture k_captures[] = {
    {"falco_cat_write.scap", 345, 303, 303, 73, 384, 32, 61, 5},
    {"falco_connect_localhost.scap", 374, 370, 370, 184, 690, 41, 71, 7},
    {"falco_empty.scap", 143, 143, 143, 218, 883, 45, 77, 11},
    {"falco_open-multiple-files.scap", 1272, 1230, 1227, 128, 685, 40, 70, 8},
    {"falco_ping_sendto.scap", 1526, 1516, 1516, 136, 674, 42, 72, 10},
    {"falco_syscall.scap", 368, 362, 362, 229, 773, 41, 71, 7},
    {"libs_curl_google.scap", 1536, 939, 939, 54, 316, 31, 55, 5},
    {"libs_curl_google_comments.scap", 1536, 939, 939, 54, 316, 31, 55, 5},
    {"libs_single_ipv6_conn.scap", 1728, 1714, 1714, 154, 564, 42, 72, 13},
    {"libs_test_ipv6_client.scap", 326, 293, 293, 58, 333, 31, 55, 5},
    {"reference_mixed_2M.scap.gz", 2000076, 2000076, 2000000, 10, 268, 24, 52, 5},
};

void PrintTo(const expected_capture& c, std::ostream* os) {
    *os << c.file;
}

bool is_state_only_meta(uint16_t type) {
    return type == PPME_CONTAINER_JSON_2_E || type == PPME_USER_ADDED_E || type == PPME_GROUP_ADDED_E ||
           type == PPME_USER_DELETED_E || type == PPME_GROUP_DELETED_E;
}

class CaptureFiles : public ::testing::TestWithParam<expected_capture> {};

TEST_P(CaptureFiles, ReadsToTheEndWithTheExpectedCounts) {
    const expected_capture& want = GetParam();
    scap::open_options opts;
    opts.file.path = scap_test::capture(want.file);
    std::string error;
    auto eng = scap::open_engine(opts, error);
    ASSERT_NE(eng, nullptr) << error;

    std::map<uint16_t, uint64_t> per_type;
    uint64_t delivered = 0, meta = 0;
    scap::event_ref ref;
    scap::status s;
    while ((s = eng->next(ref)) == scap::status::ok) {
        ++delivered;
        const uint16_t type = ref.hdr->type;
        ++per_type[type];
        // Exit-only: no syscall enter event is ever delivered.
        const bool standalone = type + 1 >= PPM_EVENT_MAX || (scap_event_table[type + 1].flags & EF_UNUSED);
        EXPECT_FALSE(scap_event_is_enter(type) && !standalone &&
                     (scap_event_table[type].category & EC_SYSCALL))
            << "enter event " << scap_event_table[type].name << " delivered";
        EXPECT_FALSE(scap_event_table[type].flags & EF_OLD_VERSION) << scap_event_table[type].name;
        if (is_state_only_meta(type)) ++meta;
    }
    ASSERT_EQ(s, scap::status::eof) << eng->last_error();

    scap::engine_stats st;
    eng->get_stats(st);
    EXPECT_EQ(savefile_test::engine_stat(st, "event_blocks"), want.event_blocks);
    EXPECT_EQ(delivered, want.delivered);
    EXPECT_EQ(st.n_evts, want.delivered);
    EXPECT_EQ(delivered - meta, want.reference_count);
    EXPECT_EQ(savefile_test::engine_stat(st, "converter_errors"), 0u);
    EXPECT_EQ(savefile_test::engine_stat(st, "unknown_event_types_skipped"), 0u);

    const scap::snapshot& snap = eng->get_snapshot();
    EXPECT_TRUE(snap.machine.present);
    EXPECT_GT(snap.machine.num_cpus, 0u);
    EXPECT_EQ(snap.processes.size(), want.processes);
    EXPECT_EQ(snap.fd_count(), want.fds);
    EXPECT_EQ(snap.users.size(), want.users);
    EXPECT_EQ(snap.groups.size(), want.groups);
    EXPECT_EQ(snap.ifaces_v4.size() + snap.ifaces_v6.size(), want.ifaces);
}

std::string capture_test_name(const ::testing::TestParamInfo<expected_capture>& p) {
    std::string n = p.param.file;
    for (char& c : n)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
}

INSTANTIATE_TEST_SUITE_P(Real, CaptureFiles, ::testing::ValuesIn(k_captures), capture_test_name);

// What the old cat capture says, event by event, once converted: the exit carries the
// arguments that only the enter event had in the old format.
TEST(CaptureContent, CatWriteOpensAreMergedWithTheirEnterArguments) {
    scap::open_options opts;
    opts.file.path = scap_test::capture("falco_cat_write.scap");
    std::string error;
    auto eng = scap::open_engine(opts, error);
    ASSERT_NE(eng, nullptr) << error;
    std::vector<std::string> opened;
    bool saw_execve_cat = false;
    scap::event_ref ref;
    while (eng->next(ref) == scap::status::ok) {
        scap::event_view ev = ref.view();
        if (ev.type() == PPME_SYSCALL_OPEN_X) {
            ASSERT_EQ(ev.nparams(), 6u);
            EXPECT_EQ(ev.param(0).as<int64_t>(), 3);  // fd
            opened.emplace_back(ev.param(1).str());   // name, from the enter event
        }
        if (ev.type() == PPME_SYSCALL_EXECVE_19_X && ev.param(1).str() == "cat") {
            saw_execve_cat = true;
            EXPECT_EQ(ev.param(3).as<int64_t>(), 20072);  // tid
        }
        if (ev.type() == PPME_SYSCALL_READ_X) {
            EXPECT_EQ(ev.param(2).as<int64_t>(), 3);  // fd, from the enter
        }
    }
    EXPECT_TRUE(saw_execve_cat);
    const std::vector<std::string> want = {"/etc/ld.so.cache", "/lib/x86_64-linux-gnu/libc.so.6",
                                           "/usr/lib/locale/locale-archive", "/dev/null"};
    EXPECT_EQ(opened, want);
}

TEST(CaptureContent, SnapshotDescribesTheCatProcessTree) {
    scap::open_options opts;
    opts.file.path = scap_test::capture("falco_cat_write.scap");
    std::string error;
    auto eng = scap::open_engine(opts, error);
    ASSERT_NE(eng, nullptr) << error;
    const scap::snapshot& snap = eng->get_snapshot();
    // cat's parent (ptid 11310 in its execve) was in the process list when the capture began.
    const scap::process_info* parent = snap.find_process(11310);
    ASSERT_NE(parent, nullptr);
    EXPECT_FALSE(parent->comm.empty());
    EXPECT_FALSE(parent->fds.empty());
    EXPECT_FALSE(snap.machine.hostname.empty());
}

TEST(CaptureSelection, SelectingSyscallsFiltersEventsButKeepsMetaEvents) {
    scap::open_options opts;
    opts.file.path = scap_test::capture("falco_cat_write.scap");
    std::string error;
    auto eng = scap::open_engine(opts, error);
    ASSERT_NE(eng, nullptr) << error;
    std::vector<bool> sc(PPM_SC_MAX, false);
    sc[PPM_SC_OPEN] = true;
    ASSERT_EQ(eng->set_selection(sc), scap::status::ok);
    std::map<uint16_t, int> seen;
    scap::event_ref ref;
    while (eng->next(ref) == scap::status::ok) ++seen[ref.hdr->type];
    EXPECT_EQ(seen[PPME_SYSCALL_OPEN_X], 4);
    EXPECT_EQ(seen[PPME_SYSCALL_READ_X], 0);
    EXPECT_EQ(seen[PPME_SYSCALL_CLOSE_X], 0);
    EXPECT_EQ(seen[PPME_GENERIC_X], 0);     // generic events are selected by the syscall they carry
    EXPECT_EQ(seen[PPME_PROCINFO_E], 260);  // not a syscall: always delivered
    EXPECT_EQ(seen[PPME_PROCEXIT_1_E], 1);
}

}  // namespace
