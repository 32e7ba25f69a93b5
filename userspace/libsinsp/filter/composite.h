// Values built from several operands: literal arguments, transformer lists `(a, b, "c")`, and the
// multi-argument transformers join(separator, list) and concat(a, b, ...).
//
// Each is a field_extractor over sub-operands, so the compiler treats the result like any other
// field (outer transformers, comparisons, val()). Results live in buffers owned here, reused from
// event to event.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nodes.h"

namespace sinsp::filter {

// A literal argument ("nt:", 42): always one string value.
class constant_extractor final : public field_extractor {
  public:
    explicit constant_extractor(std::string text) : m_text(std::move(text)) {}
    bool extract(const event_context&, value_list& out) override;

  private:
    std::string m_text;
};

// A number shown as decimal text, so that it can join a list of strings (the reference renders
// numeric list elements the same way).
class decimal_text_extractor final : public field_extractor {
  public:
    decimal_text_extractor(std::unique_ptr<operand> number, bool is_signed)
        : m_number(std::move(number)), m_signed(is_signed) {}
    bool extract(const event_context& ctx, value_list& out) override;

  private:
    std::unique_ptr<operand> m_number;
    bool m_signed;
    char m_text[24];
};

// `(a, b, "c")`: every value of every element, in order; nothing when an element does not apply
// to the event.
class list_extractor final : public field_extractor {
  public:
    explicit list_extractor(std::vector<std::unique_ptr<operand>> elements)
        : m_elements(std::move(elements)) {}
    bool extract(const event_context& ctx, value_list& out) override;

  private:
    std::vector<std::unique_ptr<operand>> m_elements;
};

// join(sep, list): the list's values separated by sep's value.
class join_extractor final : public field_extractor {
  public:
    join_extractor(std::unique_ptr<operand> sep, std::unique_ptr<operand> list)
        : m_sep(std::move(sep)), m_list(std::move(list)) {}
    bool extract(const event_context& ctx, value_list& out) override;

  private:
    std::unique_ptr<operand> m_sep, m_list;
    std::string m_result;
};

// concat(a, b, ...): the arguments' values back to back; nothing when one does not apply.
class concat_extractor final : public field_extractor {
  public:
    explicit concat_extractor(std::vector<std::unique_ptr<operand>> parts) : m_parts(std::move(parts)) {}
    bool extract(const event_context& ctx, value_list& out) override;

  private:
    std::vector<std::unique_ptr<operand>> m_parts;
    std::string m_result;
};

}  // namespace sinsp::filter
