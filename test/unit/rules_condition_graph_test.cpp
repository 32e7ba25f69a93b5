// The shared condition graph's structure (rules/condition_graph.h): identical subtrees are one
// node whatever the written order, text comparisons with constants go to one group per field, and
// results are remembered per event only. What it computes is compared with per-rule evaluation on
// real captures in rules_shared_eval_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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

// A flat program (condition_graph::run_program) reports exactly the roots that hold, in order, and
// stops when asked: roots of every shape (an and over text tests, a negated text test, thread-scoped
// operands and compiled comparisons; an or; a lone text test; a thread-scoped root; one that
// always holds), compared with each condition compiled alone, over more than 65,536 events so
// that reorder() re-sorts the operands (and the programs are rebuilt) several times.
TEST(RulesConditionGraph, ProgramsReportTheRootsThatHold) {
    sinsp::field_catalog fields;
    sinsp::rules::detail::caching_registry shared(fields);
    condition_graph g(shared);
    const char* const texts[] = {
        "fd.num >= 0 and fd.typechar = f and not fd.name in (/etc/ld.so.cache) and proc.name != bash",
        "fd.name startswith /usr/ and not proc.name in (sh, dash) and fd.name endswith .so.6",
        "evt.type = close or fd.directory in (/etc, /usr/lib)",
        "fd.name contains lib",
        "proc.name in (curl, wget) and not user.name = nobody",
        "fd.typechar = 4 and fd.num >= 0 and not container.id = abc",
        nullptr,  // always holds
        "not fd.name startswith /etc/",
    };
    std::vector<int64_t> roots;
    std::vector<std::unique_ptr<sinsp::filter::compiled_filter>> alone;
    for (const char* t : texts) {
        roots.push_back(t ? static_cast<int64_t>(add(g, t)) : -1);
        alone.push_back(t ? sinsp::filter::compile(t, fields) : nullptr);
    }
    const uint32_t program = g.add_program(roots);
    EXPECT_EQ(g.programs(), 1u);
    EXPECT_GT(g.thread_scoped_nodes(), 0u);
    size_t events = 0, held = 0, stopped = 0;
    std::vector<size_t> got, want;
    for (int replay = 0; events < 70'000; ++replay) {
        sinsp::inspector insp;
        std::string error;
        const char* capture = replay % 2 ? "falco_open-multiple-files.scap" : "libs_curl_google.scap";
        ASSERT_EQ(insp.open_file(scap_test::capture(capture), error), scap::status::ok) << error;
        const sinsp::event* e = nullptr;
        while (insp.next(e) == scap::status::ok) {
            ++events;
            const sinsp::event_context ctx{e, &insp};
            want.clear();
            for (size_t i = 0; i < alone.size(); ++i) {
                if (!alone[i] || alone[i]->matches(ctx)) want.push_back(i);
            }
            g.next_event();
            got.clear();
            g.run_program(program, ctx, [&](size_t i) {
                got.push_back(i);
                return true;
            });
            ASSERT_EQ(got, want) << capture << " event " << e->num;
            held += want.size();
            // Stopping at the second match: the same event, its stamps already set.
            got.clear();
            g.run_program(program, ctx, [&](size_t i) {
                got.push_back(i);
                return got.size() < 2;
            });
            const size_t expect_stop = std::min<size_t>(want.size(), 2);
            ASSERT_EQ(got.size(), expect_stop);
            ASSERT_TRUE(std::equal(got.begin(), got.end(), want.begin()));
            stopped += expect_stop == 2;
        }
    }
    // Roots other than the always-true one hold on many events, and several often hold together.
    EXPECT_GT(held, events + 1000);
    EXPECT_GT(stopped, 1000u);
}

}  // namespace
