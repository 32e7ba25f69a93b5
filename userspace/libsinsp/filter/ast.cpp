// Canonical text of syntax trees: every logical node parenthesised, literals always quoted, so
// tests can assert how a filter was grouped.
#include <string>

#include "sinsp/filter_ast.h"

namespace sinsp::filter::ast {

namespace {
std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}
}  // namespace

std::string to_string(const term& t) {
    std::string out;
    switch (t.what) {
        case term::kind::field:
            out = t.name;
            break;
        case term::kind::literal:
            return quote(t.name);
        case term::kind::list:
        case term::kind::transformer: {
            out = t.what == term::kind::list ? "(" : t.name + "(";
            for (size_t i = 0; i < t.children.size(); ++i) {
                out += (i ? ", " : "") + to_string(t.children[i]);
            }
            out += ")";
            break;
        }
    }
    if (t.arg) out += "[" + *t.arg + "]";
    return out;
}

std::string to_string(const expr& e) {
    switch (e.what) {
        case expr::kind::and_:
        case expr::kind::or_: {
            std::string out = "(";
            for (size_t i = 0; i < e.children.size(); ++i) {
                if (i) out += e.what == expr::kind::and_ ? " and " : " or ";
                out += to_string(*e.children[i]);
            }
            return out + ")";
        }
        case expr::kind::not_:
            return "not " + to_string(*e.children[0]);
        case expr::kind::identifier:
            return e.identifier;
        case expr::kind::check: {
            std::string out = to_string(e.lhs) + " " + e.op;
            if (!e.modifier.empty()) out += " " + e.modifier;
            if (e.rhs) out += " " + to_string(*e.rhs);
            return out;
        }
    }
    return {};
}

}  // namespace sinsp::filter::ast
