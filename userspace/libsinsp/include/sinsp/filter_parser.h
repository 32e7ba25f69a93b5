// Parsing filter text into a syntax tree.
//
// The grammar is the reference implementation's (falcosecurity/libs), without macros:
//
//   or_expr     := and_expr ( 'or' (blank and_expr | '(' or_expr ')') )*
//   and_expr    := not_expr ( 'and' (blank not_expr | '(' or_expr ')') )*
//   not_expr    := ( 'not' blank )* ( 'not(' or_expr ')' | check )
//   check       := '(' or_expr ')' | operand condition | identifier
//   condition   := 'exists' | num_op (number | rhs_term) | str_op [modifier] value | list_op list
//
// `not` binds tighter than `and`, which binds tighter than `or`; mixing `and` and `or` without
// parentheses is accepted. Word operators ("contains", "glob"...) must be followed by a blank;
// symbol operators and the list operators need not.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sinsp/filter_ast.h"

namespace sinsp::filter {

// Every parse and compile error: the position it refers to and what went wrong there.
// what() reads "filter error at column 17: expected a value after 'contains'".
class filter_error : public std::runtime_error {
  public:
    filter_error(const ast::position& pos, const std::string& detail);
    const ast::position& pos() const { return m_pos; }
    const std::string& detail() const { return m_detail; }

  private:
    ast::position m_pos;
    std::string m_detail;
};

// Throws filter_error. Nesting deeper than `max_depth` is rejected (the parser recurses).
std::unique_ptr<ast::expr> parse(std::string_view text, uint32_t max_depth = 100);

// Quoted-string unescaping as the language defines it; `quoted` includes both delimiters.
// Throws std::invalid_argument with a description on a bad escape.
std::string unescape(std::string_view quoted);

// A field ("proc.aname[2]") or transformer ("toupper(proc.name)") at the start of `text`, as
// output formats write them after '%'. `consumed` receives the length it spans.
ast::term parse_value_prefix(std::string_view text, size_t& consumed);

}  // namespace sinsp::filter
