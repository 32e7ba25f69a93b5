// Partial evaluation of a condition for one event type (see specialize.h).
#include "specialize.h"

#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

#include "ast_tools.h"

namespace sinsp::rules::detail {

namespace {

using filter::ast::expr;
using filter::ast::term;
using kind = specialized::kind;

class specializer {
  public:
    specializer(uint16_t code, filter::field_registry& fields, bool flatten)
        : m_code(code), m_fields(fields), m_flatten(flatten) {}

    specialized run(const expr& e) {
        switch (e.what) {
            case expr::kind::and_:
            case expr::kind::or_:
                return logical(e);
            case expr::kind::not_: {
                specialized c = run(*e.children.at(0));
                if (c.what == kind::always) return {kind::never, nullptr};
                if (c.what == kind::never) return {kind::always, nullptr};
                auto n = std::make_unique<expr>();
                n->what = expr::kind::not_;
                n->pos = e.pos;
                n->children.push_back(std::move(c.tree));
                return {kind::tree, std::move(n)};
            }
            case expr::kind::check:
                return check(e);
            case expr::kind::identifier:
                break;
        }
        return {kind::tree, clone(e)};
    }

  private:
    uint16_t m_code;
    filter::field_registry& m_fields;
    bool m_flatten;
    // Per field name: its codes_for_name/shared_codes, or null when it does not name event types.
    struct type_info {
        filter::code_names_fn names = nullptr;
        filter::shared_codes_fn shared = nullptr;
        std::optional<uint64_t> min_value;  // lower bound of an unsigned field
    };
    std::map<std::string, type_info> m_type_fields;

    specialized logical(const expr& e) {
        const bool is_and = e.what == expr::kind::and_;
        std::vector<std::unique_ptr<expr>> kept;
        for (const auto& c : e.children) {
            specialized s = run(*c);
            if (s.what == kind::tree) {
                // (a and (b and c)) is (a and b and c): flattened, the compiler orders every
                // operand by cost, so a macro's cheap, selective tests (the open flags) run
                // before a rule's costlier ones instead of waiting behind them as one block.
                if (m_flatten && s.tree->what == e.what) {
                    for (auto& g : s.tree->children) kept.push_back(std::move(g));
                } else {
                    kept.push_back(std::move(s.tree));
                }
                continue;
            }
            const bool value = s.what == kind::always;
            // and: a false operand decides, a true one drops out; or: the reverse.
            if (value != is_and) return {value ? kind::always : kind::never, nullptr};
        }
        if (kept.empty()) return {is_and ? kind::always : kind::never, nullptr};
        if (kept.size() == 1) return {kind::tree, std::move(kept[0])};
        auto n = std::make_unique<expr>();
        n->what = e.what;
        n->pos = e.pos;
        n->children = std::move(kept);
        return {kind::tree, std::move(n)};
    }

    const type_info& type_field(const term& t) {
        auto it = m_type_fields.find(t.name);
        if (it != m_type_fields.end()) return it->second;
        filter::bound_field bf;
        std::string err;
        type_info v;
        if (!t.arg && m_fields.bind(t.name, t.arg, bf, err)) {
            v.names = bf.info.codes_for_name;
            v.shared = bf.info.shared_codes;
            if (filter::family_of(bf.info.type) == filter::family::unsigned_int)
                v.min_value = bf.info.min_value;
        }
        return m_type_fields.emplace(t.name, v).first->second;
    }

    specialized check(const expr& e) {
        const bool decidable_op = e.op == "=" || e.op == "==" || e.op == "!=" || e.op == "in";
        if (!decidable_op || !e.modifier.empty() || !e.rhs || e.lhs.what != term::kind::field || e.lhs.arg ||
            (e.rhs->what != term::kind::literal && e.rhs->what != term::kind::list)) {
            return {kind::tree, clone(e)};
        }
        const type_info& info = type_field(e.lhs);
        if (info.min_value && e.rhs->what == term::kind::literal && e.op != "in") {
            // A comparison a field's lower bound decides (Falco's never_true: evt.num = 0).
            char* end = nullptr;
            const unsigned long long v = std::strtoull(e.rhs->name.c_str(), &end, 10);
            if (end && *end == '\0' && !e.rhs->name.empty() && e.rhs->name[0] != '-' && v < *info.min_value)
                return {e.op == "!=" ? kind::always : kind::never, nullptr};
        }
        const auto names_fn = info.names;
        const auto shared_fn = info.shared;
        if (!names_fn) return {kind::tree, clone(e)};
        if (shared_fn) {
            std::vector<bool> shared(PPM_EVENT_MAX, false);
            shared_fn(filter::code_domain::event, shared);
            if (m_code < shared.size() && shared[m_code]) return {kind::tree, clone(e)};
        }
        std::vector<bool> set(PPM_EVENT_MAX, false);
        if (e.rhs->what == term::kind::literal) {
            names_fn(filter::code_domain::event, e.rhs->name, set);
        } else {
            for (const auto& c : e.rhs->children) {
                if (c.what != term::kind::literal) return {kind::tree, clone(e)};
                names_fn(filter::code_domain::event, c.name, set);
            }
        }
        const bool in = m_code < set.size() && set[m_code];
        return {in != (e.op == "!=") ? kind::always : kind::never, nullptr};
    }
};

}  // namespace

specialized specialize(const filter::ast::expr& e, uint16_t code, filter::field_registry& fields,
                       bool flatten) {
    return specializer(code, fields, flatten).run(e);
}

}  // namespace sinsp::rules::detail
