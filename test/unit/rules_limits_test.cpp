// The rules loader's bounds on expansion (load_limits): files that describe structures far larger
// than themselves (YAML aliases inside aliases, lists of lists, macros of macros) get a clear error
// naming the position, the item and the bound, quickly and without building the structure; Falco's
// default files stay well inside the defaults.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "sinsp/fields.h"
#include "sinsp/inspector.h"
#include "sinsp/rules.h"
#include "test_paths.h"

namespace {

using sinsp::rules::diagnostic;
using sinsp::rules::load_limits;
using sinsp::rules::load_options;
using sinsp::rules::rule_info;
using sinsp::rules::ruleset;

const rule_info* find_rule(const ruleset& rs, const std::string& name) {
    for (const auto& r : rs.rules()) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

// The first error whose message contains `text`.
const diagnostic* error_with(const ruleset& rs, const std::string& text) {
    for (const auto& d : rs.diagnostics()) {
        if (d.severity == diagnostic::level::error && d.message.find(text) != std::string::npos) return &d;
    }
    return nullptr;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

std::string rule_using(const std::string& name, const std::string& condition) {
    return "- rule: " + name + "\n  desc: d\n  condition: " + condition +
           "\n  output: o %proc.name\n  priority: INFO\n";
}

class RulesLimits : public ::testing::Test {
  protected:
    sinsp::field_catalog fields;
};

// m_i = m_{i-1} or m_{i-1}: macro m39 would be 2^39 checks. Line of m_i's condition: 2 + 2i.
TEST_F(RulesLimits, MacrosDoublingPerLevelStopAtTheConditionBound) {
    std::string text = "- macro: m0\n  condition: proc.name = a\n";
    for (int i = 1; i < 40; ++i)
        text += "- macro: m" + std::to_string(i) + "\n  condition: m" + std::to_string(i - 1) + " or m" +
                std::to_string(i - 1) + "\n";
    text += rule_using("r", "evt.type = open and m39");
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_text(text, "chain.yaml"));
    rs.compile();

    const diagnostic* d = error_with(rs, "condition expands to more than 100000 nodes");
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(contains(d->message, "limit load_limits::condition_nodes")) << d->to_string();
    EXPECT_EQ(d->item_kind, "macro");
    // The first macro past the bound is reported where it names its sub-macro, on its own line.
    ASSERT_EQ(d->item.rfind("m", 0), 0u);
    const int level = std::stoi(d->item.substr(1));
    EXPECT_GE(level, 10);  // 2^level checks: below 2^10 nothing is near the bound
    EXPECT_LT(level, 39);
    EXPECT_EQ(d->where.file, "chain.yaml");
    EXPECT_EQ(d->where.line, static_cast<uint32_t>(2 + 2 * level)) << d->to_string();

    const rule_info* r = find_rule(rs, "r");
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->loaded);
    EXPECT_TRUE(contains(r->why_not, "macro 'm39' cannot be used: condition expands to more than 100000"))
        << r->why_not;
    // Every level above is reported once, each message naming the first cause only.
    size_t errors = 0;
    for (const auto& x : rs.diagnostics()) {
        if (x.severity != diagnostic::level::error) continue;
        ++errors;
        EXPECT_LT(x.message.size(), 300u) << x.to_string();
    }
    EXPECT_EQ(errors, static_cast<size_t>(40 - level + 1));  // m_level..m39 and the rule
}

// l_i = [l_{i-1}, l_{i-1}]: list l39 would hold 2^40 items.
TEST_F(RulesLimits, ListsDoublingPerLevelStopAtTheListBound) {
    std::string text = "- list: l0\n  items: [a, b]\n";
    for (int i = 1; i < 40; ++i)
        text += "- list: l" + std::to_string(i) + "\n  items: [l" + std::to_string(i - 1) + ", l" +
                std::to_string(i - 1) + "]\n";
    text += rule_using("r", "evt.type = open and proc.name in (l39)");
    text += rule_using("small", "evt.type = open and proc.name in (l3)");
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_text(text, "lists.yaml"));
    rs.compile();

    const diagnostic* d = error_with(rs, "would bring the items of all lists past 1000000");
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(contains(d->message, "limit load_limits::list_items")) << d->to_string();
    EXPECT_EQ(d->item_kind, "list");
    // Items of l0..l_k together: 2^(k+2) - 2; the first k passing 1,000,000 is 18.
    EXPECT_EQ(d->item, "l18");
    EXPECT_EQ(d->where.line, static_cast<uint32_t>(1 + 2 * 18)) << d->to_string();
    const diagnostic* next = error_with(rs, "it names list 'l18', which cannot be used");
    ASSERT_NE(next, nullptr);
    EXPECT_EQ(next->item, "l19");

