// The shared condition graph (load_options::share_conditions, the default) must raise exactly the
// rules each condition evaluated on its own raises. The default rules almost never fire on the
// shared captures, so the comparison also loads, generated at test time from the files:
//   - every loaded default rule negated (`not (<condition>)`), which holds on nearly every event
//     of its types, so every condition is evaluated in full, and in both outcomes;
//   - every default macro as a rule, and negated, which share their subtrees with the rules;
//   - text comparisons at the edges of the per-field groups, and negated.
// Every event of the small shared captures and the first 200,000 of the 2M-event capture are
// compared, rule list by rule list, in all-matches mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sinsp/fields.h"
#include "sinsp/inspector.h"
#include "sinsp/rules.h"
#include "test_paths.h"

namespace {

using sinsp::rules::ruleset;

const char* const k_default_files[] = {"falco_rules.yaml", "falco-incubating_rules.yaml",
                                       "falco-sandbox_rules.yaml"};

std::string rules_dir() {
    return std::filesystem::path(scap_test::captures_dir()).parent_path().string() + "/rules";
}

// `- macro: NAME` items of a file, read from the text (independently of the loader).
std::vector<std::string> macro_names(const std::string& file) {
    std::vector<std::string> out;
    FILE* f = std::fopen(file.c_str(), "r");
    if (!f) return out;
    char line[4096];
    const std::string tag = "- macro: ";
    while (std::fgets(line, sizeof line, f)) {
        std::string s(line);
        if (s.rfind(tag, 0) != 0) continue;
        s = s.substr(tag.size());
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
        out.push_back(s);
    }
    std::fclose(f);
    return out;
}

// One rule item; the condition goes in a literal block so any text stays as it is.
void add_rule(std::string& yaml, const std::string& name, const std::string& condition) {
    yaml += "- rule: " + name + "\n  desc: generated\n  condition: |-\n";
    size_t start = 0;
    while (start <= condition.size()) {
        size_t end = condition.find('\n', start);
        if (end == std::string::npos) end = condition.size();
        yaml += "    " + condition.substr(start, end - start) + "\n";
        start = end + 1;
    }
    yaml += "  output: \"%evt.num\"\n  priority: debug\n";
}

// Text comparisons the field groups answer (text_tests.h: =, in, !=, startswith, endswith,
// contains), at their edges: empty constants and values, a prefix or suffix equal to the whole value, a field
// with several values where any may match (proc.aname), a fixed ancestor, lists with repeated items, several
// tests on one field.
const char* const k_edge_rules[] = {
    "proc.aname in (bash, sh, systemd, bash)",
    "proc.aname startswith s and not proc.aname endswith d",
    "proc.aname[2] endswith sh or proc.aname[1] = \"\"",
    "fd.name startswith \"\" and evt.type in (openat, close, read)",
    "fd.name endswith \"\" or proc.name = \"\"",
    "fd.name = /etc/ld.so.cache or fd.name startswith /usr/lib/x86_64-linux-gnu/libc or fd.name endswith "
    ".so.6",
    "fd.filename in (passwd, ld.so.cache, ld.so.cache) and not fd.directory in (/etc)",
    "proc.name startswith cu and proc.name endswith rl and proc.name = curl and proc.name in (curl)",
    "fd.name startswith /etc/ld.so.cache and fd.name endswith /etc/ld.so.cache",
    // != and contains answered by the groups too: empty constants, several values, a constant
    // equal to the whole value, the same test as = elsewhere.
    "proc.aname != bash and proc.aname contains sh",
    "fd.name != /etc/ld.so.cache or fd.name contains \"\" or proc.name != \"\"",
    "fd.name contains /etc/ld.so.cache and fd.name != \"\" and container.id != host",
    "proc.aname[2] contains a or fd.filename contains .so or fd.directory != /etc",
    "fd.name contains lib and not fd.name contains libc and fd.name = /etc/ld.so.cache",
};

// Every generated rule, or (positive_first, for first-match mode) the edge comparisons and the
// macros as they are first, then the negations, which hold on nearly every event and would
// otherwise shadow everything after them.
std::string generated_rules(bool positive_first = false) {
    sinsp::field_catalog fields;
    ruleset probe(fields);
    for (const char* f : k_default_files) EXPECT_TRUE(probe.add_file(rules_dir() + "/" + f)) << f;
    probe.compile();
    std::string positive, negated;
    size_t n = 0;
    for (const auto& r : probe.rules()) {
        if (!r.loaded) continue;
        add_rule(negated, "generated " + std::to_string(n++), "not (" + r.condition + ")");
    }
    EXPECT_GT(n, 80u);  // the default rules loaded
    for (const char* c : k_edge_rules) {
        add_rule(positive, "generated " + std::to_string(n++), c);
        add_rule(negated, "generated " + std::to_string(n++), std::string("not (") + c + ")");
    }
    for (const char* f : k_default_files) {
        for (const auto& m : macro_names(rules_dir() + "/" + f)) {
            add_rule(positive, "generated " + std::to_string(n++), m);
            add_rule(negated, "generated " + std::to_string(n++), "not " + m);
        }
    }
    return positive_first ? positive + negated : negated + positive;
}

std::unique_ptr<ruleset> load(sinsp::field_catalog& fields, const std::string& extra, bool shared,
                              bool all_matches = true) {
    sinsp::rules::load_options opts;
    opts.all_matches = all_matches;
    opts.share_conditions = shared;
    auto rs = std::make_unique<ruleset>(fields, opts);
    for (const char* f : k_default_files) EXPECT_TRUE(rs->add_file(rules_dir() + "/" + f)) << f;
    EXPECT_TRUE(rs->add_text(extra, "generated.yaml"));
    rs->compile();
    return rs;
}

// The rules one list has and the other lacks, by name, for failure messages.
std::string differing_rules(const ruleset& rs, const std::vector<uint32_t>& a,
                            const std::vector<uint32_t>& b) {
    std::string out;
    for (uint32_t r : a) {
        if (std::find(b.begin(), b.end(), r) == b.end())
            out +=
                "shared only: " + rs.rules()[r].name + " (" + rs.rules()[r].condition.substr(0, 300) + "); ";
    }
    for (uint32_t r : b) {
        if (std::find(a.begin(), a.end(), r) == a.end())
            out +=
                "alone only: " + rs.rules()[r].name + " (" + rs.rules()[r].condition.substr(0, 300) + "); ";
    }
    return out;
}

TEST(RulesSharedEvaluation, SameMatchesAsEachConditionAlone) {
    const std::string extra = generated_rules();
    sinsp::field_catalog fields;
    auto shared = load(fields, extra, true);
    auto plain = load(fields, extra, false);
    // Both load the same rules; a generated rule that fails to compile would go unnoticed.
    EXPECT_EQ(shared->summary().active, plain->summary().active);
    EXPECT_EQ(shared->summary().failed, 0u);

    std::vector<std::string> captures;
    for (const auto& entry : std::filesystem::directory_iterator(scap_test::captures_dir())) {
        if (entry.path().extension() == ".scap") captures.push_back(entry.path().string());
    }
    std::sort(captures.begin(), captures.end());
    captures.push_back(scap_test::capture("reference_mixed_2M.scap.gz"));
    ASSERT_GE(captures.size(), 11u);

    size_t compared = 0, matched = 0;
    for (const auto& cap : captures) {
        sinsp::inspector insp;
        std::string error;
        ASSERT_EQ(insp.open_file(cap, error), scap::status::ok) << cap << ": " << error;
        const sinsp::event* e = nullptr;
        size_t in_capture = 0;
        while (insp.next(e) == scap::status::ok && in_capture++ < 200000) {
            const sinsp::event_context ctx{e, &insp};
            const std::vector<uint32_t> a = shared->evaluate(ctx);
            const std::vector<uint32_t>& b = plain->evaluate(ctx);
            ASSERT_EQ(a, b) << cap << " event " << e->num << ": " << differing_rules(*shared, a, b);
            ++compared;
            matched += a.size();
        }
    }
    std::printf("%zu events compared, %zu matches\n", compared, matched);
    EXPECT_GT(compared, 200000u);
    // The negated rules and macros fire on most events: the comparison covers both outcomes.
    EXPECT_GT(matched, compared);
}

// Alerts counted per rule over the whole 2M-event capture must be the same with the shared graph
// and its shortcuts (text groups, answers read in place, measured operand order, which changes
// every 65,536 events) as with each rule's condition evaluated on its own, in Falco's default
// mode (the first matching rule in load order). The default rules come first, so an event one of
// them matches is theirs. (All-matches mode is compared event by event on the first 200,000
// events above; over the whole capture the per-rule engine takes minutes.)
void expect_same_alerts_per_rule(bool all_matches, size_t min_rules) {
    const std::string extra = generated_rules(true);
    sinsp::field_catalog fields;
    auto shared = load(fields, extra, true, all_matches);
    auto plain = load(fields, extra, false, all_matches);
    std::map<std::string, size_t> shared_counts, plain_counts;
    sinsp::inspector insp;
    std::string error;
    ASSERT_EQ(insp.open_file(scap_test::capture("reference_mixed_2M.scap.gz"), error), scap::status::ok)
        << error;
    const sinsp::event* e = nullptr;
    size_t events = 0;
    while (insp.next(e) == scap::status::ok) {
        const sinsp::event_context ctx{e, &insp};
        for (uint32_t r : shared->evaluate(ctx)) ++shared_counts[shared->rules()[r].name];
        for (uint32_t r : plain->evaluate(ctx)) ++plain_counts[plain->rules()[r].name];
        ++events;
    }
    EXPECT_EQ(events, 2000076u);
    EXPECT_EQ(shared_counts, plain_counts);
    size_t alerts = 0;
    for (const auto& [name, n] : shared_counts) alerts += n;
    std::printf("%zu events, %zu alerts from %zu rules\n", events, alerts, shared_counts.size());
    EXPECT_GE(alerts, events);  // the negations hold on nearly every event
    EXPECT_GE(shared_counts.size(), min_rules);
}

TEST(RulesSharedEvaluation, SameAlertsPerRuleOverTheWholeCaptureFirstMatch) {
    // Broad generated rules (`fd.name startswith ""`) take most events: only a few rules fire.
    expect_same_alerts_per_rule(false, 4);
}

}  // namespace
