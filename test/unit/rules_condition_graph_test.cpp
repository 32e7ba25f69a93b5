// The shared condition graph's structure (rules/condition_graph.h): identical subtrees are one
// node whatever the written order, text comparisons with constants go to one group per field, and
// results are remembered per event only. What it computes is compared with per-rule evaluation on
// real captures in rules_shared_eval_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "rules/condition_graph.h"
#include "rules/field_cache.h"
#include "sinsp/fields.h"
#include "sinsp/filter_parser.h"
#include "sinsp/inspector.h"
#include "test_paths.h"

namespace {

using sinsp::rules::detail::condition_graph;

uint32_t add(condition_graph& g, const std::string& text) {
    return g.add(*sinsp::filter::parse(text));
}

TEST(RulesConditionGraph, IdenticalSubtreesAreOneNode) {
    sinsp::field_catalog fields;
    sinsp::rules::detail::caching_registry shared(fields);
    condition_graph g(shared);
    const uint32_t a = add(g, "fd.num >= 0 and evt.is_open_write = true and fd.typechar = f");
    const size_t after_first = g.nodes();
    // The same conjunction written in another order, and a rule that names it among others.
    EXPECT_EQ(add(g, "fd.typechar = f and fd.num >= 0 and evt.is_open_write = true"), a);
    EXPECT_EQ(g.nodes(), after_first);
    const uint32_t rule = add(g,
                              "(fd.num >= 0 and evt.is_open_write = true and fd.typechar = f) and "
                              "fd.name startswith /etc/ and not proc.name in (dpkg, rpm)");
    // New: the startswith, the `in`, its `not` and the rule's and; the macro is reused whole.
    EXPECT_EQ(g.nodes(), after_first + 4);
    EXPECT_NE(g.describe(rule).find(g.describe(a)), std::string::npos) << g.describe(rule);
    // not (not x) is x.
    EXPECT_EQ(add(g, "not not fd.num >= 0"), add(g, "fd.num >= 0"));
    // Three comparisons compiled on their own; the text ones are answered by field groups
    // (fd.typechar, fd.name, proc.name).
    EXPECT_EQ(g.comparisons(), 2u);
    EXPECT_EQ(g.text_test_groups(), 3u);
}

TEST(RulesConditionGraph, TextGroupsAnswerLikeTheFilterPerEvent) {
    sinsp::field_catalog fields;
    sinsp::rules::detail::caching_registry shared(fields);
    condition_graph g(shared);
    const char* const texts[] = {
        "fd.name startswith /etc/",
        "fd.name endswith .so.6",
        "fd.name = /etc/ld.so.cache",
        "fd.name in (/etc/passwd, /etc/ld.so.cache)",
        "fd.name startswith \"\"",
        "proc.aname in (bash, sh)",
        "fd.directory in (/etc, /usr/lib)",
        "fd.name != /etc/ld.so.cache",
        "fd.name contains lib",
        "proc.aname contains ur",
        "proc.aname != bash",
        "container.id != host",
        "fd.name contains \"\"",
    };
    std::vector<uint32_t> nodes;
    std::vector<std::unique_ptr<sinsp::filter::compiled_filter>> alone;
    for (const char* t : texts) {
        nodes.push_back(add(g, t));
        alone.push_back(sinsp::filter::compile(t, fields));
    }
    EXPECT_EQ(g.comparisons(), 0u);  // all answered by groups
    sinsp::inspector insp;
    std::string error;
    ASSERT_EQ(insp.open_file(scap_test::capture("libs_curl_google.scap"), error), scap::status::ok) << error;
    const sinsp::event* e = nullptr;
    size_t held = 0;
    while (insp.next(e) == scap::status::ok) {
        const sinsp::event_context ctx{e, &insp};
        g.next_event();
        for (size_t i = 0; i < nodes.size(); ++i) {
            const bool expected = alone[i]->matches(ctx);
            ASSERT_EQ(g.eval(nodes[i], ctx), expected) << texts[i] << " event " << e->num;
            held += expected;
        }
    }
    EXPECT_GT(held, 100u);  // the comparisons hold on many of these events, not only fail
}

}  // namespace
