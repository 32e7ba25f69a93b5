// A rule set's in-kernel pre-filter (proposal 0011, ruleset::prefilter): the per-code table derived
// for small rule files (lists, macros, exceptions, priorities, disabled and re-enabled rules, a
// field the derivation cannot use), and soundness with Falco's default rule files on the shared
// captures: every event some rule raises an alert for passes its code's rule, as the driver
// would evaluate it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "field_probe.h"
#include "prefilter_test_support.h"
#include "scap/prefilter.h"
#include "sinsp/fields.h"
#include "sinsp/filter_parser.h"
#include "sinsp/prefilter.h"
#include "sinsp/rules.h"
#include "test_paths.h"

namespace {

using prefilter_test::exact;
using prefilter_test::return_value;
using prefilter_test::rule_of;

using sinsp::rules::priority;
using sinsp::rules::ruleset;

constexpr int64_t k_min = std::numeric_limits<int64_t>::min();
constexpr int64_t k_max = std::numeric_limits<int64_t>::max();

// The rules every table test below starts from; each names the codes it is about.
const char* const k_rules = R"(
- list: named_tools
  items: [alpha, beta]
- macro: is_named_tool
  condition: proc.name in (named_tools)
- macro: succeeded
  condition: evt.failed = false

# read: the list through the macro, and success.
- rule: Named tool reads
  desc: d
  condition: evt.type = read and is_named_tool and succeeded
  output: "%proc.name"
  priority: WARNING

# write: an exception on the process does not widen the rule's own comm.
- rule: Gamma writes
  desc: d
  condition: evt.type = write and proc.name = gamma
  output: "%proc.name"
  priority: ERROR
  exceptions:
    - name: not_delta
      fields: [proc.name]
      values: [[delta]]

# pread: successful preads except those whose result is SUCCESS, i.e. none at all.
- rule: Excepted preads
  desc: d
  condition: evt.type = pread and succeeded
  output: "%proc.name"
  priority: ERROR
  exceptions:
    - name: all_successes
      fields: [evt.res]
      comps: [=]
      values: [[SUCCESS]]

# readv: two rules, their comms joined.
- rule: Readv by one
  desc: d
  condition: evt.type = readv and proc.name = one
  output: "%proc.name"
  priority: NOTICE
- rule: Readv by two
  desc: d
  condition: evt.type = readv and proc.name = two
  output: "%proc.name"
  priority: NOTICE

# writev: below a notice threshold.
- rule: Debug writev
  desc: d
  condition: evt.type = writev and proc.name = quiet
  output: "%proc.name"
  priority: DEBUG

# nanosleep: disabled in the file.
- rule: Disabled nanosleep
  desc: d
  condition: evt.type = nanosleep
  output: "%proc.name"
  priority: CRITICAL
  enabled: false

# lseek: disabled, then enabled again by an override.
- rule: Reenabled lseek
  desc: d
  condition: evt.type = lseek and proc.pid = 42
  output: "%proc.name"
  priority: CRITICAL
  enabled: false
- rule: Reenabled lseek
  enabled: true
  override:
    enabled: replace

# fstat, and read again: fd.name cannot be checked in the kernel, so both accept everything.
- rule: Secret fstat or read
  desc: d
  condition: evt.type in (fstat, read) and fd.name contains secret
  output: "%proc.name"
  priority: WARNING
)";

// Compiles `text` (plus `more`, when given) with the given threshold; the test fails on errors.
// `required`: as ruleset::prefilter's.
scap::prefilter table_of(const std::string& text, priority min, const std::string& more = "",
                         const sinsp::filter::ast::expr* required = nullptr) {
    sinsp::field_catalog fields;
    sinsp::rules::load_options lo;
    lo.strict = true;
    lo.min_priority = min;
    ruleset rs(fields, lo);
    EXPECT_TRUE(rs.add_text(text, "prefilter_rules.yaml"));
    if (!more.empty()) {
        EXPECT_TRUE(rs.add_text(more, "more.yaml"));
    }
    EXPECT_TRUE(rs.compile());
    for (const auto& d : rs.diagnostics()) {
        if (d.severity == sinsp::rules::diagnostic::level::error) ADD_FAILURE() << d.to_string();
    }
    return rs.prefilter(required);
}

