// scapdig --rules: loads Falco-format rule files, evaluates them on every event of a capture
// (-r) or of a live capture (kernel selection: the syscalls the rules and the state need), prints
// one alert per matching rule (text, or Falco's JSON with -j) and a summary on stderr: alerts per
// rule and priority, rules loaded and disabled with the reason.
#include "rules_mode.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "open_source.h"
#include "scap/scap.h"
#include "sinsp/fields.h"
#include "sinsp/filter.h"
#include "sinsp/filter_parser.h"
#include "sinsp/inspector.h"
#include "sinsp/rules.h"
#include "state_summary.h"

namespace scapdig {

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
}

void print_diagnostics(const sinsp::rules::ruleset& rs) {
    for (const auto& d : rs.diagnostics()) std::fprintf(stderr, "scapdig: %s\n", d.to_string().c_str());
    for (const auto& [version, where] : rs.required_engine_versions()) {
        std::fprintf(stderr, "scapdig: %s: rules require engine version %s\n", where.to_string().c_str(),
                     version.c_str());
    }
}

void print_rule_list(const sinsp::rules::ruleset& rs) {
    std::printf("%-60s %-13s %-8s %-10s %s\n", "RULE", "PRIORITY", "ENABLED", "STATUS", "EVENT TYPES");
    for (const auto& r : rs.rules()) {
        std::string types;
        if (r.all_event_types) {
            types = "(all)";
        } else {
            for (const auto& t : r.event_types) types += (types.empty() ? "" : ",") + t;
        }
        const char* status = r.active ? "active" : r.loaded ? "inactive" : "not-loaded";
        std::printf("%-60s %-13s %-8s %-10s %s\n", r.name.c_str(), sinsp::rules::priority_name(r.prio),
                    r.enabled ? "yes" : "no", status, r.loaded ? types.c_str() : r.why_not.c_str());
    }
}

// --list-rules -j: one JSON object per rule and line, with the condition as written and with
// its macros and lists expanded (filter text another engine can take: scripts/rule_parity.py).
void print_rule_list_json(const sinsp::rules::ruleset& rs) {
    for (const auto& r : rs.rules()) {
        nlohmann::json j{{"rule", r.name},          {"priority", sinsp::rules::priority_name(r.prio)},
                         {"enabled", r.enabled},    {"loaded", r.loaded},
                         {"active", r.active},      {"source", r.source},
                         {"condition", r.condition}};
        if (r.loaded) {
            j["expanded_condition"] = r.expanded_condition;
            j["event_types"] = r.all_event_types ? nlohmann::json(nullptr) : nlohmann::json(r.event_types);
        } else {
            j["why_not"] = r.why_not;
            j["missing_fields"] = r.missing_fields;
        }
        std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    }
}

void print_load_summary(const sinsp::rules::ruleset& rs) {
    const auto s = rs.summary();
    std::fprintf(
        stderr,
        "scapdig: rules: %zu seen, %zu loaded, %zu active, %zu disabled in the files, %zu below the "
        "priority threshold, %zu not loaded, %zu skipped (other sources); %zu errors, %zu warnings\n",
        s.rules, s.loaded, s.active, s.disabled_by_file, s.below_priority, s.failed, s.skipped_source,
        s.errors, s.warnings);
    for (const auto& r : rs.rules()) {
        if (!r.loaded)
            std::fprintf(stderr, "scapdig:   not loaded: %s: %s\n", r.name.c_str(), r.why_not.c_str());
    }
}

// The syscalls the rules can match; a filter given with the rules narrows them further.
std::vector<bool> rules_syscalls(const sinsp::rules::ruleset& rs, const sinsp::filter::compiled_filter* pre) {
    std::vector<bool> wanted = rs.syscall_codes();
    if (pre) {
        const std::vector<bool> f = pre->syscall_codes();
        for (size_t i = 0; i < wanted.size() && i < f.size(); ++i) wanted[i] = wanted[i] && f[i];
    }
    return wanted;
}

}  // namespace

