// Canonical text of syntax trees: every logical node parenthesised, literals always quoted, so
// tests can assert how a filter was grouped; and the same text with numbers bare, for other
// parsers of the language.
#include <string>

#include "sinsp/filter_ast.h"

#include "literals.h"

namespace sinsp::filter::ast {

namespace {
// Literals another filter parser (ours, the reference's) reads back as the same value when
// written bare: numbers (<, <=, >, >= take only a bare number) and words with a backslash (the
// reference's quoted-string lexer takes `\"` for an escaped quote even after an escaped
// backslash, so "a\\" cannot be read; Falco's own rules write such values bare).
bool reads_back_bare(const std::string& s) {
    if (s.empty()) return false;
    if (number_length(s) == s.size()) return true;
    if (s.find('\\') == std::string::npos || s == "and" || s == "or" || s == "not") return false;
    for (char c : s) {
        if (c == '(' || c == ')' || c == '"' || c == '\'' || c == '=' || c == ',' || c == ' ' ||
            (c >= '\t' && c <= '\r'))
            return false;
    }
    return true;
}

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string render(const term& t, bool numbers_bare);

std::string render(const expr& e, bool numbers_bare) {
    switch (e.what) {
        case expr::kind::and_:
        case expr::kind::or_: {
            std::string out = "(";
            for (size_t i = 0; i < e.children.size(); ++i) {
                if (i) out += e.what == expr::kind::and_ ? " and " : " or ";
                out += render(*e.children[i], numbers_bare);
            }
            return out + ")";
        }
        case expr::kind::not_:
            return "not " + render(*e.children[0], numbers_bare);
        case expr::kind::identifier:
            return e.identifier;
        case expr::kind::check: {
            std::string out = render(e.lhs, numbers_bare) + " " + e.op;
            if (!e.modifier.empty()) out += " " + e.modifier;
            if (e.rhs) out += " " + render(*e.rhs, numbers_bare);
            return out;
        }
    }
    return {};
}

std::string render(const term& t, bool numbers_bare) {
    std::string out;
    switch (t.what) {
        case term::kind::field:
            out = t.name;
            break;
        case term::kind::literal:
            return numbers_bare && reads_back_bare(t.name) ? t.name : quote(t.name);
        case term::kind::list:
        case term::kind::transformer: {
            out = t.what == term::kind::list ? "(" : t.name + "(";
            for (size_t i = 0; i < t.children.size(); ++i) {
                out += (i ? ", " : "") + render(t.children[i], numbers_bare);
            }
            out += ")";
            break;
        }
    }
    if (t.arg) out += "[" + *t.arg + "]";
    return out;
}

}  // namespace

std::string to_string(const term& t) {
    return render(t, false);
}

std::string to_string(const expr& e) {
    return render(e, false);
}

std::string to_filter_text(const expr& e) {
    return render(e, true);
}

}  // namespace sinsp::filter::ast
