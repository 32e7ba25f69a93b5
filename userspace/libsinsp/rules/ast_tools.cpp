// Syntax-tree copies and rewrites used to expand macros and lists into rule conditions.
#include "ast_tools.h"

namespace sinsp::rules::detail {

std::unique_ptr<ast::expr> clone(const ast::expr& e) {
    auto out = std::make_unique<ast::expr>();
    out->what = e.what;
    out->pos = e.pos;
    out->lhs = e.lhs;
    out->op = e.op;
    out->modifier = e.modifier;
    out->rhs = e.rhs;
    out->identifier = e.identifier;
    out->children.reserve(e.children.size());
    for (const auto& c : e.children) out->children.push_back(clone(*c));
    return out;
}

void for_each_field(const ast::term& t, const std::function<void(const ast::term&)>& f) {
    if (t.what == ast::term::kind::field) {
        f(t);
        return;
    }
    for (const auto& c : t.children) for_each_field(c, f);
}

void for_each_field(const ast::expr& e, const std::function<void(const ast::term&)>& f) {
    if (e.what == ast::expr::kind::check) {
        for_each_field(e.lhs, f);
        if (e.rhs && e.rhs->what == ast::term::kind::transformer) for_each_field(*e.rhs, f);
        return;
    }
    for (const auto& c : e.children) for_each_field(*c, f);
}

namespace {

bool is_list_operator(const ast::expr& e) {
    return e.op == "in" || e.op == "intersects" || e.op == "pmatch" || !e.modifier.empty();
}

bool written_quoted(std::string_view text, const ast::term& t) {
    return t.pos.offset < text.size() && (text[t.pos.offset] == '"' || text[t.pos.offset] == '\'');
}

ast::term literal_at(const std::string& value, const ast::position& pos) {
    ast::term t;
    t.what = ast::term::kind::literal;
    t.pos = pos;
    t.name = value;
    return t;
}

}  // namespace

void resolve_lists(ast::expr& e, std::string_view text,
                   const std::function<const std::vector<std::string>*(const std::string&)>& lookup) {
    if (e.what != ast::expr::kind::check) {
        for (auto& c : e.children) resolve_lists(*c, text, lookup);
        return;
    }
    if (!e.rhs || !is_list_operator(e)) return;
    ast::term& rhs = *e.rhs;
    if (rhs.what == ast::term::kind::literal) {
        // `in name` without parentheses: the list itself.
        const auto* items = written_quoted(text, rhs) ? nullptr : lookup(rhs.name);
        if (!items) return;
        ast::term list;
        list.what = ast::term::kind::list;
        list.pos = rhs.pos;
        for (const auto& v : *items) list.children.push_back(literal_at(v, rhs.pos));
        rhs = std::move(list);
        return;
    }
    if (rhs.what != ast::term::kind::list) return;
    std::vector<ast::term> out;
    out.reserve(rhs.children.size());
    for (auto& c : rhs.children) {
        const auto* items =
            c.what == ast::term::kind::literal && !written_quoted(text, c) ? lookup(c.name) : nullptr;
        if (!items) {
            out.push_back(std::move(c));
            continue;
        }
        for (const auto& v : *items) out.push_back(literal_at(v, c.pos));
    }
    rhs.children = std::move(out);
}

void replace_identifiers(std::unique_ptr<ast::expr>& e,
                         const std::function<std::unique_ptr<ast::expr>(const ast::expr&)>& expand) {
    if (e->what == ast::expr::kind::identifier) {
        e = expand(*e);
        return;
    }
    for (auto& c : e->children) replace_identifiers(c, expand);
}

bool is_constant_operand(const ast::term& t) {
    if (t.what == ast::term::kind::literal) return true;
    if (t.what != ast::term::kind::list) return false;
    for (const auto& c : t.children) {
        if (c.what != ast::term::kind::literal) return false;
    }
    return true;
}

}  // namespace sinsp::rules::detail
