// The rule loader, construct by construct, on the fixtures in test/rules/: lists, macros,
// rules, lists inside lists, macros inside macros, list names in in()/pmatch(), appends and
// overrides, exceptions, required_engine_version, sources, and errors with their positions.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sinsp/fields.h"
#include "sinsp/filter.h"
#include "sinsp/rules.h"

namespace {

using sinsp::rules::diagnostic;
using sinsp::rules::priority;
using sinsp::rules::rule_info;
using sinsp::rules::ruleset;

std::string fixture(const std::string& name) {
    return std::string(SCAP_SOURCE_DIR) + "/test/rules/" + name;
}

const rule_info* find_rule(const ruleset& rs, const std::string& name) {
    for (const auto& r : rs.rules()) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

// The diagnostics about one item, as text.
std::vector<std::string> messages_for(const ruleset& rs, const std::string& item) {
    std::vector<std::string> out;
    for (const auto& d : rs.diagnostics()) {
        if (d.item == item) out.push_back(d.to_string());
    }
    return out;
}

const diagnostic* first_error(const ruleset& rs, const std::string& item) {
    for (const auto& d : rs.diagnostics()) {
        if (d.item == item && d.severity == diagnostic::level::error) return &d;
    }
    return nullptr;
}

class RulesLoader : public ::testing::Test {
  protected:
    sinsp::field_catalog fields;
};

TEST_F(RulesLoader, ListsMacrosAndRulesCompileWithTheirEventTypes) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_file(fixture("constructs.yaml")));
    ASSERT_TRUE(rs.compile());
    const rule_info* r = find_rule(rs, "Shell opens in tmp");
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->loaded) << r->why_not;
    EXPECT_TRUE(r->active);
    EXPECT_EQ(r->prio, priority::warning);
    EXPECT_EQ(r->tags, (std::vector<std::string>{"filesystem", "shell"}));
    EXPECT_EQ(r->output, "shell %proc.name opened %fd.name");
    EXPECT_EQ(r->where.line, 22u);
    EXPECT_EQ(r->where.column, 3u);
    // The macro opened (inside opened_by_shell) limits the rule to the open family.
    EXPECT_FALSE(r->all_event_types);
    EXPECT_EQ(r->event_types, (std::vector<std::string>{"open", "openat", "openat2"}));

    const rule_info* disabled = find_rule(rs, "Any execve");
    ASSERT_NE(disabled, nullptr);
    EXPECT_TRUE(disabled->loaded);
    EXPECT_FALSE(disabled->enabled);
    EXPECT_FALSE(disabled->active);
    EXPECT_EQ(disabled->prio, priority::informational);  // "info" is accepted
    EXPECT_EQ(disabled->event_types, (std::vector<std::string>{"execve"}));

    ASSERT_EQ(rs.required_engine_versions().size(), 1u);
    EXPECT_EQ(rs.required_engine_versions()[0].first, "0.31.0");
    EXPECT_EQ(rs.required_engine_versions()[0].second.line, 2u);
}

TEST_F(RulesLoader, OtherSourcesAreSkippedWithOneWarning) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_file(fixture("constructs.yaml")));
    ASSERT_TRUE(rs.compile());
    const rule_info* r = find_rule(rs, "Audit only");
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->loaded);
    EXPECT_EQ(r->source, "k8s_audit");
    const auto msgs = messages_for(rs, "Audit only");
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_NE(msgs[0].find("constructs.yaml:38:3: warning: rule 'Audit only': skipped: source 'k8s_audit'"),
              std::string::npos)
        << msgs[0];
    EXPECT_EQ(rs.summary().skipped_source, 1u);
    EXPECT_EQ(rs.summary().errors, 0u);
}

TEST_F(RulesLoader, ListsInsideListsAndListNamesInsideInAndPmatchExpand) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_text(R"(
- list: a
  items: [x1]
- list: b
  items: [a, x2, '"quoted item"']
- list: dirs
  items: [/etc, b]
- macro: m1
  condition: proc.name in (b, x3)
- macro: m2
  condition: m1 and fd.name pmatch (dirs)
- rule: r
  desc: d
  condition: evt.type = open and m2 and proc.name in b
  output: "%proc.name"
  priority: debug
)",
                            "inline.yaml"));
    ASSERT_TRUE(rs.compile());
    const rule_info* r = find_rule(rs, "r");
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(r->loaded) << r->why_not;
    EXPECT_EQ(rs.summary().errors, 0u);
}

