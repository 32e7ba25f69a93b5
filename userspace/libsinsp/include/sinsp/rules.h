// Falco-format rule files: load lists, macros and rules (with appends, overrides and
// exceptions), compile every rule's condition into a filter, and evaluate the rules on events,
// each event only against the rules that can match its type.
//
//   sinsp::field_catalog fields;
//   sinsp::rules::ruleset rs(fields);
//   rs.add_file("falco_rules.yaml");
//   rs.add_file("my_rules.yaml");        // later files append to / override earlier ones
//   rs.compile();                        // diagnostics() says what was disabled and why
//   while (insp.next(e) == ok) {
//       sinsp::event_context ctx{e, &insp};
//       for (uint32_t r : rs.evaluate(ctx)) rs.format_text(r, ctx, line);
//   }
//
// The format's semantics follow Falco's rule loader; the code is this project's own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scap/prefilter.h"
#include "sinsp/fields.h"
#include "sinsp/filter_ast.h"
#include "sinsp/filter_field.h"

namespace sinsp::rules {

// Falco's priorities, most severe first (the numeric order Falco uses).
enum class priority : uint8_t { emergency, alert, critical, error, warning, notice, informational, debug };
// Case-insensitive; "info" is accepted for informational, as Falco does.
std::optional<priority> parse_priority(std::string_view text);
// "Emergency", "Alert", ..., "Informational", "Debug".
const char* priority_name(priority p);

// Where something is in a rule file. Lines and columns count from 1; 0 means unknown.
struct location {
    std::string file;
    uint32_t line = 0;
    uint32_t column = 0;
    std::string to_string() const;  // "file:12:5"
};

// One error or warning of the loader, always naming the file position and the item.
struct diagnostic {
    enum class level { error, warning };
    level severity = level::error;
    location where;
    std::string item_kind;  // "rule", "macro", "list", "exception", "required_engine_version", "file"
    std::string item;       // the item's name ("" when it has none)
    std::string message;
    // "file:12:5: error: rule 'Write below etc': unknown field 'fd.nameraw'"
    std::string to_string() const;
};

// One rule as loaded, whether it could be compiled or not.
struct rule_info {
    std::string name;
    std::string desc;
    std::string condition;  // as compiled: exceptions appended, before macro/list expansion
    // The condition with its macros and lists expanded, as filter text any filter parser takes
    // (set once the rule compiled; what tools comparing matches with another engine feed it).
    std::string expanded_condition;
    std::string output;
    std::string source;  // "syscall" unless the file says otherwise
    priority prio = priority::debug;
    std::vector<std::string> tags;  // sorted, unique
    bool enabled = true;            // the file's `enabled` (after overrides)
    location where;                 // the rule's first definition
    // Compiled and evaluated on events (enabled, loaded, at or above the priority threshold).
    bool active = false;
    // Compiled successfully. When false, `why_not` says why (and the diagnostics hold the
    // positions); `missing_fields` lists fields the catalogue does not offer.
    bool loaded = false;
    std::string why_not;
    std::vector<std::string> missing_fields;
    // Event type names the condition can match (sorted, unique); empty with all_event_types.
    std::vector<std::string> event_types;
    bool all_event_types = false;
};

// Bounds on what rule files can make the loader build. Nesting multiplies: a YAML alias (*name)
// repeats the node it names, a list named in a list and a macro named in a macro are copied where
// they are named, so a file of a few lines can describe billions of nodes ("billion laughs").
// Past a bound, the item concerned gets an error naming its file position, the item and the
// bound, and is left out (a file past a YAML bound is not loaded at all); nothing is built beyond
// the bound first. The defaults are at least ten times what Falco's three default files loaded
// together need (they load whole with a tenth of each; their figures in brackets) and keep a
// hostile file within a few hundred MB.
struct load_limits {
    // Nodes of one file's YAML, with its aliases expanded [2,447 in the largest file].
    size_t yaml_nodes = 1'000'000;
    // Bytes of scalar text of one file's YAML, with its aliases expanded [73 KB].
    size_t yaml_text_bytes = 8u << 20;
    // Items of all lists together once the lists named in lists are replaced by their items [2,150].
    size_t list_items = 1'000'000;
    // Nodes of one macro's or rule's condition once its macros and lists are expanded: checks,
    // operators, fields, and each list element counts one [1,493].
    size_t condition_nodes = 100'000;
    // Nodes of all conditions together: every macro's condition as parsed and as expanded, and
    // every rule's, expanded [31,184 expanded, plus the macros as parsed].
    size_t total_condition_nodes = 1'000'000;
    // Not an error: specialising a condition per event type (load_options::specialize) visits
    // (types) x (nodes); past this many visits for all rules together, the remaining rules are
    // evaluated whole for each of their types (same matches, slower) [115,064].
    size_t specialize_visits = 20'000'000;

