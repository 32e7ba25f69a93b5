// Compiled filters: parse once, type-check and compile into an evaluation tree, evaluate per event.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sinsp/filter_ast.h"
#include "sinsp/filter_field.h"
#include "sinsp/filter_parser.h"

namespace sinsp::filter {

class node;
struct operand;

class compiled_filter {
  public:
    explicit compiled_filter(std::unique_ptr<node> root);
    ~compiled_filter();
    compiled_filter(const compiled_filter&) = delete;
    compiled_filter& operator=(const compiled_filter&) = delete;

    // Not const: evaluation reuses buffers owned by the tree. One filter per thread.
    bool matches(const event_context& ctx);

    // Event codes (size PPM_EVENT_MAX) / ppm_sc codes (size PPM_SC_MAX) for which the filter can
    // possibly be true; a superset whenever the analysis cannot be exact.
    std::vector<bool> event_codes() const;
    std::vector<bool> syscall_codes() const;

    // The evaluation tree after operand reordering, for tests and debugging.
    std::string describe() const;

    // The root's rough evaluation cost (the unit and/or use to order their operands), for
    // callers that combine several filters.
    uint32_t cost() const;

  private:
    std::unique_ptr<node> m_root;
};

// Throws filter_error (parse and compile errors both carry a position).
std::unique_ptr<compiled_filter> compile(const ast::expr& tree, field_registry& fields);
std::unique_ptr<compiled_filter> compile(std::string_view text, field_registry& fields);

// One field or transformer expression compiled for extraction, as output formats use them.
class compiled_value {
  public:
    explicit compiled_value(std::unique_ptr<operand> op);
    ~compiled_value();
    compiled_value(const compiled_value&) = delete;
    compiled_value& operator=(const compiled_value&) = delete;

    // The values for the event, or nullptr when the field does not apply to it. The list is
    // owned by this object and valid until the next call.
    const value_list* extract(const event_context& ctx);
    // Type of the values (after transformers) and whether there can be several.
    ppm_param_type type() const;
    bool is_list() const;
    // The field's flags (field_flags), e.g. FIELD_ANY_VALUE.
    uint32_t flags() const;
    // The expression's canonical text ("proc.name", "toupper(proc.name)").
    const std::string& name() const { return m_name; }

  private:
    friend std::unique_ptr<compiled_value> compile_value(const ast::term& term, field_registry& fields);
    std::unique_ptr<operand> m_op;
    std::string m_name;
};

// Throws filter_error.
std::unique_ptr<compiled_value> compile_value(const ast::term& term, field_registry& fields);

// A filter that accepts everything (what an empty rule condition means to callers).
std::unique_ptr<compiled_filter> accept_all();

}  // namespace sinsp::filter
