// Output formats: text lines and JSON objects over real captures, widths, '*', errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "field_probe.h"
#include "sinsp/formatter.h"

namespace {

// The first event of `capture` matching `filter`, formatted with `format`.
struct first_match {
    std::string text;
    bool printed = false;
    uint64_t num = 0;
};

first_match format_first(const std::string& capture, const std::string& filter, const std::string& format,
                         bool json = false) {
    sinsp::inspector insp;
    sinsp::field_catalog fields;
    sinsp::event_formatter fmt(format, fields);
    first_match r;
    bool done = false;
    scap_test::for_each_match(insp, capture, filter, [&](const sinsp::event& e) {
        if (done) return;
        done = true;
        sinsp::event_context ctx{&e, &insp};
        r.printed = json ? fmt.format_json(ctx, r.text) : fmt.format(ctx, r.text);
        r.num = e.num;
    });
    EXPECT_TRUE(done) << "no event matched " << filter;
    return r;
}

// falco_cat_write.scap: cat (tid 20072) opens /etc/ld.so.cache first (scap-open -p).
const char* k_cat = "falco_cat_write.scap";
const char* k_cat_open = "evt.type=open and thread.tid=20072";

TEST(Formatter, FieldsAndLiteralsOnARealEvent) {
    auto r = format_first(k_cat, k_cat_open, "%evt.num %proc.name (%thread.tid) %evt.type %fd.name");
    ASSERT_TRUE(r.printed);
    EXPECT_EQ(r.text, std::to_string(r.num) + " cat (20072) open /etc/ld.so.cache");
}

TEST(Formatter, WidthPadsAndCuts) {
    EXPECT_EQ(format_first(k_cat, k_cat_open, "[%6proc.name]").text, "[cat   ]");
    EXPECT_EQ(format_first(k_cat, k_cat_open, "[%2proc.name]").text, "[ca]");
}

TEST(Formatter, Transformers) {
    EXPECT_EQ(format_first(k_cat, k_cat_open, "%toupper(proc.name):%basename(fd.name)").text,
              "CAT:ld.so.cache");
}

TEST(Formatter, AbsentFieldSkipsTheEventUnlessStarred) {
    // An execve uses no fd: fd.name does not apply to it.
    const char* exec = "evt.type=execve and thread.tid=20072";
    auto strict = format_first(k_cat, exec, "%proc.name %fd.name");
    EXPECT_FALSE(strict.printed);
    EXPECT_EQ(strict.text, "");
    auto lenient = format_first(k_cat, exec, "*%proc.name %fd.name");
    EXPECT_TRUE(lenient.printed);
    EXPECT_EQ(lenient.text, "cat <NA>");
}

TEST(Formatter, JsonHasTypedMembersInOrder) {
    auto r = format_first(k_cat, k_cat_open, "%evt.num %proc.name %thread.tid %fd.name", true);
    ASSERT_TRUE(r.printed);
    auto j = nlohmann::json::parse(r.text);
    EXPECT_EQ(j["evt.num"].get<uint64_t>(), r.num);
    EXPECT_EQ(j["proc.name"], "cat");
    EXPECT_EQ(j["thread.tid"].get<int64_t>(), 20072);
    EXPECT_EQ(j["fd.name"], "/etc/ld.so.cache");
    EXPECT_EQ(r.text.find("\"evt.num\""), 1u);  // members keep the format's order
}

TEST(Formatter, JsonAbsentFieldIsNullWhenStarred) {
    auto r = format_first(k_cat, "evt.type=execve and thread.tid=20072", "*%proc.name %fd.name", true);
    ASSERT_TRUE(r.printed);
    auto j = nlohmann::json::parse(r.text);
    EXPECT_TRUE(j["fd.name"].is_null());
}

TEST(Formatter, DeviceNumbersAreHexInTextAndJson) {
    // The first openat of the mixed capture opens a file on device 0xfe00 (scapdig -r ... evt.args).
    const char* cap = "reference_mixed_2M.scap.gz";
    const char* open = "evt.type=openat and evt.rawres >= 0";
    auto text = format_first(cap, open, "%fd.dev %fd.dev.major %evt.arg.dev");
    EXPECT_EQ(text.text, "FE00 254 FE00");  // new_encode_dev: major 0xfe, minor 0
    auto json = format_first(cap, open, "%fd.dev %toupper(fd.name)", true);
    auto j = nlohmann::json::parse(json.text);
    EXPECT_EQ(j["fd.dev"], "FE00");  // a string, as the reference's JSON has it
}

TEST(Formatter, HexParametersShownInHex) {
    // cat's open of /etc/ld.so.cache: flags 4097 (O_RDONLY|O_CLOEXEC), a PF_HEX parameter; filters
    // still compare the number.
    auto text = format_first(k_cat, std::string(k_cat_open) + " and evt.rawarg.flags = 4097",
                             "%evt.rawarg.flags %evt.rawarg.fd");
    EXPECT_EQ(text.text, "1001 3");
    auto json = format_first(k_cat, k_cat_open, "%evt.rawarg.flags", true);
    EXPECT_EQ(nlohmann::json::parse(json.text)["evt.rawarg.flags"], "1001");
}

TEST(Formatter, JsonEmptyListIsNull) {
    // cat's mmap of an anonymous region (fd -1) comes before it opened anything: no fds yet.
    auto r = format_first(k_cat, "evt.type=mmap and thread.tid=20072", "*%fd.types", true);
    ASSERT_TRUE(r.printed);
    EXPECT_TRUE(nlohmann::json::parse(r.text)["fd.types"].is_null()) << r.text;
    auto listed = format_first(k_cat, k_cat_open, "%fd.types", true);
    EXPECT_EQ(nlohmann::json::parse(listed.text)["fd.types"], nlohmann::json::array({"file"}));
}

// Fields listing every ancestor are joined as the reference joins them: no space before the first
// non-empty value, and only empty values (no ancestor of cat has a known executable path in this
// old capture) are no value at all.
TEST(Formatter, AncestorListWithOnlyEmptyValuesIsNoValue) {
    auto text = format_first(k_cat, k_cat_open, "*%proc.aexepath|%proc.aname");
    EXPECT_EQ(text.text, "<NA>|bash emacs bash sshd sshd sshd systemd");
    EXPECT_FALSE(format_first(k_cat, k_cat_open, "%proc.aexepath").printed);
    auto json = format_first(k_cat, k_cat_open, "*%proc.aexepath %proc.aname", true);
    ASSERT_TRUE(json.printed);
    const auto j = nlohmann::json::parse(json.text);
    EXPECT_TRUE(j["proc.aexepath"].is_null());
    EXPECT_EQ(j["proc.aname"], "bash emacs bash sshd sshd sshd systemd");
}

TEST(Formatter, ErrorsNameThePosition) {
    sinsp::field_catalog fields;
    try {
        sinsp::event_formatter f("%proc.name %", fields);
        FAIL() << "accepted a trailing %";
    } catch (const sinsp::filter::filter_error& e) {
        EXPECT_EQ(e.pos().offset, 11u);
    }
    try {
        sinsp::event_formatter f("pid %proc.nosuch rest", fields);
        FAIL() << "accepted an unknown field";
    } catch (const sinsp::filter::filter_error& e) {
        EXPECT_EQ(e.pos().offset, 5u);
        EXPECT_NE(std::string(e.what()).find("proc.nosuch"), std::string::npos) << e.what();
    }
    EXPECT_THROW(sinsp::event_formatter("%12", fields), sinsp::filter::filter_error);
}

TEST(Formatter, ListsTheFieldsItUses) {
    sinsp::field_catalog fields;
    sinsp::event_formatter f("*%evt.num x %toupper(proc.name)", fields);
    EXPECT_EQ(f.field_names(), (std::vector<std::string>{"evt.num", "toupper(proc.name)"}));
}

}  // namespace
