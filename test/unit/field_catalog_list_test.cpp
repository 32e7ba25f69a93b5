// The field catalogue against the list kept in test/fields_catalog.txt: a field added, renamed
// or lost shows up here, and the list is what users (and `scapdig -l`) can rely on.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "sinsp/fields.h"
#include "sinsp/filter.h"

namespace {

std::set<std::string> listed_fields() {
    std::ifstream in(std::string(SCAP_SOURCE_DIR) + "/test/fields_catalog.txt");
    std::set<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        out.insert(line);
    }
    return out;
}

TEST(FieldCatalogList, CatalogueMatchesTheList) {
    const std::set<std::string> listed = listed_fields();
    ASSERT_GT(listed.size(), 250u) << "test/fields_catalog.txt not found or truncated";
    sinsp::field_catalog catalog;
    std::set<std::string> registered;
    catalog.for_each_field([&](const sinsp::filter::field_descriptor& d) { registered.insert(d.name); });
    for (const auto& n : listed) EXPECT_TRUE(registered.count(n)) << "listed but not in the catalogue: " << n;
    for (const auto& n : registered) EXPECT_TRUE(listed.count(n)) << "in the catalogue but not listed: " << n;
}

// Every listed field binds in a filter, with a sample argument when it needs one.
TEST(FieldCatalogList, EveryListedFieldCompiles) {
    sinsp::field_catalog catalog;
    std::map<std::string, uint32_t> flags;
    catalog.for_each_field([&](const sinsp::filter::field_descriptor& d) { flags[d.name] = d.flags; });
    for (const auto& n : listed_fields()) {
        std::string expr = n;
        if (flags[n] & sinsp::filter::FIELD_ARG_REQUIRED) {
            expr += n == "evt.around"                       ? "[1404996934793590564]"
                    : (n == "evt.rawarg" || n == "evt.arg") ? "[fd]"
                                                            : "[0]";
        }
        expr += n == "evt.around" ? " = 1000" : " exists";
        EXPECT_NO_THROW(sinsp::filter::compile(expr, catalog)) << expr;
    }
}

}  // namespace
