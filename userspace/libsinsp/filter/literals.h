// Right-hand literals parsed into the left field's type, once, at compile time.
#pragma once

#include <deque>
#include <string>

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

// "68656c6c6f" -> "hello"; false unless an even number of hex digits.
bool unhex(const std::string& hex, std::string& out);

}  // namespace sinsp::filter
