// The ruleset's internals, shared by its loading, compiling and evaluating parts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "condition_graph.h"
#include "field_cache.h"
#include "model.h"
#include "sinsp/filter.h"
#include "sinsp/formatter.h"
#include "sinsp/rules.h"

namespace sinsp::rules {

// A rule that compiled: its filter and output, evaluated per event.
struct compiled_rule {
    uint32_t info = 0;                                // index into impl::infos
    std::unique_ptr<filter::compiled_filter> filter;  // the whole condition (event types, syscalls)
    std::unique_ptr<event_formatter> output;
    // The condition specialised per event type (specialize.h): for each code the rule can match,
    // the variant to evaluate (index into variants), or -1 when the condition always holds for
    // that type. Types for which it can never hold are left out.
    // With load_options::share_conditions, the variants are nodes of impl::graph instead.
    std::vector<std::unique_ptr<filter::compiled_filter>> variants;
    std::vector<uint32_t> graph_nodes;
    std::vector<std::pair<uint16_t, int32_t>> per_code;
};

// One entry of the event-type index: the rule and the filter or graph node to run (neither:
// always matches).
struct indexed_rule {
    uint32_t rule = 0;  // index into compiled_rules
    filter::compiled_filter* filter = nullptr;
    int64_t node = -1;  // in impl::graph
};

struct ruleset::impl {
    filter::field_registry& fields;
    // What rule conditions bind through: each field extracted once per event for all rules.
    detail::caching_registry shared_fields{fields};
    // The specialised conditions of all rules as one graph of shared subtrees (share_conditions).
    detail::condition_graph graph{shared_fields};
    load_options opts;
    detail::collection collected;
    detail::reporter rep;
    bool compiled = false;
    bool fatal = false;  // a file could not be read or parsed

    std::vector<rule_info> infos;
    std::vector<compiled_rule> compiled_rules;
    // Per event code, the active compiled rules in load order (indices into compiled_rules).
    std::vector<std::vector<indexed_rule>> by_type;
    // Per event code, with shared conditions: the graph's flat program of by_type[code]'s roots
    // (condition_graph::run_program); empty otherwise.
    std::vector<uint32_t> program_of;
    std::vector<int32_t> compiled_of;  // per rule_info: index into compiled_rules, or -1
    // Per event code, whether any rule watches it (by_type[code] not empty), read first by
    // evaluate(): most events (context switches, reads, writes) have no rule, and this small
    // array beside `matches` is all they touch.
    std::vector<uint8_t> watched;
    std::vector<uint32_t> matches;  // evaluate()'s result, capacity reserved at compile time
    std::unique_ptr<event_formatter> time_format;
    std::string scratch;  // output rendering

    impl(filter::field_registry& f, load_options o) : fields(f), opts(o) {}
    void compile_all();
    // The alert's text line before escaping, in `scratch`.
    const std::string& render_line(uint32_t rule, const event_context& ctx);
};

}  // namespace sinsp::rules
