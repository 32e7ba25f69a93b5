// Verdicts kept per thread (condition_graph's thread cache, keyed by event::thread_epoch) must
// follow the thread: a name change, an exec into a container, a parent's rename or a new user
// entry mid-stream change which rules match from the next event on. Each event is also checked
// against the per-rule engine (share_conditions off), which keeps nothing between events.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "event_builder.h"
#include "event_feeder.h"
#include "scap/snapshot.h"
#include "sinsp/fields.h"
#include "sinsp/inspector.h"
#include "sinsp/rules.h"

namespace {

using scap::test::bytes;
using scap::test::str;

const std::string k_id = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";
constexpr uint32_t k_pr_set_name = 15;

const char* const k_rules = R"(
- macro: probe
  condition: evt.type = getuid
- rule: named_alpha
  desc: d
  condition: probe and proc.name = alpha
  output: o
  priority: info
- rule: named_beta
  desc: d
  condition: probe and proc.name in (beta, delta)
  output: o
  priority: info
- rule: in_container
  desc: d
  condition: probe and container.id != host and not proc.name startswith al
  output: o
  priority: info
- rule: on_host
  desc: d
  condition: probe and container.id = host
  output: o
  priority: info
- rule: parent_a
  desc: d
  condition: probe and proc.pname = parent_a and not proc.name = beta
  output: o
  priority: info
- rule: user_carol
  desc: d
  condition: probe and user.name = carol
  output: o
  priority: info
)";

class RulesThreadCache : public ::testing::Test {
  protected:
    void SetUp() override {
        for (bool shared : {true, false}) {
            sinsp::rules::load_options opts;
            opts.all_matches = true;
            opts.share_conditions = shared;
            auto& rs = shared ? m_shared : m_alone;
            rs = std::make_unique<sinsp::rules::ruleset>(m_fields, opts);
            ASSERT_TRUE(rs->add_text(k_rules, "thread_cache.yaml"));
            ASSERT_TRUE(rs->compile());
        }
        scap::snapshot snap;
        for (uint64_t tid : {1u, 10u}) {
            scap::process_info p;
            p.tid = p.pid = tid;
            p.ptid = tid == 1 ? 0 : 1;
            p.comm = p.exe = tid == 1 ? "parent_a" : "alpha";
            p.uid = 1000;
            snap.processes.push_back(p);
        }
        insp.load_snapshot(snap);
    }
    static bytes make(uint16_t type, uint64_t tid, const std::map<std::string, bytes>& params) {
        return scap::test::make_event(type, tid, params);
    }
    const sinsp::event& feed(const bytes& e) { return scap::test::feed_event(insp, m_keep, e); }
    // The rules both engines raise on a getuid of `tid` (they must agree).
    std::set<std::string> probe(uint64_t tid) {
        const sinsp::event& e =
            feed(scap::test::event_builder(PPME_SYSCALL_GETUID_X, tid).num<uint32_t>(0).build());
        const sinsp::event_context ctx{&e, &insp};
        std::set<std::string> shared, alone;
        for (uint32_t i : m_shared->evaluate(ctx)) shared.insert(m_shared->rules()[i].name);
        for (uint32_t i : m_alone->evaluate(ctx)) alone.insert(m_alone->rules()[i].name);
        EXPECT_EQ(shared, alone);
        m_epoch = e.thread_epoch;
        return shared;
    }
    void rename(uint64_t tid, const std::string& comm) {
        feed(make(PPME_SYSCALL_PRCTL_X, tid,
                  {{"option", scap::test::val<uint32_t>(k_pr_set_name)}, {"arg2_str", str(comm)}}));
    }
    void exec_in_container(uint64_t tid, uint64_t ptid, const std::string& comm) {
        const std::string cgroups = "memory=/docker/" + k_id + '\0';
        feed(make(PPME_SYSCALL_EXECVE_19_X, tid,
                  {{"exe", str(comm)},
                   {"pid", scap::test::val<int64_t>(static_cast<int64_t>(tid))},
                   {"ptid", scap::test::val<int64_t>(static_cast<int64_t>(ptid))},
                   {"comm", str(comm)},
                   {"uid", scap::test::val<uint32_t>(1000)},
                   {"cgroups", bytes(cgroups.begin(), cgroups.end())}}));
    }
    using names = std::set<std::string>;
    sinsp::field_catalog m_fields;
    std::unique_ptr<sinsp::rules::ruleset> m_shared, m_alone;
    sinsp::inspector insp;
    bytes m_keep;
    uint64_t m_epoch = 0;
};

TEST_F(RulesThreadCache, VerdictsFollowTheThreadsState) {
    EXPECT_EQ(probe(10), (names{"named_alpha", "on_host", "parent_a"}));
    const uint64_t epoch = m_epoch;
    EXPECT_NE(epoch, 0u);
    // Events that change no thread keep the epoch: the verdicts come from the cache.
    EXPECT_EQ(probe(10), (names{"named_alpha", "on_host", "parent_a"}));
    EXPECT_EQ(m_epoch, epoch);

    rename(10, "beta");  // prctl(PR_SET_NAME)
    EXPECT_EQ(probe(10), (names{"named_beta", "on_host"}));
    EXPECT_NE(m_epoch, epoch);

    rename(1, "parent_b");  // the parent's name: proc.pname of thread 10
    rename(10, "delta");
    EXPECT_EQ(probe(10), (names{"named_beta", "on_host"}));
    rename(1, "parent_a");
    EXPECT_EQ(probe(10), (names{"named_beta", "on_host", "parent_a"}));

    exec_in_container(10, 1, "gamma");  // container.id from the new cgroups
    EXPECT_EQ(probe(10), (names{"in_container", "parent_a"}));
    rename(10, "alpine");
    EXPECT_EQ(probe(10), (names{"parent_a"}));
    EXPECT_EQ(probe(10), (names{"parent_a"}));

    // A user entry added mid-stream: user.name of uid 1000.
    feed(make(PPME_USER_ADDED_E, 0,
              {{"uid", scap::test::val<uint32_t>(1000)},
               {"gid", scap::test::val<uint32_t>(1000)},
               {"name", str("carol")},
               {"home", str("/home/carol")},
               {"shell", str("/bin/sh")}}));
    EXPECT_EQ(probe(10), (names{"parent_a", "user_carol"}));
}

TEST_F(RulesThreadCache, ThreadsDoNotShareVerdicts) {
    // Alternating threads with different names and parents, no state change in between.
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(probe(10), (names{"named_alpha", "on_host", "parent_a"}));
        EXPECT_EQ(probe(1), (names{"on_host"}));
    }
}

}  // namespace
