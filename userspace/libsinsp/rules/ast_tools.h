// Syntax-tree helpers for rule conditions: copying macro bodies into conditions, replacing list
// names by their items, and finding the fields a tree names.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sinsp/filter_ast.h"

namespace sinsp::rules::detail {

namespace ast = sinsp::filter::ast;

std::unique_ptr<ast::expr> clone(const ast::expr& e);

// Calls `f` for every field term of the tree (left-hand sides, right-hand fields, transformer
// arguments), with the term.
void for_each_field(const ast::expr& e, const std::function<void(const ast::term&)>& f);
// The same for one term (output format tokens).
void for_each_field(const ast::term& t, const std::function<void(const ast::term&)>& f);

// Resolves list names on the right of list operators (in, intersects, pmatch, modifiers):
// an unquoted element naming a list is replaced by the list's items, and `in name` without
// parentheses becomes the list. `text` is the condition the tree was parsed from (to tell quoted
// elements apart); `lookup` returns the items of a list name or nullptr.
void resolve_lists(ast::expr& e, std::string_view text,
                   const std::function<const std::vector<std::string>*(const std::string&)>& lookup);

// Whether a right-hand side is a literal or a list of literals only (no field, no transformer):
// a comparison against it has one verdict per left-hand value, which is what the per-thread and
// per-fd verdict caches rely on.
bool is_constant_operand(const ast::term& t);

// Replaces every identifier node by what `expand` returns for it (a macro body); `expand`
// throws to report an unknown identifier.
void replace_identifiers(std::unique_ptr<ast::expr>& e,
                         const std::function<std::unique_ptr<ast::expr>(const ast::expr&)>& expand);

}  // namespace sinsp::rules::detail
