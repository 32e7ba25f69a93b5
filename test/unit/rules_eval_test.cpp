// Rules evaluated on a real capture (../shared/captures/falco_cat_write.scap) with the fixture
// test/rules/cat_opens.yaml: which events raise which rule (first match vs all matches, the
// exception, the priority threshold), and the alert's text and JSON as Falco prints them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sinsp/fields.h"
#include "sinsp/inspector.h"
#include "sinsp/rules.h"
#include "test_paths.h"

namespace {

using sinsp::rules::ruleset;

struct alert {
    uint64_t evt_num;
    std::string rule;
    std::string text;
    std::string json;
};

class RulesEval : public ::testing::Test {
  protected:
    // evt.time is local time: pin the zone so the expected lines are fixed.
    void SetUp() override {
        const char* tz = std::getenv("TZ");
        m_had = tz != nullptr;
        m_saved = tz ? tz : "";
        setenv("TZ", "UTC", 1);
        tzset();
    }
    void TearDown() override {
        if (m_had)
            setenv("TZ", m_saved.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

    std::vector<alert> run(sinsp::rules::load_options opts) {
        ruleset rs(fields, opts);
        EXPECT_TRUE(rs.add_file(std::string(SCAP_SOURCE_DIR) + "/test/rules/cat_opens.yaml"));
        EXPECT_TRUE(rs.compile());
        EXPECT_EQ(rs.summary().errors, 0u);
        sinsp::inspector insp;
        std::string error;
        EXPECT_EQ(insp.open_file(scap_test::capture("falco_cat_write.scap"), error), scap::status::ok)
            << error;
        std::vector<alert> out;
        const sinsp::event* e = nullptr;
        while (insp.next(e) == scap::status::ok) {
            const sinsp::event_context ctx{e, &insp};
            for (uint32_t r : rs.evaluate(ctx)) {
                alert a{e->num, rs.rules()[r].name, {}, {}};
                rs.format_text(r, ctx, a.text);
                rs.format_json(r, ctx, "testhost", a.json);
                out.push_back(std::move(a));
            }
        }
        return out;
    }

    sinsp::field_catalog fields;

  private:
    bool m_had = false;
    std::string m_saved;
};

TEST_F(RulesEval, FirstMatchingRuleInLoadOrderAndTheExceptionApplies) {
    const auto alerts = run({});
    // cat opens /etc/ld.so.cache (137), libc (143, excepted: /lib), the locale archive (162,
    // excepted: /usr/lib) and /dev/null (168): the first rule in load order wins.
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[0].evt_num, 137u);
    EXPECT_EQ(alerts[0].rule, "Cat opens a file");
    EXPECT_EQ(alerts[0].text,
              "16:17:57.881785348: Warning cat (pid 20072, user <NA>) opened /etc/ld.so.cache");
    EXPECT_EQ(alerts[1].evt_num, 168u);
    EXPECT_EQ(alerts[1].rule, "Cat opens a file");
}

TEST_F(RulesEval, AllMatchesReportsEveryMatchingRule) {
    sinsp::rules::load_options opts;
    opts.all_matches = true;
    const auto alerts = run(opts);
    ASSERT_EQ(alerts.size(), 3u);
    EXPECT_EQ(alerts[2].evt_num, 168u);
    EXPECT_EQ(alerts[2].rule, "Cat opens dev null");
    EXPECT_EQ(alerts[2].text, "16:17:57.882054739: Critical null open by cat");
}

TEST_F(RulesEval, PriorityThresholdDropsLessSevereRules) {
    sinsp::rules::load_options opts;
    opts.min_priority = sinsp::rules::priority::error;
    const auto alerts = run(opts);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].rule, "Cat opens dev null");
}

TEST_F(RulesEval, JsonAlertHasFalcosShape) {
    const auto alerts = run({});
    ASSERT_FALSE(alerts.empty());
    const auto j = nlohmann::json::parse(alerts[0].json);
    ASSERT_TRUE(j.is_object());
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"hostname", "output", "output_fields", "priority", "rule",
                                              "source", "tags", "time"}));
    EXPECT_EQ(j["hostname"], "testhost");
    EXPECT_EQ(j["rule"], "Cat opens a file");
    EXPECT_EQ(j["priority"], "Warning");
    EXPECT_EQ(j["source"], "syscall");
    EXPECT_EQ(j["tags"], nlohmann::json::array({"files", "test"}));
    EXPECT_EQ(j["time"], "2016-08-04T16:17:57.881785348Z");
    EXPECT_EQ(j["output"], "16:17:57.881785348: Warning cat (pid 20072, user <NA>) opened /etc/ld.so.cache");
    const auto& f = j["output_fields"];
    EXPECT_EQ(f["proc.name"], "cat");
    EXPECT_EQ(f["proc.pid"], 20072);
    EXPECT_EQ(f["user.name"], "<NA>");  // the old execve gives no uid: unknown, as in the reference
    EXPECT_EQ(f["fd.name"], "/etc/ld.so.cache");
    EXPECT_TRUE(f["evt.time"].is_number_unsigned());
    EXPECT_EQ(f["evt.time"].get<uint64_t>() % 1000000000ull, 881785348ull);
}

TEST_F(RulesEval, EventTypeIndexSelectsLiveSyscalls) {
    ruleset rs(fields);
    ASSERT_TRUE(rs.add_file(std::string(SCAP_SOURCE_DIR) + "/test/rules/cat_opens.yaml"));
    ASSERT_TRUE(rs.compile());
    const std::vector<bool> events = rs.event_codes();
    size_t n = 0;
    for (size_t c = 0; c < events.size(); ++c) {
        if (!events[c]) continue;
        ++n;
        EXPECT_STREQ(scap_event_table[c].name, "open");
    }
    EXPECT_GE(n, 1u);
    const std::vector<bool> sc = rs.syscall_codes();
    size_t nsc = 0;
    for (size_t c = 0; c < sc.size(); ++c) {
        if (!sc[c]) continue;
        ++nsc;
        EXPECT_STREQ(scap_ppm_sc_names[c], "open");
    }
    EXPECT_EQ(nsc, 1u);
}

}  // namespace
