// The field catalog end to end: binding, filtering real captures, text of extracted values.
#include <gtest/gtest.h>

#include "field_probe.h"

namespace {

using scap_test::field_probe;

TEST(FieldsCatalog, FilterOverRealCaptureSeesStateDerivedValues) {
    sinsp::inspector insp;
    field_probe probe({"evt.num", "evt.type", "proc.name", "fd.name"});
    size_t matches = 0;
    scap_test::for_each_match(insp, "falco_cat_write.scap", "evt.type=open and proc.name=cat",
                              [&](const sinsp::event& e) {
                                  ++matches;
                                  EXPECT_EQ(probe.text("evt.type", e, insp), "open");
                                  EXPECT_EQ(probe.text("evt.num", e, insp), std::to_string(e.num));
                                  EXPECT_EQ(probe.text("proc.name", e, insp), "cat");
                              });
    EXPECT_EQ(matches, 4u);  // ld.so.cache, libc, locale-archive, /dev/null (scap-open -p)
}

TEST(FieldsCatalog, UnknownFieldIsAnError) {
    sinsp::field_catalog catalog;
    EXPECT_THROW(sinsp::filter::compile("proc.nosuchfield = x", catalog), std::exception);
}

TEST(FieldsCatalog, EveryFieldHasADescriptionAndAKnownClass) {
    sinsp::field_catalog catalog;
    size_t n = 0;
    catalog.for_each_field([&](const sinsp::filter::field_descriptor& d) {
        ++n;
        EXPECT_FALSE(d.description.empty()) << d.name;
        bool known = false;
        for (const auto& c : sinsp::field_classes()) {
            const std::string prefix = std::string(c.name) + ".";
            if (d.name.compare(0, prefix.size(), prefix) == 0) known = true;
        }
        EXPECT_TRUE(known) << d.name;
    });
    EXPECT_GT(n, 0u);
}

}  // namespace