TEST(RulesPrefilter, StateEventsPassAndUnwatchedCodesAreDropped) {
    const scap::prefilter pf = table_of(k_rules, priority::debug);
    const std::vector<bool>& state = sinsp::prefilter_state_events();
    for (uint16_t code : {PPME_SYSCALL_OPENAT_2_X, PPME_SYSCALL_CLOSE_X, PPME_SYSCALL_EXECVE_19_X}) {
        ASSERT_TRUE(state[code]);
        EXPECT_EQ(pf.rule(code), nullptr) << scap_event_table[code].name;
    }
    // No rule is about poll or getdents64.
    EXPECT_TRUE(rule_of(pf, PPME_SYSCALL_POLL_X).never);
    EXPECT_TRUE(rule_of(pf, PPME_SYSCALL_GETDENTS64_X).never);
    // Codes are exit codes: entry events are never sent once the exit is (not constrained here).
    for (uint16_t code : {PPME_SYSCALL_READ_X, PPME_SYSCALL_WRITE_X, PPME_SYSCALL_READV_X})
        ASSERT_FALSE(state[code]) << scap_event_table[code].name;
}

TEST(RulesPrefilter, ListsMacrosAndExceptions) {
    const scap::prefilter pf = table_of(k_rules, priority::debug);
    // read: "Named tool reads" would give comm in (alpha, beta) and ret >= 0, but "Secret fstat
    // or read" also watches read and constrains nothing: the `or` accepts everything.
    EXPECT_EQ(pf.rule(PPME_SYSCALL_READ_X), nullptr);
    // write: the exception (not proc.name = delta) constrains nothing and widens nothing.
    const scap::prefilter_rule w = rule_of(pf, PPME_SYSCALL_WRITE_X);
    EXPECT_FALSE(w.never);
    EXPECT_EQ(w.comms, exact({"gamma"}));
    EXPECT_FALSE(w.bounds_ret());
    // pread: evt.failed = false and not evt.res = SUCCESS cannot both hold.
    EXPECT_TRUE(rule_of(pf, PPME_SYSCALL_PREAD_X).never);
    // readv: two rules, one comm each.
    const scap::prefilter_rule rv = rule_of(pf, PPME_SYSCALL_READV_X);
    EXPECT_FALSE(rv.never);
    EXPECT_EQ(rv.comms, exact({"one", "two"}));
    // fstat: only the rule on fd.name watches it.
    EXPECT_EQ(pf.rule(PPME_SYSCALL_FSTAT_X), nullptr);
}

TEST(RulesPrefilter, MacroAndListReachTheTableWhenAlone) {
    // The read rule without the fd.name rule beside it: the expanded macro and list constrain.
    const std::string only_reads = std::string(k_rules).substr(0, std::string(k_rules).find("# write:"));
    const scap::prefilter pf = table_of(only_reads, priority::debug);
    const scap::prefilter_rule r = rule_of(pf, PPME_SYSCALL_READ_X);
    EXPECT_FALSE(r.never);
    EXPECT_EQ(r.comms, exact({"alpha", "beta"}));
    EXPECT_EQ(r.ret_min, 0);
    EXPECT_EQ(r.ret_max, k_max);
    EXPECT_TRUE(rule_of(pf, PPME_SYSCALL_WRITE_X).never);
}