// The expanded condition is plain filter text (what another engine is given to compare matches):
// no macro or list name left, every list item in place, and it compiles on its own.
TEST_F(RulesLoader, ExpandedConditionIsAFilterWithoutMacrosOrLists) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_text(R"(
- list: shells
  items: [bash, "zsh"]
- macro: spawned_shell
  condition: evt.type = execve and proc.name in (shells)
- rule: r
  desc: d
  condition: spawned_shell and not proc.pname = sshd
  output: "%proc.name"
  priority: debug
)",
                            "inline.yaml"));
    ASSERT_TRUE(rs.compile());
    const rule_info* r = find_rule(rs, "r");
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(r->loaded) << r->why_not;
    const std::string& x = r->expanded_condition;
    EXPECT_EQ(x.find("spawned_shell"), std::string::npos) << x;
    EXPECT_EQ(x.find("shells"), std::string::npos) << x;
    EXPECT_NE(x.find("\"bash\", \"zsh\""), std::string::npos) << x;
    EXPECT_NE(x.find("not proc.pname = \"sshd\""), std::string::npos) << x;
    EXPECT_NO_THROW(sinsp::filter::compile(x, fields)) << x;
}

TEST_F(RulesLoader, MacrosSeeOnlyMacrosDefinedBeforeThem) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_text(R"(
- macro: early
  condition: later
- macro: later
  condition: evt.type = open
- rule: uses early
  desc: d
  condition: early
  output: x
  priority: debug
- rule: uses later
  desc: d
  condition: later
  output: x
  priority: debug
)",
                            "order.yaml"));
    rs.compile();
    const auto* d = first_error(rs, "early");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->to_string(), "order.yaml:3:14: error: macro 'early': undefined macro 'later'");
    EXPECT_FALSE(find_rule(rs, "uses early")->loaded);
    EXPECT_NE(find_rule(rs, "uses early")->why_not.find("macro 'early' cannot be used"), std::string::npos);
    EXPECT_TRUE(find_rule(rs, "uses later")->loaded);
}

TEST_F(RulesLoader, AppendsAndOverridesApplyInFileOrder) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_file(fixture("constructs.yaml")));
    ASSERT_TRUE(rs.add_file(fixture("appends.yaml")));
    ASSERT_TRUE(rs.compile());
    const rule_info* r = find_rule(rs, "Shell opens in tmp");
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(r->loaded) << r->why_not;
    // condition: append; the appended macro adds creat to the event types.
    EXPECT_EQ(r->condition, "opened_by_shell and in_tmp\n and fd.num >= 0");
    EXPECT_EQ(r->event_types, (std::vector<std::string>{"creat", "open", "openat", "openat2"}));
    // output/priority/tags: replace.
    EXPECT_EQ(r->output, "shell %proc.name (%thread.tid) opened %fd.name");
    EXPECT_EQ(r->prio, priority::error);
    EXPECT_EQ(r->tags, (std::vector<std::string>{"replaced"}));
    // enabled: replace, desc: append.
    const rule_info* e = find_rule(rs, "Any execve");
    EXPECT_TRUE(e->enabled);
    EXPECT_TRUE(e->active);
    EXPECT_EQ(e->desc, "every successful execve and more");
    // The deprecated `append: true` form warns and still appends.
    bool warned = false;
    for (const auto& m : messages_for(rs, "tmp_dirs")) warned |= m.find("deprecated") != std::string::npos;
    EXPECT_TRUE(warned);
    EXPECT_EQ(rs.summary().errors, 0u);
}