int run_rules(const options& o) {
    sinsp::rules::load_options lo;
    lo.strict = o.strict_rules;
    lo.all_matches = o.all_matches;
    if (!o.min_priority.empty()) {
        const auto p = sinsp::rules::parse_priority(o.min_priority);
        if (!p) {
            std::fprintf(stderr,
                         "scapdig: --min-priority: unknown priority '%s' (emergency, alert, critical, error, "
                         "warning, notice, informational, debug)\n",
                         o.min_priority.c_str());
            return 2;
        }
        lo.min_priority = *p;
    }
    if (o.rule_files.empty()) {
        std::fprintf(stderr, "scapdig: --list-rules needs at least one --rules FILE\n");
        return 2;
    }
    sinsp::field_catalog fields;
    sinsp::rules::ruleset rs(fields, lo);
    bool ok = true;
    for (const auto& f : o.rule_files) ok = rs.add_file(f) && ok;
    ok = rs.compile() && ok;
    print_diagnostics(rs);
    if (!ok) {
        print_load_summary(rs);
        std::fprintf(stderr, "scapdig: the rule files could not be loaded%s\n",
                     o.strict_rules ? " (strict mode)" : "");
        return 2;
    }
    if (o.list_rules) {
        if (o.json)
            print_rule_list_json(rs);
        else
            print_rule_list(rs);
        print_load_summary(rs);
        return 0;
    }

    std::unique_ptr<sinsp::filter::compiled_filter> pre;
    if (!o.filter.empty()) {
        try {
            pre = sinsp::filter::compile(o.filter, fields);
        } catch (const sinsp::filter::filter_error& e) {
            std::fprintf(stderr, "scapdig: bad filter: %s\n", e.what());
            return 2;
        }
    }
    std::string error;
    // Live: the kernel drops what no active rule (and not the filter, if one is given) can match
    // (proposal 0011).
    scap::prefilter pre_filter;
    if (o.read_file.empty() && o.prefilter)
        pre_filter = rs.prefilter(pre ? sinsp::filter::parse(o.filter).get() : nullptr);
    sinsp::inspector insp(inspector_options_for(o));
    auto engine = open_source(o, rules_syscalls(rs, pre.get()), &pre_filter, insp, error);
    if (!engine) {
        std::fprintf(stderr, "scapdig: %s\n", error.c_str());
        return 1;
    }
    insp.open(std::move(engine));
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    static char out_buf[1 << 20];
    std::setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);

    const std::string hostname = host_name();
    std::vector<uint64_t> per_rule(rs.rules().size(), 0);
    uint64_t per_priority[8] = {};
    uint64_t read = 0, alerts = 0;
    std::string line;
    int rc = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (!g_stop) {
        const sinsp::event* e = nullptr;
        const scap::status s = insp.next(e);
        if (s == scap::status::timeout) continue;
        if (s == scap::status::eof) break;
        if (s != scap::status::ok) {
            std::fprintf(stderr, "scapdig: %s\n", insp.last_error().c_str());
            rc = 1;
            break;
        }
        ++read;
        const sinsp::event_context ctx{e, &insp};
        if (pre && !pre->matches(ctx)) continue;
        for (uint32_t r : rs.evaluate(ctx)) {
            ++per_rule[r];
            ++per_priority[static_cast<size_t>(rs.rules()[r].prio)];
            ++alerts;
            if (o.quiet) continue;
            line.clear();
            if (o.json)
                rs.format_json(r, ctx, hostname, line);
            else
                rs.format_text(r, ctx, line);
            line += '\n';
            std::fwrite(line.data(), 1, line.size(), stdout);
        }
        if (o.max_events && alerts >= o.max_events) break;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fflush(stdout);

    std::fprintf(stderr, "scapdig: read %llu events, %llu alerts in %.3f s (%.2f M events/s)\n",
                 static_cast<unsigned long long>(read), static_cast<unsigned long long>(alerts), seconds,
                 seconds > 0 ? static_cast<double>(read) / seconds / 1e6 : 0.0);
    std::string by_prio;
    for (size_t p = 0; p < 8; ++p) {
        if (!per_priority[p]) continue;
        by_prio += (by_prio.empty() ? "" : ", ") +
                   std::string(sinsp::rules::priority_name(static_cast<sinsp::rules::priority>(p))) + " " +
                   std::to_string(per_priority[p]);
    }
    std::fprintf(stderr, "scapdig: alerts by priority: %s\n", by_prio.empty() ? "none" : by_prio.c_str());
    std::vector<uint32_t> order;
    for (uint32_t i = 0; i < per_rule.size(); ++i) {
        if (per_rule[i]) order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        return per_rule[a] != per_rule[b] ? per_rule[a] > per_rule[b] : a < b;
    });
    for (uint32_t i : order) {
        std::fprintf(stderr, "scapdig:   %8llu  %-13s %s\n", static_cast<unsigned long long>(per_rule[i]),
                     sinsp::rules::priority_name(rs.rules()[i].prio), rs.rules()[i].name.c_str());
    }
    print_load_summary(rs);
    scap::engine_stats st;
    if (insp.engine()) insp.engine()->get_stats(st);
    std::fprintf(stderr, "scapdig: drops %llu (buffer full %llu, scratch space %llu, page faults %llu)\n",
                 static_cast<unsigned long long>(st.n_drops),
                 static_cast<unsigned long long>(st.n_drops_buffer),
                 static_cast<unsigned long long>(st.n_drops_scratch_map),
                 static_cast<unsigned long long>(st.n_drops_page_faults));
    // Not a loss: events no active rule could have matched, dropped in the kernel on purpose.
    if (o.read_file.empty())
        std::fprintf(stderr, "scapdig: kernel pre-filtered %llu events (no active rule could match them)\n",
                     static_cast<unsigned long long>(st.n_prefiltered));
    print_state_memory(insp.stats(), o.max_state_bytes);
    return rc;
}

}  // namespace scapdig
