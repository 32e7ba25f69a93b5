// Falco's default rule files (../shared/rules, loaded from there, never copied) loaded together,
// and every shared capture replayed through them.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "sinsp/fields.h"
#include "sinsp/inspector.h"
#include "sinsp/rules.h"
#include "test_paths.h"

namespace {

using sinsp::rules::ruleset;

std::string rules_dir() {
    return std::filesystem::path(scap_test::captures_dir()).parent_path().string() + "/rules";
}

void load_defaults(ruleset& rs) {
    for (const char* f : {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"})
        ASSERT_TRUE(rs.add_file(rules_dir() + "/" + f)) << f;
    rs.compile();
}

// `- rule:` items in a file, counted from the text (independently of the loader).
size_t rule_items(const std::string& file) {
    FILE* f = std::fopen(file.c_str(), "r");
    if (!f) return 0;
    size_t n = 0;
    char line[4096];
    while (std::fgets(line, sizeof line, f)) n += std::string(line).rfind("- rule:", 0) == 0;
    std::fclose(f);
    return n;
}

TEST(RulesDefaultFiles, LoadTogetherAndOnlyMissingFieldsDisableRules) {
    sinsp::field_catalog fields;
    ruleset rs(fields);
    load_defaults(rs);
    const auto s = rs.summary();
    // The three files define distinct rule names.
    const size_t items = rule_items(rules_dir() + "/falco_rules.yaml") +
                         rule_items(rules_dir() + "/falco-incubating_rules.yaml") +
                         rule_items(rules_dir() + "/falco-sandbox_rules.yaml");
    EXPECT_EQ(s.rules, items);
    EXPECT_EQ(s.rules, 93u);
    EXPECT_EQ(s.loaded + s.failed, s.rules);
    EXPECT_EQ(s.skipped_source, 0u);
    // The catalogue offers every field the default rules use: all of them load.
    EXPECT_EQ(s.loaded, 93u);
    EXPECT_EQ(s.failed, 0u);
    EXPECT_EQ(s.active + s.disabled_by_file, s.loaded);
    ASSERT_EQ(rs.required_engine_versions().size(), 3u);
    EXPECT_EQ(rs.required_engine_versions()[0].first, "0.57.0");

    // Every rule not loaded is so only for fields the catalogue lacks, each really unknown to it.
    std::map<std::string, size_t> by_field;
    for (const auto& r : rs.rules()) {
        if (r.loaded) continue;
        ASSERT_FALSE(r.missing_fields.empty()) << r.name << ": " << r.why_not;
        EXPECT_EQ(r.why_not.rfind("needs fields the catalogue does not offer: ", 0), 0u) << r.why_not;
        for (const auto& f : r.missing_fields) {
            sinsp::filter::bound_field bf;
            std::string err;
            EXPECT_FALSE(fields.bind(f, std::nullopt, bf, err)) << f;
            ++by_field[f];
        }
        std::printf("not loaded: %s: %s\n", r.name.c_str(), r.why_not.c_str());
    }
    for (const auto& [f, n] : by_field) std::printf("missing field %s: %zu rules\n", f.c_str(), n);
    // No error other than the missing fields: one per rule not loaded.
    EXPECT_EQ(s.errors, s.failed);

    // Spot checks of what loaded: event types from the expanded macros.
    for (const auto& r : rs.rules()) {
        if (r.name == "Read sensitive file trusted after startup") {
            EXPECT_TRUE(r.active);
            EXPECT_EQ(r.event_types, (std::vector<std::string>{"open", "openat", "openat2"}));
        }
        if (r.name == "Unexpected UDP Traffic") {
            EXPECT_TRUE(r.active);
            EXPECT_EQ(r.event_types, (std::vector<std::string>{"accept", "accept4", "connect", "listen"}));
        }
    }
}

TEST(RulesDefaultFiles, AlertsOnTheSharedCaptures) {
    sinsp::field_catalog fields;
    sinsp::rules::load_options opts;
    opts.all_matches = true;
    ruleset rs(fields, opts);
    load_defaults(rs);
    std::map<std::string, std::vector<std::string>> found;  // capture -> "evt.num rule | output"
    size_t captures = 0;
    for (const auto& entry : std::filesystem::directory_iterator(scap_test::captures_dir())) {
        if (entry.path().extension() != ".scap") continue;
        ++captures;
        sinsp::inspector insp;
        std::string error;
        ASSERT_EQ(insp.open_file(entry.path().string(), error), scap::status::ok) << error;
        const sinsp::event* e = nullptr;
        std::string text;
        while (insp.next(e) == scap::status::ok) {
            const sinsp::event_context ctx{e, &insp};
            for (uint32_t r : rs.evaluate(ctx)) {
                text.clear();
                rs.format_text(r, ctx, text);
                found[entry.path().filename().string()].push_back(std::to_string(e->num) + " " +
                                                                  rs.rules()[r].name + " | " + text);
            }
        }
    }
    EXPECT_GE(captures, 10u);
    for (const auto& [cap, list] : found) {
        for (const auto& a : list) std::printf("%s: %s\n", cap.c_str(), a.c_str());
    }
    // test_ipv6_client connects a UDP socket to [::1]:2345 (event 200): not one of the expected
    // UDP ports, so Unexpected UDP Traffic fires; its DNS connect to port 53 (event 202) does not.
    // Nothing else in these captures (cat, curl, ping, localhost connects, opens of ordinary
    // files) matches a loaded default rule.
    ASSERT_EQ(found.size(), 1u);
    const auto& udp = found["libs_test_ipv6_client.scap"];
    ASSERT_EQ(udp.size(), 1u);
    EXPECT_EQ(udp[0].rfind("203 Unexpected UDP Traffic | ", 0), 0u) << udp[0];
    EXPECT_NE(udp[0].find("Notice Unexpected UDP Traffic Seen | connection=::1:38255->::1:2345 lport=38255 "
                          "rport=2345 fd_type=ipv6 fd_proto=udp evt_type=connect user=<NA>"),
              std::string::npos)
        << udp[0];
}

}  // namespace

namespace {

// The per-event-type specialisation (and the shared field extraction) must not change what
// matches: every event of these captures raises the same rules with and without it. The
// fixture mixes event types inside one condition so that branches are dropped per type.
TEST(RulesDefaultFiles, SpecialisedConditionsMatchLikeTheWholeCondition) {
    const std::string mixed = R"(
- rule: mixed types
  desc: branches for several event types in one condition
  condition: >
    (evt.type = open and fd.name startswith /etc) or
    (evt.type in (close, read) and not fd.name startswith /dev and evt.num > 0) or
    (evt.type != switch and proc.name = curl and not evt.type in (open, openat)) or
    (evt.num = 0 and evt.type = connect)
  output: "%evt.type %fd.name"
  priority: debug
)";
    sinsp::field_catalog fields;
    auto load = [&](bool specialize) {
        sinsp::rules::load_options opts;
        opts.all_matches = true;
        opts.specialize = specialize;
        auto rs = std::make_unique<ruleset>(fields, opts);
        for (const char* f : {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"})
            EXPECT_TRUE(rs->add_file(rules_dir() + "/" + f));
        EXPECT_TRUE(rs->add_text(mixed, "mixed.yaml"));
        rs->compile();
        return rs;
    };
    auto specialised = load(true);
    auto whole = load(false);
    size_t compared = 0, matched = 0;
    for (const char* cap : {"falco_cat_write.scap", "libs_curl_google.scap", "libs_test_ipv6_client.scap",
                            "falco_open-multiple-files.scap"}) {
        sinsp::inspector insp;
        std::string error;
        ASSERT_EQ(insp.open_file(scap_test::capture(cap), error), scap::status::ok) << error;
        const sinsp::event* e = nullptr;
        while (insp.next(e) == scap::status::ok) {
            const sinsp::event_context ctx{e, &insp};
            const std::vector<uint32_t> a = specialised->evaluate(ctx);
            const std::vector<uint32_t>& b = whole->evaluate(ctx);
            ASSERT_EQ(a, b) << cap << " event " << e->num;
            ++compared;
            matched += a.size();
        }
    }
    EXPECT_EQ(compared, 303u + 939u + 293u + 1230u);  // every event of the four captures
    EXPECT_GT(matched, 100u);                         // the mixed rule fires on many of these events
}

}  // namespace
