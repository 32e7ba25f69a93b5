// The text groups' memo (rules/text_tests.h): answers remembered per distinct value must be the
// answers the value gives when worked out again, whatever happens to the value's storage between
// events (rewritten in place, as an fd renamed or reused would be) and after tests are added.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rules/text_tests.h"
#include "sinsp/fields.h"

namespace {

using sinsp::rules::detail::text_tests;

// A field whose value is whatever the test put in `text`, lent from that string's own buffer,
// so rewriting the string keeps the pointer and changes the bytes.
struct scripted_field : sinsp::filter::field_extractor {
    std::string* text;
    bool applies = true;
    explicit scripted_field(std::string* t) : text(t) {}
    bool extract(const sinsp::event_context&, sinsp::filter::value_list& out) override {
        if (!applies) return false;
        out.push_back(sinsp::filter::value_view{reinterpret_cast<const uint8_t*>(text->data()),
                                                static_cast<uint32_t>(text->size()), 0});
        return true;
    }
};

// One test and how to decide it directly.
struct expected_test {
    text_tests::kind kind;
    std::vector<std::string> constants;
    text_tests::added id;

    bool holds(const std::string& v) const {
        switch (kind) {
            case text_tests::kind::equal:
                for (const auto& c : constants)
                    if (v == c) return true;
                return false;
            case text_tests::kind::not_equal:
                return v != constants[0];
            case text_tests::kind::prefix:
                return v.compare(0, constants[0].size(), constants[0]) == 0;
            case text_tests::kind::suffix:
                return v.size() >= constants[0].size() &&
                       v.compare(v.size() - constants[0].size(), constants[0].size(), constants[0]) == 0;
            case text_tests::kind::contains:
                return v.find(constants[0]) != std::string::npos;
        }
        return false;
    }
};

class RulesTextMemo : public ::testing::Test {
  protected:
    std::string value;
    std::vector<uint32_t> answers;
    scripted_field* field = nullptr;
    std::unique_ptr<text_tests> group;
    std::vector<expected_test> tests;
    uint32_t event = 0;

    void SetUp() override {
        auto f = std::make_unique<scripted_field>(&value);
        field = f.get();
        group = std::make_unique<text_tests>(std::move(f), 0, answers);
    }
    void add(text_tests::kind k, std::vector<std::string> constants) {
        const text_tests::added id = group->add(k, constants);
        tests.push_back(expected_test{k, std::move(constants), id});
    }
    // Runs the group on `v` as a new event and checks every test (the !=/contains ones too, which
    // the memo keeps once asked) against the direct answer.
    void check(const std::string& v) {
        value = v;
        ++event;
        group->run(sinsp::event_context{}, event);
        for (const auto& t : tests) {
            const bool got = t.id.single ? group->single_holds(t.id.index) : answers[t.id.index] == event;
            EXPECT_EQ(got, field->applies && t.holds(v))
                << "value '" << v << "', test kind " << static_cast<int>(t.kind) << " on '" << t.constants[0]
                << "'";
        }
    }
};

TEST_F(RulesTextMemo, RepeatedValuesAreAnsweredFromTheMemoWithTheSameAnswers) {
    add(text_tests::kind::equal, {"/etc/passwd", "/etc/shadow"});
    add(text_tests::kind::prefix, {"/etc/"});
    add(text_tests::kind::suffix, {".so"});
    add(text_tests::kind::not_equal, {"/etc/passwd"});
    add(text_tests::kind::contains, {"ssh"});
    const std::vector<std::string> values = {
        "/etc/passwd", "/usr/lib/libc.so", "/etc/ssh/sshd_config", "/etc/shadow", "", "/tmp/x"};
    for (int round = 0; round < 3; ++round)
        for (const auto& v : values) check(v);
    EXPECT_EQ(group->memo_fills(), values.size());
    EXPECT_EQ(group->memo_hits(), 2 * values.size());
}

TEST_F(RulesTextMemo, AValueRewrittenInPlaceGetsItsOwnAnswers) {
    add(text_tests::kind::equal, {"/etc/ssh/A_conf.so"});
    add(text_tests::kind::contains, {"B_"});
    // Same storage, same length, same first and last 8 bytes (the memo's key): only the full
    // comparison tells them apart. Asked alternately, each must keep its own answers.
    check("/etc/ssh/A_conf.so");
    value[9] = 'B';  // the fd renamed in place
    ++event;
    group->run(sinsp::event_context{}, event);
    EXPECT_NE(answers[tests[0].id.index], event);
    EXPECT_TRUE(group->single_holds(tests[1].id.index));
    for (int i = 0; i < 4; ++i) {
        check("/etc/ssh/A_conf.so");
        check("/etc/ssh/B_conf.so");
    }
}

TEST_F(RulesTextMemo, AddingATestForgetsRememberedAnswers) {
    add(text_tests::kind::prefix, {"/var/"});
    check("/var/lib/rpm/Packages");
    check("/var/lib/rpm/Packages");
    EXPECT_EQ(group->memo_hits(), 1u);
    // The remembered answer knows nothing of the new test; it must not be reused.
    add(text_tests::kind::prefix, {"/var/lib/rpm"});
    add(text_tests::kind::contains, {"Pack"});
    check("/var/lib/rpm/Packages");
    check("/var/lib/rpm/Packages");
    EXPECT_EQ(group->memo_fills(), 2u);
}

TEST_F(RulesTextMemo, ValuesTheMemoCannotKeepAreStillAnswered) {
    // Seven prefixes of one value hold at once (more than an entry keeps), and a value longer
    // than an entry's text: both are answered the long way on every event.
    for (const char* p : {"/", "/e", "/et", "/etc", "/etc/", "/etc/p", "/etc/pa"})
        add(text_tests::kind::prefix, {p});
    add(text_tests::kind::suffix, {"d"});
    const std::string long_value = "/etc/pa" + std::string(200, 'x') + "d";
    for (int i = 0; i < 3; ++i) {
        check("/etc/passwd");
        check(long_value);
        check("/etc");
    }
    EXPECT_EQ(group->memo_fills(), 1u);  // only /etc fits
    EXPECT_EQ(group->memo_hits(), 2u);
}

TEST_F(RulesTextMemo, AFieldThatDoesNotApplyFailsEveryTestAndLeavesTheMemoAlone) {
    add(text_tests::kind::equal, {"host"});
    add(text_tests::kind::not_equal, {"host"});
    check("host");
    field->applies = false;
    check("host");
    field->applies = true;
    check("host");
    check("abc");
    check("abc");
    // Not applying is not a value: nothing remembered for it. host and abc once each, then hits.
    EXPECT_EQ(group->memo_fills(), 2u);
    EXPECT_EQ(group->memo_hits(), 2u);
}

}  // namespace