    // Every bound divided by d (the fuzzer and the margin test run with a tenth).
    load_limits divided_by(size_t d) const {
        load_limits l = *this;
        for (size_t* v : {&l.yaml_nodes, &l.yaml_text_bytes, &l.list_items, &l.condition_nodes,
                          &l.total_condition_nodes, &l.specialize_visits})
            *v /= d;
        return l;
    }
};

struct load_options {
    // Any error (a rule that cannot be compiled, a YAML syntax error, a bad item) makes add_file()
    // or compile() fail instead of disabling the item.
    bool strict = false;
    // Rules less severe than this are loaded but not evaluated.
    priority min_priority = priority::debug;
    // Falco's default is to report only the first matching rule per event (in load order);
    // `all` reports every matching rule.
    bool all_matches = false;
    // Evaluate each rule's condition specialised for the event's type (the default). Off, the
    // whole condition runs: the reference the specialisation is tested against.
    bool specialize = true;
    load_limits limits;
    // With specialize: all conditions merged into one graph of shared subtrees, each distinct
    // comparison, and/or/not evaluated at most once per event for all rules (the default). Off,
    // each rule's specialised condition runs on its own: the reference the graph is tested
    // against.
    bool share_conditions = true;
};

struct load_summary {
    size_t rules = 0;             // distinct rule names seen
    size_t loaded = 0;            // compiled
    size_t active = 0;            // evaluated (loaded, enabled, priority at or above the threshold)
    size_t disabled_by_file = 0;  // loaded but `enabled: false`
    size_t below_priority = 0;    // loaded, enabled, but below min_priority
    size_t failed = 0;            // not compiled (unknown field, syntax error...)
    size_t skipped_source = 0;    // source other than syscall
    size_t errors = 0, warnings = 0;
};

class ruleset {
  public:
    explicit ruleset(filter::field_registry& fields, load_options opts = {});
    ~ruleset();
    ruleset(const ruleset&) = delete;
    ruleset& operator=(const ruleset&) = delete;

    // Reads one rule file (or text) and collects its items; files are applied in the order
    // they are added. Returns false when the file cannot be read or parsed as YAML (reported in
    // diagnostics), or, in strict mode, on any error.
    bool add_file(const std::string& path);
    bool add_text(std::string_view yaml, const std::string& name);

    // Compiles everything collected so far and builds the event-type index. Returns false in
    // strict mode when any error was reported. Call once, after the last add_*.
    bool compile();

    const std::vector<diagnostic>& diagnostics() const;
    const std::vector<rule_info>& rules() const;
    load_summary summary() const;
    // Every `required_engine_version` met, as written, with where.
    const std::vector<std::pair<std::string, location>>& required_engine_versions() const;

    // Event codes (PPM_EVENT_MAX) / ppm_sc codes (PPM_SC_MAX) the active rules can match.
    std::vector<bool> event_codes() const;
    std::vector<bool> syscall_codes() const;

    // The in-kernel pre-filter (proposal 0011) for the active rules, to give a live engine
    // (scap::engine::set_prefilter): per event code, what every event one of the code's active
    // rules can match satisfies (an `or` of their expanded conditions, exceptions included); codes
    // no active rule can match are dropped, events the state needs always pass. Rules disabled or
    // below the priority threshold raise no alert and keep nothing. `required` (may be null): a
    // filter alerts must also match (intersected). Computed on each call (it parses the rules'
    // expanded conditions again); before compile() every event passes.
    scap::prefilter prefilter(const filter::ast::expr* required = nullptr) const;

    // Indices into rules() of the active rules matching the event (at most one unless
    // all_matches). The returned list is owned by the ruleset and valid until the next call;
    // nothing is allocated per event.
    const std::vector<uint32_t>& evaluate(const event_context& ctx);

    // Falco's text line: "<evt.time>: <Priority> <output>" (no newline).
    void format_text(uint32_t rule, const event_context& ctx, std::string& out);
    // Falco's JSON alert: {"hostname","output","output_fields","priority","rule","source","tags",
    // "time"} on one line (no newline).
    void format_json(uint32_t rule, const event_context& ctx, std::string_view hostname, std::string& out);

    // The implementation (defined inside the library only).
    struct impl;

  private:
    std::unique_ptr<impl> m;
};

}  // namespace sinsp::rules
