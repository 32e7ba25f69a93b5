// Event-type derivation: which event codes (and ppm_sc codes) a filter can possibly match.
#include <gtest/gtest.h>

#include <set>

#include "filter_test_fields.h"

using namespace filter_test;

namespace {

std::set<uint16_t> codes_of(const std::string& filter) {
    mock_fields fields;
    auto v = compile(filter, fields)->event_codes();
    std::set<uint16_t> out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i]) out.insert(static_cast<uint16_t>(i));
    }
    return out;
}

std::set<uint16_t> named(std::initializer_list<const char*> names) {
    std::set<uint16_t> out;
    for (size_t i = 0; i < PPM_EVENT_MAX; ++i) {
        for (const char* n : names) {
            if (scap_event_table[i].name && std::string(n) == scap_event_table[i].name)
                out.insert(uint16_t(i));
        }
    }
    return out;
}

std::set<uint16_t> all_but(const std::set<uint16_t>& s) {
    std::set<uint16_t> out;
    for (uint16_t i = 0; i < PPM_EVENT_MAX; ++i) {
        if (!s.count(i)) out.insert(i);
    }
    return out;
}

const std::set<uint16_t> k_all = all_but({});

}  // namespace

TEST(FilterCodes, NamesResolveToEveryCodeOfThatName) {
    auto open = named({"open"});
    EXPECT_TRUE(open.count(PPME_SYSCALL_OPEN_E));
    EXPECT_TRUE(open.count(PPME_SYSCALL_OPEN_X));
    EXPECT_EQ(codes_of("evt.type=open"), open);
    EXPECT_EQ(codes_of("evt.type in (open, openat)"), named({"open", "openat"}));
    EXPECT_EQ(codes_of("evt.type=nonexistent"), std::set<uint16_t>{});
}

TEST(FilterCodes, UnrelatedChecksAreNeutral) {
    EXPECT_EQ(codes_of("proc.name=cat"), k_all);
    EXPECT_EQ(codes_of("not proc.name=cat"), k_all);
    EXPECT_EQ(codes_of("evt.type contains open"), k_all);
    EXPECT_EQ(codes_of("tolower(evt.type) = open"), k_all);
    EXPECT_EQ(codes_of("evt.type = val(proc.name)"), k_all);
    EXPECT_EQ(codes_of("evt.type exists"), k_all);
    EXPECT_EQ(codes_of("not evt.type exists"), std::set<uint16_t>{});
}

TEST(FilterCodes, AndIntersectsOrUnites) {
    EXPECT_EQ(codes_of("evt.type=open and proc.name=cat"), named({"open"}));
    EXPECT_EQ(codes_of("evt.type=open and evt.type=openat"), std::set<uint16_t>{});
    EXPECT_EQ(codes_of("evt.type=open or evt.type=openat"), named({"open", "openat"}));
    EXPECT_EQ(codes_of("evt.type=open or proc.name=cat"), k_all);
    EXPECT_EQ(codes_of("evt.type in (open, openat) and evt.type in (openat, close)"), named({"openat"}));
    EXPECT_EQ(codes_of("(evt.type=open or evt.type=close) and (proc.name=a or proc.name=b)"),
              named({"open", "close"}));
}

TEST(FilterCodes, NegationComplements) {
    EXPECT_EQ(codes_of("evt.type != open"), all_but(named({"open"})));
    EXPECT_EQ(codes_of("not evt.type = open"), all_but(named({"open"})));
    EXPECT_EQ(codes_of("not evt.type != open"), named({"open"}));
    EXPECT_EQ(codes_of("not not evt.type = open"), named({"open"}));
    EXPECT_EQ(codes_of("not evt.type in (open, close)"), all_but(named({"open", "close"})));
    // De Morgan: not (a or b) = not a and not b
    EXPECT_EQ(codes_of("not (evt.type=open or evt.type=close)"), all_but(named({"open", "close"})));
    // not (a and b) = not a or not b
    EXPECT_EQ(codes_of("not (evt.type=open and proc.name=cat)"), k_all);
    EXPECT_EQ(codes_of("evt.type=open and not evt.type=open"), std::set<uint16_t>{});
    EXPECT_EQ(codes_of("evt.type in (open, close) and not evt.type=close"), named({"open"}));
    EXPECT_EQ(codes_of("not (evt.type in (open, close) and not evt.type=close)"), all_but(named({"open"})));
}

TEST(FilterCodes, SyscallCodes) {
    mock_fields fields;
    auto sc = compile("evt.type in (open, openat) and proc.name=cat", fields)->syscall_codes();
    ASSERT_EQ(sc.size(), size_t{PPM_SC_MAX});
    size_t n = 0;
    for (size_t i = 0; i < sc.size(); ++i) {
        if (!sc[i]) continue;
        ++n;
        std::string name = scap_ppm_sc_names[i];
        EXPECT_TRUE(name == "open" || name == "openat") << name;
    }
    EXPECT_EQ(n, 2u);
    auto neg = compile("evt.type != open", fields)->syscall_codes();
    for (size_t i = 0; i < neg.size(); ++i) {
        bool is_open = scap_ppm_sc_names[i] && std::string(scap_ppm_sc_names[i]) == "open";
        EXPECT_EQ(neg[i], !is_open) << i;
    }
}
