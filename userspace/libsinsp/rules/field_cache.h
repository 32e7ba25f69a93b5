// A field registry for rule conditions that extracts each field once per event, however many
// rules name it: every rule on an openat reads fd.name, proc.name and the open flags, and each
// compiled filter owns its extractors, so without sharing the same values are rebuilt once per
// rule. Bindings of the same field (name and argument) share one underlying extractor and a
// per-event cache of its values.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "sinsp/fields.h"
#include "sinsp/filter_field.h"

namespace sinsp::rules::detail {

class caching_registry : public filter::field_registry {
  public:
    explicit caching_registry(filter::field_registry& inner) : m_inner(inner) {}
    bool bind(std::string_view name, const std::optional<std::string>& arg, filter::bound_field& out,
              std::string& error) override;

    // One shared extraction and the event it was made for.
    struct entry {
        std::unique_ptr<filter::field_extractor> extractor;
        filter::value_list values;
        const event* evt = nullptr;  // the event the values are for: object, number and time
        uint64_t num = 0;            // (an inspector reuses its event object; a new capture
        uint64_t ts = 0;             // restarts the numbers)
        bool applies = false;
    };

  private:
    filter::field_registry& m_inner;
    std::map<std::pair<std::string, std::optional<std::string>>, std::unique_ptr<entry>> m_entries;
};

// What a shared binding hands out: extract() copies the event's values (what a compiled filter
// needs); values() lends them in place, for readers that only look (text_tests), so that a path
// extracted once is not also copied once per reader.
class cached_extractor : public filter::field_extractor {
  public:
    explicit cached_extractor(caching_registry::entry& e) : m_entry(e) {}
    bool extract(const event_context& ctx, filter::value_list& out) override;
    // The field's values for the event, or null when it does not apply; valid until the field
    // is extracted for another event.
    const filter::value_list* values(const event_context& ctx) {
        auto& e = m_entry;
        if (e.evt != ctx.evt || e.num != ctx.evt->num || e.ts != ctx.evt->ts()) refresh(ctx);
        return e.applies ? &e.values : nullptr;
    }

  private:
    void refresh(const event_context& ctx);
    caching_registry::entry& m_entry;
};

}  // namespace sinsp::rules::detail
