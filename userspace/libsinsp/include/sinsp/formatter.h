// Output formats: "%evt.num %proc.name (%thread.tid) %evt.type" turned into text lines or JSON
// objects per event, with the same fields and transformers the filter language knows.
//
// Syntax, as sysdig's -p: `%field` or `%transformer(field)` inserts a value, `%Nfield` pads or
// cuts it to N characters, anything else is copied. A format that starts with '*' prints events
// even when some of its fields do not apply to them (shown as <NA>); otherwise such events are
// not printed at all.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sinsp/fields.h"
#include "sinsp/filter.h"

namespace sinsp {

class event_formatter {
  public:
    // Throws filter::filter_error (position counted in the format string) on bad syntax or
    // unknown fields.
    event_formatter(std::string_view format, filter::field_registry& fields);
    ~event_formatter();
    event_formatter(const event_formatter&) = delete;
    event_formatter& operator=(const event_formatter&) = delete;

    // Appends the event's text to `out`. Returns false (appending nothing) when a field does not
    // apply and the format did not start with '*'.
    bool format(const event_context& ctx, std::string& out);
    // Appends a JSON object with one member per field ("proc.name": "cat", "evt.num": 12);
    // absent fields are null. Same return convention as format().
    bool format_json(const event_context& ctx, std::string& out);

    // The fields and transformers the format uses, in order of appearance.
    std::vector<std::string> field_names() const;

  private:
    struct token;
    std::vector<token> m_tokens;
    bool m_require_all = true;
};

// sysdig's default line: number, time, cpu, process (thread), direction, type and info.
constexpr const char* k_default_format =
    "*%evt.num %evt.time %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info";

}  // namespace sinsp