TEST_F(RulesLoader, OverrideErrorsNameTheKey) {
    ruleset rs(fields);
    rs.add_text(R"(
- rule: r
  desc: d
  condition: evt.type = open
  output: x
  priority: debug
- rule: r
  priority: error
  override:
    priority: append
- rule: r
  condition: and proc.name = x
  desc: new
  override:
    condition: append
)",
                "ov.yaml");
    rs.compile();
    const auto msgs = messages_for(rs, "r");
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0],
              "ov.yaml:10:5: error: rule 'r': key 'priority' cannot be appended to, use 'replace' instead");
    EXPECT_EQ(msgs[1], "ov.yaml:13:9: error: rule 'r': key 'desc' has no entry under 'override'");
    // The failed overrides changed nothing.
    EXPECT_EQ(find_rule(rs, "r")->condition, "evt.type = open");
    EXPECT_EQ(find_rule(rs, "r")->prio, priority::debug);
}

TEST_F(RulesLoader, ExceptionsCompileIntoTheConditionAsFalcoDoes) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_file(fixture("exceptions.yaml")));
    ASSERT_TRUE(rs.compile());
    const rule_info* r = find_rule(rs, "Open with exceptions");
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(r->loaded) << r->why_not;
    EXPECT_EQ(r->condition,
              "(evt.type = open)"
              " and not (proc.name in (allowed_names, \"my proc\", more))"
              " and not ((proc.name = sh and fd.name startswith /etc) or (proc.name = bash and fd.name "
              "startswith /usr/lib))"
              " and not ((proc.name = vi and fd.directory in (/tmp, /home)))");
    EXPECT_EQ(r->event_types, (std::vector<std::string>{"open"}));
}

TEST_F(RulesLoader, InvalidExceptionsAreReportedAtTheException) {
    ruleset rs(fields);
    rs.add_text(R"(
- rule: r
  desc: d
  condition: evt.type = open
  output: x
  priority: debug
  exceptions:
    - name: e1
      fields: [proc.name, fd.name]
      comps: [=]
      values: [[a, b]]
)",
                "ex.yaml");
    rs.compile();
    const auto* d = first_error(rs, "r");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(
        d->to_string(),
        "ex.yaml:8:7: error: rule 'r': exception 'e1': fields and comps lists must have the same length");
    EXPECT_FALSE(find_rule(rs, "r")->loaded);
}

TEST_F(RulesLoader, ErrorsDisableOnlyTheirRuleAndNameFileLineColumnAndItem) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_file(fixture("errors.yaml")));
    EXPECT_TRUE(rs.compile());  // not strict: errors disable rules, loading goes on
    const std::string f = fixture("errors.yaml");
    EXPECT_TRUE(find_rule(rs, "Good rule")->active);

    auto error_of = [&](const std::string& rule) {
        const auto* d = first_error(rs, rule);
        return d ? d->to_string() : std::string("<no error>");
    };
    EXPECT_EQ(
        error_of("Unknown field in condition"),
        f +
            ":13:34: error: rule 'Unknown field in condition': needs fields the catalogue does not offer: "
            "'proc.nope' (" +
            f + ":13:34)");
    EXPECT_EQ(find_rule(rs, "Unknown field in condition")->missing_fields,
              (std::vector<std::string>{"proc.nope"}));
    // Inside a folded block scalar: line and column of the offending place in the file.
    EXPECT_EQ(
        error_of("Syntax error in block condition"),
        f + ":21:16: error: rule 'Syntax error in block condition': condition syntax error: expected a value "
            "after '='");
    EXPECT_EQ(
        error_of("Field missing through a macro"),
        f +
            ":25:3: error: rule 'Field missing through a macro': needs fields the catalogue does not offer: "
            "'no.such_field' (macro 'uses_missing_field' at " +
            f + ":3:32)");
    EXPECT_EQ(error_of("Undefined macro"),
              f + ":33:34: error: rule 'Undefined macro': undefined macro 'not_a_macro'");
    EXPECT_EQ(error_of("Unknown field in output"),
              f +
                  ":40:24: error: rule 'Unknown field in output': needs fields the catalogue does not offer: "
                  "'container.nope' (" +
                  f + ":40:24)");
    EXPECT_EQ(error_of("Bad priority"),
              f + ":47:13: error: rule 'Bad priority': invalid priority 'LOUD' (expected Emergency, Alert, "
                  "Critical, Error, Warning, Notice, Informational or Debug)");
    EXPECT_EQ(error_of("Missing output"), f + ":49:3: error: rule 'Missing output': missing key 'output'");
    EXPECT_EQ(error_of("Append to nothing"), f + ":55:3: error: rule 'Append to nothing': no rule 'Append to "
                                                 "nothing' defined earlier to override");
    EXPECT_EQ(find_rule(rs, "Append to nothing"), nullptr);
    // Unknown keys warn.
    bool warned = false;
    for (const auto& m : messages_for(rs, "Missing output"))
        warned |= m == f + ":53:3: warning: rule 'Missing output': unknown key 'colour'";
    EXPECT_TRUE(warned);
    // The macro naming an unknown field warns once at the field.
    const auto macro_msgs = messages_for(rs, "uses_missing_field");
    ASSERT_EQ(macro_msgs.size(), 1u);
    EXPECT_EQ(macro_msgs[0], f + ":3:32: warning: macro 'uses_missing_field': unknown field 'no.such_field'");

    const auto s = rs.summary();
    EXPECT_EQ(s.rules, 8u);
    EXPECT_EQ(s.loaded, 1u);
    EXPECT_EQ(s.failed, 7u);
}

