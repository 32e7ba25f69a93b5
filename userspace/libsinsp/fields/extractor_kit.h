// Small building blocks for writing extractors as lambdas. Private to libsinsp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "sinsp/fields.h"

namespace sinsp::fields {

using filter::field_descriptor;
using filter::field_extractor;
using filter::value_list;
using filter::value_view;

// Wraps a callable `bool(const event_context&, value_list&)`. A mutable lambda may keep scratch
// buffers in its captures: each bound field gets its own copy, so views into them stay valid
// until the same field is extracted again.
template <typename F>
class lambda_extractor final : public field_extractor {
  public:
    explicit lambda_extractor(F f) : m_f(std::move(f)) {}
    bool extract(const event_context& ctx, value_list& out) override { return m_f(ctx, out); }

  private:
    F m_f;
};

// A factory for fields without an argument.
template <typename F>
filter::field_table::factory simple(F f) {
    return [f](const std::optional<std::string>&, field_descriptor&,
               std::string&) -> std::unique_ptr<field_extractor> {
        return std::make_unique<lambda_extractor<F>>(f);
    };
}

// A descriptor with the commonly set members.
inline field_descriptor describe(const char* name, ppm_param_type type, const char* description,
                                 uint32_t flags = 0, uint32_t cost = 10) {
    field_descriptor d;
    d.name = name;
    d.type = type;
    d.flags = flags;
    d.cost = cost;
    d.description = description;
    return d;
}

}  // namespace sinsp::fields
