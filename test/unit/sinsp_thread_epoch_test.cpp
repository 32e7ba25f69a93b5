// event::thread_epoch: what bumps it and what does not. Events that only update memory figures and
// page-fault counts (context switches, brk, mmap, munmap) must keep it, or nothing kept per thread
// and epoch (the rules' verdict cache) survives on a busy host, where a third of the events are
// context switches; events that change what thread-derived fields read must change it.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "event_builder.h"
#include "event_feeder.h"
#include "scap/snapshot.h"
#include "sinsp/inspector.h"

namespace {

using scap::test::bytes;
using scap::test::str;
using scap::test::val;

constexpr uint32_t k_pr_set_name = 15;

class SinspThreadEpoch : public ::testing::Test {
  protected:
    void SetUp() override {
        scap::snapshot snap;
        for (uint64_t tid : {100u, 101u}) {
            scap::process_info p;
            p.tid = tid;
            p.pid = 100;
            p.ptid = 1;
            p.comm = p.exe = "worker";
            snap.processes.push_back(p);
        }
        insp.load_snapshot(snap);
    }
    uint64_t epoch_after(uint16_t type, uint64_t tid, const std::map<std::string, bytes>& params) {
        return scap::test::feed_event(insp, m_keep, scap::test::make_event(type, tid, params)).thread_epoch;
    }
    uint64_t probe() { return epoch_after(PPME_SYSCALL_GETUID_X, 100, {}); }
    sinsp::inspector insp;
    bytes m_keep;
};

TEST_F(SinspThreadEpoch, MemoryCountersKeepIt) {
    const uint64_t before = probe();
    EXPECT_NE(before, 0u);
    EXPECT_EQ(epoch_after(PPME_SCHEDSWITCH_6_E, 101,
                          {{"next", val<int64_t>(100)},
                           {"pgft_maj", val<uint64_t>(3)},
                           {"pgft_min", val<uint64_t>(40)},
                           {"vm_size", val<uint32_t>(5000)},
                           {"vm_rss", val<uint32_t>(700)},
                           {"vm_swap", val<uint32_t>(1)}}),
              before);
    // The switch still did its work.
    const sinsp::thread_info* t = insp.threads().find(101);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->pfminor, 40u);
    ASSERT_NE(insp.threads().find(100), nullptr);
    EXPECT_EQ(insp.threads().find(100)->vmsize_kb, 5000u);
    EXPECT_EQ(epoch_after(PPME_SYSCALL_BRK_4_X, 100,
                          {{"res", val<uint64_t>(0x1000)},
                           {"vm_size", val<uint32_t>(6000)},
                           {"vm_rss", val<uint32_t>(800)}}),
              before);
    EXPECT_EQ(insp.threads().find(100)->vmsize_kb, 6000u);
    EXPECT_EQ(probe(), before);
}

TEST_F(SinspThreadEpoch, ThreadChangesBumpIt) {
    const uint64_t before = probe();
    // A rename changes proc.name: new epoch, kept from then on.
    const uint64_t renamed = epoch_after(
        PPME_SYSCALL_PRCTL_X, 100, {{"option", val<uint32_t>(k_pr_set_name)}, {"arg2_str", str("renamed")}});
    EXPECT_NE(renamed, before);
    EXPECT_EQ(probe(), renamed);
    // A context switch from a thread the state does not know makes none up, and keeps it too.
    EXPECT_EQ(epoch_after(PPME_SCHEDSWITCH_6_E, 555, {{"next", val<int64_t>(100)}}), renamed);
    EXPECT_EQ(insp.threads().find(555), nullptr);
    // A syscall of an unknown thread makes one up: new epoch.
    EXPECT_NE(epoch_after(PPME_SYSCALL_GETUID_X, 556, {}), renamed);
}

}  // namespace