TEST_F(RulesLoader, StrictModeMakesErrorsFatal) {
    sinsp::rules::load_options opts;
    opts.strict = true;
    ruleset rs(fields, opts);
    EXPECT_FALSE(rs.add_file(fixture("errors.yaml")));  // read errors (bad priority, missing output)
    EXPECT_FALSE(rs.compile());

    ruleset ok(fields, opts);
    EXPECT_TRUE(ok.add_file(fixture("constructs.yaml")));
    EXPECT_TRUE(ok.compile());
}

TEST_F(RulesLoader, YamlSyntaxErrorsStopTheFileWithAPosition) {
    ruleset rs(fields);
    EXPECT_FALSE(rs.add_text("- rule: x\n  desc: [unclosed\n", "broken.yaml"));
    ASSERT_FALSE(rs.diagnostics().empty());
    const std::string msg = rs.diagnostics()[0].to_string();
    EXPECT_EQ(msg.rfind("broken.yaml:3:1: error: file: YAML syntax error: ", 0), 0u) << msg;

    ruleset missing(fields);
    EXPECT_FALSE(missing.add_file("/nonexistent/rules.yaml"));
    EXPECT_EQ(missing.diagnostics()[0].to_string(),
              "/nonexistent/rules.yaml: error: file: cannot open the rule file");
}

TEST_F(RulesLoader, NonMappingItemsAndUnknownItemsAreReported) {
    ruleset rs(fields);
    rs.add_text("- just a string\n- something: else\n", "odd.yaml");
    rs.compile();
    ASSERT_EQ(rs.diagnostics().size(), 2u);
    EXPECT_EQ(rs.diagnostics()[0].to_string(),
              "odd.yaml:1:3: error: item: each item must be a mapping (a list, macro or rule)");
    EXPECT_EQ(rs.diagnostics()[1].to_string(),
              "odd.yaml:2:3: warning: item: unknown top-level item (expected list, macro or rule)");
}

TEST_F(RulesLoader, PriorityThresholdLeavesLessSevereRulesInactive) {
    sinsp::rules::load_options opts;
    opts.min_priority = priority::error;
    ruleset rs(fields, opts);
    ASSERT_TRUE(rs.add_file(fixture("constructs.yaml")));
    ASSERT_TRUE(rs.add_file(fixture("appends.yaml")));
    ASSERT_TRUE(rs.compile());
    EXPECT_TRUE(find_rule(rs, "Shell opens in tmp")->active);  // Error after the override
    EXPECT_FALSE(find_rule(rs, "Any execve")->active);         // Informational
    EXPECT_EQ(rs.summary().below_priority, 1u);
    EXPECT_EQ(sinsp::rules::parse_priority("WARNING"), priority::warning);
    EXPECT_EQ(sinsp::rules::parse_priority("Info"), priority::informational);
    EXPECT_FALSE(sinsp::rules::parse_priority("loud"));
}

}  // namespace
