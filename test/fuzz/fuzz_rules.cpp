// Fuzzes the rules loader: the input is a rule file (YAML). It is read, its items applied (lists,
// macros, rules, appends, overrides, exceptions) and compiled against the real field catalogue;
// errors must come back as diagnostics, never as a crash or an escaped exception. Seeds: the
// project's own rule fixtures (test/rules) and Falco's default files, copied in at run time.
// The loader's bounds on expansion (load_limits) are set to a tenth of their defaults: the same
// checks run, an input reaching them costs a tenth of the time (more executions per second), and
// Falco's default files still load whole (RulesLimits.DefaultFilesFitATenthOfTheDefaults).
#include <cstdint>
#include <string_view>

#include "sinsp/fields.h"
#include "sinsp/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sinsp::field_catalog fields;
    static const sinsp::rules::load_options opts = [] {
        sinsp::rules::load_options o;
        o.limits = sinsp::rules::load_limits{}.divided_by(10);
        return o;
    }();
    sinsp::rules::ruleset rs(fields, opts);
    rs.add_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
    rs.compile();
    const auto s = rs.summary();
    if (s.loaded > s.rules || s.active > s.loaded) __builtin_trap();  // counts must stay consistent
    for (const auto& d : rs.diagnostics())
        if (d.to_string().empty()) __builtin_trap();  // every diagnostic says something
    (void)rs.event_codes();
    (void)rs.syscall_codes();
    return 0;
}
