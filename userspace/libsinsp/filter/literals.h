// Right-hand literals parsed into the left field's type, once, at compile time.
#pragma once

#include <deque>
#include <string>
#include <string_view>

#include "sinsp/filter_field.h"

namespace sinsp::filter {

// Owns the bytes behind parsed literals; views handed out stay valid for its lifetime
// (a deque never moves its elements).
class literal_store {
  public:
    value_view keep(std::string bytes) {
        m_items.push_back(std::move(bytes));
        return value_view::text(m_items.back());
    }

  private:
    std::deque<std::string> m_items;
};

// Parses `text` as a value of type `t` for operator `op`. Throws std::invalid_argument with a
// description on bad input. IP networks come back as 4/16 address bytes with the prefix length
// in `num`.
value_view parse_literal(ppm_param_type t, cmp_op op, const std::string& text, literal_store& store);

// Length of the number the filter language lets a literal be written as bare at text[at] (0x1F,
// or [+-]digits[.digits][e[+-]digits]); 0 when none starts there. The parser lexes with it, and
// the tree printer writes literals that are one whole number bare.
size_t number_length(std::string_view text, size_t at = 0);

// "68656c6c6f" -> "hello"; false unless an even number of hex digits.
bool unhex(const std::string& hex, std::string& out);

}  // namespace sinsp::filter