    const rule_info* r = find_rule(rs, "r");
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->loaded);
    EXPECT_TRUE(contains(r->why_not, "list 'l39' cannot be used")) << r->why_not;
    // A list within the bound still works.
    const rule_info* small = find_rule(rs, "small");
    ASSERT_NE(small, nullptr);
    EXPECT_TRUE(small->loaded) << small->why_not;
}

// "Billion laughs" in YAML: exception values made of aliases of aliases (1000 x 100 x 100 values
// in a 2 KB file).
TEST_F(RulesLimits, NestedYamlAliasesStopTheFileAtTheItem) {
    std::string row = "[", rows = "[", values = "[";
    for (int i = 0; i < 100; ++i) row += std::string(i ? "," : "") + "aaaaaaaa";
    for (int i = 0; i < 100; ++i) rows += std::string(i ? "," : "") + "*t";
    for (int i = 0; i < 1000; ++i) values += std::string(i ? "," : "") + "*r";
    const std::string text =
        "- rule: fine\n  desc: d\n  condition: evt.type = open\n  output: o\n"
        "  priority: INFO\n"
        "- anchors: &t " +
        row + "]\n- anchors: &r " + rows + "]\n" +
        "- rule: bomb\n  desc: d\n  condition: evt.type = open\n  output: o\n"
        "  priority: INFO\n  exceptions:\n    - name: e\n      fields: [proc.name]\n"
        "      values: " +
        values + "]\n";
    ruleset rs(fields);
    EXPECT_FALSE(rs.add_text(text, "bomb.yaml"));
    rs.compile();
    const diagnostic* d =
        error_with(rs, "with its YAML aliases expanded, the file holds more than 1000000 YAML");
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(contains(d->message, "(limit load_limits::yaml_nodes)")) << d->to_string();
    EXPECT_TRUE(contains(d->message, "the file is not loaded")) << d->to_string();
    EXPECT_EQ(d->item_kind, "rule");
    EXPECT_EQ(d->item, "bomb");
    EXPECT_EQ(d->where.file, "bomb.yaml");
    EXPECT_EQ(d->where.line, 8u);
    // Nothing of the file is applied, not even the items before.
    EXPECT_TRUE(rs.rules().empty());
}

TEST_F(RulesLimits, AliasedScalarsCountTheirTextEachTime) {
    load_options opts;
    opts.limits.yaml_text_bytes = 10000;
    std::string text = "- macro: m0\n  condition: &c proc.name = " + std::string(1000, 'x') + "\n";
    for (int i = 1; i < 20; ++i) text += "- macro: m" + std::to_string(i) + "\n  condition: *c\n";
    ruleset rs(fields, opts);
    EXPECT_FALSE(rs.add_text(text, "text.yaml"));
    const diagnostic* d =
        error_with(rs, "more than 10000 bytes of scalar text (limit load_limits::yaml_text_bytes)");
    ASSERT_NE(d, nullptr) << (rs.diagnostics().empty() ? "" : rs.diagnostics()[0].to_string());
    // 1,028 bytes of keys and values per macro: the tenth macro passes 10,000.
    EXPECT_EQ(d->item_kind, "macro");
    EXPECT_EQ(d->item, "m9");
    EXPECT_EQ(d->where.line, 19u);
}

TEST_F(RulesLimits, AllConditionsTogetherStopAtTheTotalBound) {
    load_options opts;
    opts.limits.total_condition_nodes = 100;
    std::string text;
    for (int i = 0; i < 10; ++i)
        text += rule_using("r" + std::to_string(i), "evt.type = open and proc.name = a");
    ruleset rs(fields, opts);
    ASSERT_TRUE(rs.add_text(text, "many.yaml"));
    rs.compile();
    // Each condition is 2 checks under an `and`: 2 + 3 + 3 = 8 nodes, 80 for the ten rules.
    const auto s = rs.summary();
    EXPECT_EQ(s.loaded, 10u);

    load_options tight;
    tight.limits.total_condition_nodes = 20;
    ruleset rs2(fields, tight);
    ASSERT_TRUE(rs2.add_text(text, "many.yaml"));
    rs2.compile();
    EXPECT_EQ(rs2.summary().loaded, 2u);
    const rule_info* r = find_rule(rs2, "r2");
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->loaded);
    EXPECT_TRUE(contains(r->why_not,
                         "the conditions of all macros and rules expand to more than 20 nodes "
                         "together (limit load_limits::total_condition_nodes)"))
        << r->why_not;
    const diagnostic* d = error_with(rs2, "total_condition_nodes");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->item, "r2");
    EXPECT_EQ(d->where.line, 11u);  // the rule's own line
}

