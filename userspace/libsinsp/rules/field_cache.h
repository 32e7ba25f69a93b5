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

}  // namespace sinsp::rules::detail
