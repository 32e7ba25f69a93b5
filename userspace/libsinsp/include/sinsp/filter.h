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

  private:
    std::unique_ptr<node> m_root;
};

// Throws filter_error (parse and compile errors both carry a position).
std::unique_ptr<compiled_filter> compile(const ast::expr& tree, field_registry& fields);
std::unique_ptr<compiled_filter> compile(std::string_view text, field_registry& fields);

// A filter that accepts everything (what an empty rule condition means to callers).
std::unique_ptr<compiled_filter> accept_all();

}  // namespace sinsp::filter
