// Roots ruled out by fd key (condition_graph's fd masks, rules/fd_key_memo.h): the word remembered
// for a key must be what the key's fields give, so the same name opened as a file and as a
// directory, a name that comes back, and the thread changing under a remembered name must raise
// exactly the rules the per-rule engine (share_conditions off, nothing kept between events)
// raises. And when keys rarely repeat, the masks must turn themselves off without changing any
// verdict.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "event_builder.h"
#include "event_feeder.h"
#include "rules/condition_graph.h"
#include "rules/fd_scope.h"
#include "rules/field_cache.h"
#include "scap/snapshot.h"
#include "sinsp/fields.h"
#include "sinsp/filter_parser.h"
#include "sinsp/inspector.h"
#include "sinsp/rules.h"

namespace {

using scap::test::bytes;
using scap::test::str;
using scap::test::val;

constexpr uint32_t k_rdonly = 0x1;       // PPM_O_RDONLY
constexpr uint32_t k_wronly = 0x2;       // PPM_O_WRONLY
constexpr uint32_t k_directory = 0x400;  // PPM_O_DIRECTORY
constexpr uint32_t k_pr_set_name = 15;

// fd.directory of a directory is the directory itself, of a file its parent; fd.filename exists
// for files only; fd.typechar tells them apart: one name, two kinds, different words.
const char* const k_rules = R"(
- rule: dir_itself_by_alpha
  desc: d
  condition: evt.type = openat and fd.directory = /etc/x and proc.name = alpha
  output: o
  priority: info
- rule: file_named_x_below_etc
  desc: d
  condition: evt.type = openat and fd.filename = x and fd.name startswith /etc/
  output: o
  priority: info
- rule: directory_kind
  desc: d
  condition: evt.type = openat and (fd.typechar = d and fd.name = /etc/x)
  output: o
  priority: info
- rule: write_below_etc
  desc: d
  condition: evt.type = openat and fd.name startswith /etc/ and evt.arg.flags contains O_WRONLY
  output: o
  priority: info
- rule: not_tmp
  desc: d
  condition: evt.type = openat and not fd.name startswith /tmp and fd.num >= 0
  output: o
  priority: info
- rule: read_at_root
  desc: d
  condition: evt.type = read and fd.directory = / and fd.typechar != f
  output: o
  priority: info
- rule: relative_climb
  desc: d
  condition: evt.type = openat and fd.nameraw contains "../" and fd.num >= 0
  output: o
  priority: info
- rule: passwd_opened_here
  desc: d
  condition: evt.type = read and fd.nameraw = /etc/passwd
  output: o
  priority: info
)";

class RulesFdMasks : public ::testing::Test {
  protected:
    void SetUp() override {
        for (bool shared : {true, false}) {
            sinsp::rules::load_options opts;
            opts.all_matches = true;
            opts.share_conditions = shared;
            auto& rs = shared ? m_shared : m_alone;
            rs = std::make_unique<sinsp::rules::ruleset>(m_fields, opts);
            ASSERT_TRUE(rs->add_text(k_rules, "fd_masks.yaml"));
            ASSERT_TRUE(rs->compile());
        }
        scap::snapshot snap;
        scap::process_info p;
        p.tid = p.pid = 10;
        p.ptid = 1;
        p.comm = p.exe = "alpha";
        p.cwd = "/tmp/";
        // fd 7: /etc/passwd, open before the capture (its fd.nameraw is empty).
        scap::fd_info f;
        f.fd = 7;
        f.type = scap::fd_type::file_v2;
        f.name = "/etc/passwd";
        p.fds.push_back(f);
        snap.processes.push_back(p);
        insp.load_snapshot(snap);
    }
    // The rules both engines raise on `e` (they must agree).
    std::set<std::string> rules_on(const bytes& b) {
        const sinsp::event& e = scap::test::feed_event(insp, m_keep, b);
        const sinsp::event_context ctx{&e, &insp};
        std::set<std::string> shared, alone;
        for (uint32_t i : m_shared->evaluate(ctx)) shared.insert(m_shared->rules()[i].name);
        for (uint32_t i : m_alone->evaluate(ctx)) alone.insert(m_alone->rules()[i].name);
        EXPECT_EQ(shared, alone);
        return shared;
    }
    std::set<std::string> open(int64_t fd, const std::string& name, uint32_t flags) {
        return rules_on(scap::test::make_event(PPME_SYSCALL_OPENAT_2_X, 10,
                                               {{"fd", val<int64_t>(fd)},
                                                {"dirfd", val<int64_t>(-100)},
                                                {"name", str(name)},
                                                {"flags", val<uint32_t>(flags)}}));
    }
    std::set<std::string> read(int64_t fd) {
        return rules_on(scap::test::make_event(PPME_SYSCALL_READ_X, 10,
                                               {{"res", val<int64_t>(0)}, {"fd", val<int64_t>(fd)}}));
    }
    using names = std::set<std::string>;
    sinsp::field_catalog m_fields;
    std::unique_ptr<sinsp::rules::ruleset> m_shared, m_alone;
    sinsp::inspector insp;
    bytes m_keep;
};