TEST(RulesPrefilter, PriorityThreshold) {
    // Every rule active: writev keeps its rule's comm.
    EXPECT_EQ(rule_of(table_of(k_rules, priority::debug), PPME_SYSCALL_WRITEV_X).comms, exact({"quiet"}));
    // At notice, the debug rule raises nothing: writev is dropped; readv's notice rules stay.
    const scap::prefilter notice = table_of(k_rules, priority::notice);
    EXPECT_TRUE(rule_of(notice, PPME_SYSCALL_WRITEV_X).never);
    EXPECT_EQ(rule_of(notice, PPME_SYSCALL_READV_X).comms, exact({"one", "two"}));
    // At error: the readv rules and both warning rules go; read, fstat and readv are dropped,
    // write (error) keeps its comm.
    const scap::prefilter error = table_of(k_rules, priority::error);
    EXPECT_TRUE(rule_of(error, PPME_SYSCALL_READV_X).never);
    EXPECT_TRUE(rule_of(error, PPME_SYSCALL_READ_X).never);
    EXPECT_TRUE(rule_of(error, PPME_SYSCALL_FSTAT_X).never);
    EXPECT_EQ(rule_of(error, PPME_SYSCALL_WRITE_X).comms, exact({"gamma"}));
}

TEST(RulesPrefilter, DisabledAndOverriddenRules) {
    const scap::prefilter pf = table_of(k_rules, priority::debug);
    // A disabled rule keeps nothing, even at the highest priority.
    EXPECT_TRUE(rule_of(pf, PPME_SYSCALL_NANOSLEEP_X).never);
    // Re-enabled by an override: it counts, with its pid.
    const scap::prefilter_rule ls = rule_of(pf, PPME_SYSCALL_LSEEK_X);
    EXPECT_FALSE(ls.never);
    EXPECT_EQ(ls.pids, std::vector<uint32_t>{42});
    // Disabled by a later file: lseek is dropped; enabling nanosleep there brings it back whole.
    const std::string later = R"(
- rule: Reenabled lseek
  enabled: false
  override:
    enabled: replace
- rule: Disabled nanosleep
  enabled: true
  override:
    enabled: replace
)";
    const scap::prefilter after = table_of(k_rules, priority::debug, later);
    EXPECT_TRUE(rule_of(after, PPME_SYSCALL_LSEEK_X).never);
    EXPECT_EQ(after.rule(PPME_SYSCALL_NANOSLEEP_X), nullptr);
}

TEST(RulesPrefilter, AppendedConditionAndRequiredFilter) {
    // A condition appended to: the appended part narrows the rule.
    const std::string appended = std::string(k_rules) + R"(
- rule: Gamma writes
  condition: and evt.rawres > 10
  override:
    condition: append
)";
    const scap::prefilter_rule w = rule_of(table_of(appended, priority::debug), PPME_SYSCALL_WRITE_X);
    EXPECT_EQ(w.comms, exact({"gamma"}));
    EXPECT_EQ(w.ret_min, 11);
    EXPECT_EQ(w.ret_max, k_max);
    // A filter alerts must also match (scapdig's filter with --rules) intersects every code.
    const auto required = sinsp::filter::parse("proc.name in (one, zeta)");
    const scap::prefilter pf = table_of(k_rules, priority::debug, "", required.get());
    EXPECT_EQ(rule_of(pf, PPME_SYSCALL_READV_X).comms, exact({"one"}));
    EXPECT_TRUE(rule_of(pf, PPME_SYSCALL_WRITE_X).never);
    EXPECT_EQ(rule_of(pf, PPME_SYSCALL_READ_X).comms, exact({"one", "zeta"}));
}

TEST(RulesPrefilter, RuleWithoutEventTypeConstrainsEveryCode) {
    // No evt.type: the rule watches every code, each with its comm.
    const char* text = R"(
- rule: Anything by eta
  desc: d
  condition: proc.name = eta and evt.dir = <
  output: "%proc.name"
  priority: WARNING
)";
    const scap::prefilter pf = table_of(text, priority::debug);
    for (uint16_t code : {PPME_SYSCALL_READ_X, PPME_SYSCALL_POLL_X, PPME_SYSCALL_FSTAT_X})
        EXPECT_EQ(rule_of(pf, code).comms, exact({"eta"})) << scap_event_table[code].name;
    EXPECT_EQ(pf.rule(PPME_SYSCALL_OPENAT_2_X), nullptr);
}

TEST(RulesPrefilter, BeforeCompileEverythingPasses) {
    sinsp::field_catalog fields;
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_text(k_rules, "prefilter_rules.yaml"));
    EXPECT_TRUE(rs.prefilter().empty());
}

