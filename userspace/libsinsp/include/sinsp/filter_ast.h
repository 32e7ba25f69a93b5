// The filter language's syntax tree, as produced by the parser (see filter_parser.h).
//
// The tree keeps the text of every literal exactly as written (after unescaping): typing happens
// later, in the compiler, because a literal's meaning depends on the field it is compared with
// ("1.2.3.4" is an address for fd.sip but a plain string for proc.name).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sinsp::filter::ast {

// Where a node starts in the source text. Columns and lines count from 1; a line break
// ('\n' or '\r') starts a new line.
struct position {
    uint32_t offset = 0;
    uint32_t line = 1;
    uint32_t column = 1;
};

// Something that yields values: a field, a transformer applied to other terms, or (only as a
// transformer argument or list element) a literal.
struct term {
    enum class kind { field, transformer, literal, list };
    kind what = kind::field;
    position pos;
    std::string name;                // field name, transformer name ("val" included), literal text
    std::optional<std::string> arg;  // the bracketed argument: proc.aname[2], evt.arg[fd]
    std::vector<term> children;      // transformer arguments, list elements
};

struct expr {
    enum class kind { and_, or_, not_, check, identifier };
    kind what = kind::check;
    position pos;

    std::vector<std::unique_ptr<expr>> children;  // and_/or_: two or more; not_: exactly one

    // check: `lhs op [modifier] rhs`, or `lhs exists` (no rhs).
    term lhs;
    std::string op;        // as written, without spaces: "=", "contains", "in", "exists"...
    std::string modifier;  // "", "oneof", "anyof" or "allof"
    // The right-hand side: a literal (what = literal), a literal list (what = list), or a
    // field-producing term (val(...) or another transformer). Absent for unary operators.
    std::optional<term> rhs;

    // identifier: a bare word standing alone (a macro reference the caller did not expand).
    std::string identifier;
};

// A canonical, fully parenthesised rendering; used by tests and error messages.
std::string to_string(const expr& e);
std::string to_string(const term& t);
// The same text with integer literals bare: what other parsers of the language (the reference's,
// whose <, <=, >, >= take only a bare number) read back as the same filter.
std::string to_filter_text(const expr& e);

}  // namespace sinsp::filter::ast