// A chain of macros over one undefined name: each error names the first cause, so messages do
// not grow with the chain (they did: quadratic memory, a 100 KB file took 1.2 GB).
TEST_F(RulesLimits, ChainedMacroErrorsNameTheFirstCauseOnly) {
    std::string text = "- macro: a0\n  condition: nothing_here\n";
    for (int i = 1; i < 3000; ++i)
        text += "- macro: a" + std::to_string(i) + "\n  condition: a" + std::to_string(i - 1) + "\n";
    text += rule_using("r", "evt.type = open and a2999");
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_text(text, "deep.yaml"));
    rs.compile();
    const rule_info* r = find_rule(rs, "r");
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->loaded);
    EXPECT_TRUE(
        contains(r->why_not, "macro 'a2999' cannot be used: undefined macro 'nothing_here' (deep.yaml:2:14)"))
        << r->why_not;
    size_t errors = 0;
    for (const auto& d : rs.diagnostics()) {
        if (d.severity != diagnostic::level::error) continue;
        ++errors;
        EXPECT_LT(d.message.size(), 120u) << d.to_string();
    }
    EXPECT_EQ(errors, 3001u);
}

TEST_F(RulesLimits, UnknownFieldsAreListedUpToAHundred) {
    std::string cond = "evt.type = open";
    for (int i = 0; i < 150; ++i) cond += " and x" + std::to_string(i) + ".y = 1";
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_text("- macro: m\n  condition: " + cond + "\n" + rule_using("r", "m"), "f.yaml"));
    rs.compile();
    const rule_info* r = find_rule(rs, "r");
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->loaded);
    EXPECT_EQ(r->missing_fields.size(), 100u);
    EXPECT_EQ(r->missing_fields.front(), "x0.y");
    EXPECT_TRUE(contains(r->why_not, "and maybe more (only the first 100 are listed)")) << r->why_not;
}

// yaml-cpp 0.7's LoadAll never returns on a stray ',' after a block sequence item (it collects
// empty documents until memory runs out): a syntax error at the comma instead.
TEST_F(RulesLimits, StrayCommaIsASyntaxErrorNotAnEndlessLoop) {
    ruleset rs(fields);
    EXPECT_FALSE(rs.add_text("- macro: m\n  condition: proc.name = a\n, macro: n\n", "comma.yaml"));
    ASSERT_EQ(rs.diagnostics().size(), 1u);
    const diagnostic& d = rs.diagnostics()[0];
    EXPECT_EQ(d.item_kind, "file");
    EXPECT_EQ(d.where.line, 3u);
    EXPECT_EQ(d.where.column, 1u);
    EXPECT_TRUE(contains(d.message, "YAML syntax error")) << d.to_string();
}

// Rules past the specialisation budget are evaluated whole: the same alerts on a real capture.
TEST_F(RulesLimits, RulesPastTheSpecialisationBudgetMatchTheSame) {
    auto alerts = [&](const load_options& opts) {
        ruleset rs(fields, opts);
        EXPECT_TRUE(rs.add_file(std::string(SCAP_SOURCE_DIR) + "/test/rules/cat_opens.yaml"));
        EXPECT_TRUE(rs.compile());
        sinsp::inspector insp;
        std::string error;
        EXPECT_EQ(insp.open_file(scap_test::capture("falco_cat_write.scap"), error), scap::status::ok)
            << error;
        std::vector<std::pair<uint64_t, std::string>> out;
        const sinsp::event* e = nullptr;
        while (insp.next(e) == scap::status::ok) {
            const sinsp::event_context ctx{e, &insp};
            for (uint32_t r : rs.evaluate(ctx)) out.emplace_back(e->num, rs.rules()[r].name);
        }
        return out;
    };
    load_options all;
    all.all_matches = true;
    load_options none = all;
    none.limits.specialize_visits = 0;
    const auto specialised = alerts(all);
    EXPECT_EQ(specialised.size(), 3u);  // as in RulesEval.AllMatchesReportsEveryMatchingRule
    EXPECT_EQ(alerts(none), specialised);
}

// The defaults leave a margin of at least ten over Falco's three default files loaded together:
// with every bound a tenth of its default, all 93 rules still load.
TEST_F(RulesLimits, DefaultFilesFitATenthOfTheDefaults) {
    const std::string dir =
        std::filesystem::path(scap_test::captures_dir()).parent_path().string() + "/rules";
    load_options opts;
    opts.limits = load_limits{}.divided_by(10);
    ruleset rs(fields, opts);
    for (const char* f : {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"})
        ASSERT_TRUE(rs.add_file(dir + "/" + f)) << f;
    rs.compile();
    for (const auto& d : rs.diagnostics())
        EXPECT_FALSE(contains(d.message, "load_limits::")) << d.to_string();
    EXPECT_EQ(rs.summary().loaded, 93u);
}

}  // namespace