std::string rules_dir() {
    return std::filesystem::path(scap_test::captures_dir()).parent_path().string() + "/rules";
}

void load_defaults(ruleset& rs) {
    for (const char* f : {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"})
        ASSERT_TRUE(rs.add_file(rules_dir() + "/" + f)) << f;
    rs.compile();
}

// The expanded conditions the pre-filter is derived from read back as the same text (the tree
// is parsed again from it).
TEST(RulesPrefilter, DefaultRulesExpandedConditionsReadBack) {
    sinsp::field_catalog fields;
    ruleset rs(fields);
    load_defaults(rs);
    size_t active = 0;
    for (const auto& r : rs.rules()) {
        if (!r.active) continue;
        ++active;
        const auto tree = sinsp::filter::parse(r.expanded_condition, 4000);
        EXPECT_EQ(sinsp::filter::ast::to_filter_text(*tree), r.expanded_condition) << r.name;
    }
    EXPECT_GT(active, 50u);
}

// Every alert of Falco's default rules on every shared capture comes from an event that passes
// the derived pre-filter; the pre-filter drops some events (it is not "everything").
void check_default_rules_sound(priority min, bool expect_alerts) {
    sinsp::field_catalog fields;
    sinsp::rules::load_options lo;
    lo.all_matches = true;
    lo.min_priority = min;
    ruleset rs(fields, lo);
    load_defaults(rs);
    const scap::prefilter pf = rs.prefilter();
    size_t constrained = 0;
    for (uint32_t code = 0; code < PPM_EVENT_MAX; ++code) constrained += pf.rule(code) != nullptr;
    EXPECT_GT(constrained, 0u);
    const std::vector<std::string> captures = scap_test::shared_captures();
    ASSERT_GE(captures.size(), 10u);
    size_t alerts = 0, events = 0, rejected = 0, unsound = 0;
    for (const std::string& path : captures) {
        const std::string name = std::filesystem::path(path).filename().string();
        SCOPED_TRACE(name);
        sinsp::inspector insp;
        scap_test::for_each_event(insp, name, [&](const sinsp::event& e) {
            ++events;
            const sinsp::event_context ctx{&e, &insp};
            const bool alert = !rs.evaluate(ctx).empty();
            alerts += alert;
            const scap::prefilter_rule* r = pf.rule(e.type());
            if (!r) return;
            scap::prefilter_rule check = *r;
            int64_t ret = 0;
            if (!return_value(e.view, ret)) {
                check.ret_min = k_min;
                check.ret_max = k_max;
            }
            const std::string comm = e.thread ? std::string(insp.str(e.thread->comm)) : std::string();
            const uint32_t pid = e.thread && e.thread->pid >= 0 ? static_cast<uint32_t>(e.thread->pid) : 0;
            const bool passes = scap::prefilter_passes(check, ret, static_cast<uint32_t>(e.tid()), pid, comm);
            rejected += !passes;
            if (alert && !passes && ++unsound <= 20) {
                ADD_FAILURE() << "event " << e.num << " (" << e.view.info().name << ", rule "
                              << rs.rules()[rs.evaluate(ctx)[0]].name
                              << ") raises an alert but the pre-filter "
                              << "drops it";
            }
        });
    }
    std::printf(
        "default rules at %s: %zu events, %zu alerts, %zu rejected by the pre-filter, %zu codes "
        "constrained\n",
        sinsp::rules::priority_name(min), events, alerts, rejected, constrained);
    if (expect_alerts) {
        EXPECT_GT(alerts, 0u);
    }
    EXPECT_GT(rejected, 0u);
    EXPECT_EQ(unsound, 0u);
}

TEST(RulesPrefilter, DefaultRulesEveryAlertPassesOnRealCaptures) {
    check_default_rules_sound(priority::debug, true);
}

// At warning fewer rules are active: the table is narrower, and still every alert passes (the
// captures raise none at this level).
TEST(RulesPrefilter, DefaultRulesAtWarningEveryAlertPasses) {
    check_default_rules_sound(priority::warning, false);
}

// The default rules raise few alerts on the shared captures; their macros, each made a rule of
// its own and of its negation, match often. Each rule's own pre-filter (its expanded condition,
// exceptions included, derived alone) must pass every event that rule matches.
TEST(RulesPrefilter, EachDefaultRuleAndMacroAloneIsSound) {
    std::string generated;
    std::set<std::string> seen;
    for (const char* f : {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"}) {
        std::ifstream in(rules_dir() + "/" + f);
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("- macro: ", 0) != 0) continue;
            const std::string name = line.substr(9);
            if (!seen.insert(name).second) continue;
            for (const std::string& cond : {name, "not " + name}) {
                generated += "- rule: gen " + cond + "\n  desc: d\n  condition: " + cond +
                             "\n  output: \"%evt.type\"\n  priority: WARNING\n";
            }
        }
    }
    ASSERT_GT(seen.size(), 200u);
    sinsp::field_catalog fields;
    sinsp::rules::load_options lo;
    lo.all_matches = true;
    ruleset rs(fields, lo);
    for (const char* f : {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"})
        ASSERT_TRUE(rs.add_file(rules_dir() + "/" + f)) << f;
    ASSERT_TRUE(rs.add_text(generated, "generated.yaml"));
    rs.compile();
    // Per active rule: its pre-filter alone, over the codes its filter can match.
    std::vector<scap::prefilter> own(rs.rules().size());
    size_t derived = 0;
    for (size_t i = 0; i < rs.rules().size(); ++i) {
        const auto& r = rs.rules()[i];
        if (!r.active) continue;
        const auto tree = sinsp::filter::parse(r.expanded_condition, 4000);
        const std::vector<bool> codes = sinsp::filter::compile(*tree, fields)->event_codes();
        std::vector<std::vector<const sinsp::filter::ast::expr*>> by_code(codes.size());
        for (size_t c = 0; c < codes.size(); ++c) {
            if (codes[c]) by_code[c].push_back(tree.get());
        }
        own[i] = sinsp::derive_prefilter_any(by_code);
        ++derived;
    }
    EXPECT_GT(derived, 500u);
    size_t matches = 0, unsound = 0;
    std::vector<size_t> matched_rules(rs.rules().size(), 0);
    for (const std::string& path : scap_test::shared_captures()) {
        const std::string name = std::filesystem::path(path).filename().string();
        SCOPED_TRACE(name);
        sinsp::inspector insp;
        scap_test::for_each_event(insp, name, [&](const sinsp::event& e) {
            const sinsp::event_context ctx{&e, &insp};
            for (uint32_t i : rs.evaluate(ctx)) {
                ++matches;
                ++matched_rules[i];
                const scap::prefilter_rule* r = own[i].rule(e.type());
                if (!r) continue;
                scap::prefilter_rule check = *r;
                int64_t ret = 0;
                if (!return_value(e.view, ret)) {
                    check.ret_min = k_min;
                    check.ret_max = k_max;
                }
                const std::string comm = e.thread ? std::string(insp.str(e.thread->comm)) : std::string();
                const uint32_t pid =
                    e.thread && e.thread->pid >= 0 ? static_cast<uint32_t>(e.thread->pid) : 0;
                if (!scap::prefilter_passes(check, ret, static_cast<uint32_t>(e.tid()), pid, comm) &&
                    ++unsound <= 20) {
                    ADD_FAILURE() << "event " << e.num << " (" << e.view.info().name << ") matches rule '"
                                  << rs.rules()[i].name
                                  << "' but its pre-filter drops it: " << own[i].describe();
                }
            }
        });
    }
    const size_t rules_matching = static_cast<size_t>(
        std::count_if(matched_rules.begin(), matched_rules.end(), [](size_t n) { return n > 0; }));
    std::printf("%zu rules derived alone, %zu of them matched %zu times\n", derived, rules_matching, matches);
    EXPECT_GT(rules_matching, 100u);
    EXPECT_EQ(unsound, 0u);
}

}  // namespace