TEST_F(RulesFdMasks, SameNameAsFileAndAsDirectory) {
    const names file = {"file_named_x_below_etc", "not_tmp"};
    const names dir = {"dir_itself_by_alpha", "directory_kind", "not_tmp"};
    // Twice each, alternated: the second time the words come from the memo.
    for (int round = 0; round < 3; ++round) {
        EXPECT_EQ(open(3, "/etc/x", k_rdonly), file) << round;
        EXPECT_EQ(open(4, "/etc/x", k_rdonly | k_directory), dir) << round;
    }
    // Same name written: the walk still decides the flags.
    EXPECT_EQ(open(5, "/etc/x", k_wronly), (names{"file_named_x_below_etc", "write_below_etc", "not_tmp"}));
    EXPECT_EQ(open(6, "/tmp/y", k_rdonly), names{});
    // A failed open has no fd: its key differs from the file's of the same name.
    EXPECT_EQ(open(-2, "/etc/x", k_rdonly), names{});
    EXPECT_EQ(open(7, "/etc/x", k_rdonly), file);
}

TEST_F(RulesFdMasks, ThreadChangesUnderARememberedName) {
    const names dir = {"dir_itself_by_alpha", "directory_kind", "not_tmp"};
    EXPECT_EQ(open(4, "/etc/x", k_rdonly | k_directory), dir);
    EXPECT_EQ(open(5, "/etc/x", k_rdonly | k_directory), dir);
    // The fd word says the directory tests hold; proc.name is left to the walk.
    scap::test::feed_event(
        insp, m_keep,
        scap::test::make_event(PPME_SYSCALL_PRCTL_X, 10,
                               {{"option", val<uint32_t>(k_pr_set_name)}, {"arg2_str", str("beta")}}));
    EXPECT_EQ(open(6, "/etc/x", k_rdonly | k_directory), (names{"directory_kind", "not_tmp"}));
}

TEST_F(RulesFdMasks, UnknownAndKnownFdsOnReads) {
    // fd 9 is not in the table: an fd the state does not know, whose directory is "/".
    EXPECT_EQ(read(9), names{"read_at_root"});
    EXPECT_EQ(open(3, "/etc", k_rdonly | k_directory), names{"not_tmp"});
    EXPECT_EQ(open(4, "/", k_rdonly | k_directory), names{"not_tmp"});
    EXPECT_EQ(open(5, "/vmlinuz", k_rdonly), names{"not_tmp"});
    for (int round = 0; round < 2; ++round) {
        EXPECT_EQ(read(3), names{}) << round;                // directory /etc
        EXPECT_EQ(read(4), names{"read_at_root"}) << round;  // the directory "/" itself
        EXPECT_EQ(read(5), names{}) << round;                // a file below "/": typechar f
        EXPECT_EQ(read(9), names{"read_at_root"}) << round;
    }
}

TEST_F(RulesFdMasks, SameNameOpenedByAnotherPath) {
    // /etc/x reached from the cwd /tmp: the same name as the absolute open, another raw path.
    for (int round = 0; round < 2; ++round) {
        EXPECT_EQ(open(3, "/etc/x", k_rdonly), (names{"file_named_x_below_etc", "not_tmp"})) << round;
        EXPECT_EQ(open(4, "../etc/x", k_rdonly),
                  (names{"file_named_x_below_etc", "not_tmp", "relative_climb"}))
            << round;
    }
    // The same name from the snapshot and opened in the capture.
    EXPECT_EQ(open(8, "/etc/passwd", k_rdonly), names{"not_tmp"});
    for (int round = 0; round < 2; ++round) {
        EXPECT_EQ(read(7), names{}) << round;
        EXPECT_EQ(read(8), names{"passwd_opened_here"}) << round;
    }
}

// At the graph: every opened name is new, so the memo never hits; sampled events see it and the
// masks go out of use at the first reorder (65,536 events), verdicts unchanged throughout, while
// a stream whose names repeat keeps them in use and fills the memo once per name.
TEST(RulesFdMasksGraph, OffWhenKeysDoNotRepeat) {
    for (const bool repeat : {false, true}) {
        sinsp::field_catalog fields;
        sinsp::rules::detail::caching_registry shared(fields);
        sinsp::rules::detail::condition_graph g(shared);
        const char* const texts[] = {
            "fd.name startswith /etc/ and fd.num >= 0",
            "fd.filename = f7 and proc.name = alpha",
            "fd.directory = /tmp and not fd.name endswith 3",
        };
        std::vector<int64_t> roots;
        std::vector<std::unique_ptr<sinsp::filter::compiled_filter>> alone;
        for (const char* t : texts) {
            roots.push_back(g.add(*sinsp::filter::parse(t)));
            alone.push_back(sinsp::filter::compile(t, fields));
        }
        const uint32_t program = g.add_program(roots);
        ASSERT_TRUE(g.masked(program));
        EXPECT_TRUE(g.masks_in_use(program));
        EXPECT_GE(g.fd_scoped_nodes(), 6u);

        sinsp::inspector insp;
        scap::snapshot snap;
        scap::process_info p;
        p.tid = p.pid = 10;
        p.ptid = 1;
        p.comm = p.exe = "alpha";
        snap.processes.push_back(p);
        insp.load_snapshot(snap);
        bytes keep;
        size_t held = 0;
        constexpr int k_events = 70'000;
        for (int i = 0; i < k_events; ++i) {
            const int n = repeat ? i % 10 : i;
            const std::string name = (i % 2 ? "/tmp/f" : "/etc/f") + std::to_string(n);
            const sinsp::event& e =
                scap::test::feed_event(insp, keep,
                                       scap::test::make_event(PPME_SYSCALL_OPENAT_2_X, 10,
                                                              {{"fd", val<int64_t>(3 + i % 5)},
                                                               {"dirfd", val<int64_t>(-100)},
                                                               {"name", str(name)},
                                                               {"flags", val<uint32_t>(k_rdonly)}}));
            const sinsp::event_context ctx{&e, &insp};
            std::vector<size_t> want, got;
            for (size_t r = 0; r < alone.size(); ++r) {
                if (alone[r]->matches(ctx)) want.push_back(r);
            }
            g.next_event();
            g.run_program(program, ctx, [&](size_t r) {
                got.push_back(r);
                return true;
            });
            ASSERT_EQ(got, want) << name << " event " << i;
            held += want.size();
        }
        EXPECT_GT(held, static_cast<size_t>(k_events) / 2);
        EXPECT_EQ(g.masks_in_use(program), repeat);
        if (repeat) {
            // 5 names below /etc, 5 below /tmp (a few more if two share a slot).
            EXPECT_GE(g.fd_mask_fills(program), 10u);
            EXPECT_LT(g.fd_mask_fills(program), 100u);
        } else {
            // Every unsampled event up to the first reorder looked its new name up and filled the
            // memo; after it, only sampled events (1 in 128) do.
            EXPECT_GT(g.fd_mask_fills(program), 64'000u);
            EXPECT_LT(g.fd_mask_fills(program), 66'000u);
        }
    }
}

}  // namespace
