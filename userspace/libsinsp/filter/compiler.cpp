// Syntax tree -> evaluation tree: binds fields, applies the type rules, parses literals.
#include <stdexcept>

#include "bounds.h"
#include "composite.h"
#include "getopt.h"
#include "nodes.h"
#include "sinsp/filter.h"
#include "type_rules.h"

namespace sinsp::filter {

namespace {

[[noreturn]] void fail(const ast::position& pos, const std::string& what) {
    throw filter_error(pos, what);
}

modifier modifier_from(const std::string& s) {
    if (s == "oneof") return modifier::oneof;
    if (s == "anyof") return modifier::anyof;
    if (s == "allof") return modifier::allof;
    return modifier::none;
}

class compiler {
  public:
    explicit compiler(field_registry& fields) : m_fields(fields) {}

  private:
    field_registry& m_fields;

  public:
    std::unique_ptr<node> compile(const ast::expr& e) {
        switch (e.what) {
            case ast::expr::kind::and_:
            case ast::expr::kind::or_: {
                std::vector<std::unique_ptr<node>> children;
                for (const auto& c : e.children) children.push_back(compile(*c));
                return std::make_unique<logical_node>(e.what == ast::expr::kind::and_, std::move(children));
            }
            case ast::expr::kind::not_:
                return std::make_unique<not_node>(compile(*e.children.at(0)));
            case ast::expr::kind::identifier:
                fail(e.pos, "unexpected identifier '" + e.identifier +
                                "' (macros must be expanded before compiling)");
            case ast::expr::kind::check:
                return compile_check(e);
        }
        fail(e.pos, "unknown expression");
    }

    // Public for compile_value(); everything below is the compiler's own machinery.
    std::unique_ptr<operand> compile_operand(const ast::term& t) {
        switch (t.what) {
            case ast::term::kind::field:
                return compile_field(t);
            case ast::term::kind::literal:
                // Only reachable as a transformer argument or list element: a constant string.
                return synthetic(ast::to_string(t), PT_CHARBUF, false,
                                 std::make_unique<constant_extractor>(t.name), 0);
            case ast::term::kind::list:
                return compile_transformer_list(t);
            case ast::term::kind::transformer:
                break;
        }
        if (t.name == "val") fail(t.pos, "'val()' is only allowed as the right-hand side of a comparison");
        if (t.name == "join" || t.name == "concat") return compile_multivalue(t);
        if (t.name == "getopt") return compile_getopt(t);
        if (t.arg) fail(t.pos, "transformer '" + t.name + "' does not take an argument");
        if (t.children.size() != 1) fail(t.pos, "transformer '" + t.name + "' takes exactly one argument");
        auto op = compile_operand(t.children[0]);
        if (op->field.info.flags & FIELD_NO_TRANSFORMERS) {
            fail(t.pos, "field '" + op->field.info.name + "' does not support transformers");
        }
        const ppm_param_type before = op->type;
        const bool was_list = op->is_list;
        auto tr = make_transformer(t.name, op->type, op->is_list);
        if (!tr) {
            fail(t.pos, "transformer '" + t.name + "' cannot be applied to " + (was_list ? "list " : "") +
                            "field '" + op->field.info.name + "' of type " + type_name(before));
        }
        op->chain.push_back(std::move(tr));
        op->cost += 15;
        return op;
    }

    std::unique_ptr<operand> compile_field(const ast::term& t) {
        auto op = std::make_unique<operand>();
        std::string err;
        if (!m_fields.bind(t.name, t.arg, op->field, err)) fail(t.pos, err);
        if (!op->field.extractor) fail(t.pos, "field '" + t.name + "' cannot be extracted");
        op->type = op->field.info.type;
        op->is_list = (op->field.info.flags & FIELD_LIST) != 0;
        op->cost = op->field.info.cost;
        return op;
    }

    // An operand that is not a registry field: literal arguments, lists, join(), concat().
    static std::unique_ptr<operand> synthetic(std::string name, ppm_param_type type, bool is_list,
                                              std::unique_ptr<field_extractor> extractor, uint32_t cost) {
        auto op = std::make_unique<operand>();
        op->field.info.name = std::move(name);
        op->field.info.type = type;
        op->field.info.flags = is_list ? uint32_t{FIELD_LIST} : 0u;
        op->field.extractor = std::move(extractor);
        op->type = type;
        op->is_list = is_list;
        op->cost = cost;
        return op;
    }

    static bool is_text(ppm_param_type t) { return family_of(t) == family::text; }

    // `(a, b, "c")` as a transformer argument: a list of strings (integers shown in decimal).
    std::unique_ptr<operand> compile_transformer_list(const ast::term& t) {
        std::vector<std::unique_ptr<operand>> elements;
        uint32_t cost = 0;
        for (const auto& c : t.children) {
            auto e = compile_operand(c);
            const family fam = family_of(e->type);
            if (!e->is_list && (fam == family::signed_int || fam == family::unsigned_int)) {
                const std::string name = e->field.info.name;
                const uint32_t number_cost = e->cost + 5;
                e = synthetic(
                    name, PT_CHARBUF, false,
                    std::make_unique<decimal_text_extractor>(std::move(e), fam == family::signed_int),
                    number_cost);
            }
            if (!is_text(e->type)) {
                fail(c.pos, "list elements must be strings, but '" + e->field.info.name + "' has type " +
                                type_name(e->type));
            }
            cost += e->cost;
            elements.push_back(std::move(e));
        }
        return synthetic(ast::to_string(t), PT_CHARBUF, true,
                         std::make_unique<list_extractor>(std::move(elements)), cost);
    }

    // join(separator, list) and concat(a, b, ...): one string out of several operands. The
    // reference's argument rules, except that join also insists on strings (it reads every value
    // as text).
    std::unique_ptr<operand> compile_multivalue(const ast::term& t) {
        if (t.arg) fail(t.pos, "transformer '" + t.name + "' does not take an argument");
        std::vector<std::unique_ptr<operand>> args;
        uint32_t cost = 15;
        for (const auto& c : t.children) {
            args.push_back(compile_operand(c));
            cost += args.back()->cost;
        }
        const std::string name = ast::to_string(t);
        if (t.name == "join") {
            if (args.size() != 2) fail(t.pos, "join() takes exactly 2 arguments: a separator and a list");
            if (args[0]->is_list)
                fail(t.children[0].pos, "join() takes a single value as separator, not a list");
            if (!args[1]->is_list) fail(t.children[1].pos, "join() takes a list as second argument");
            for (size_t i = 0; i < 2; ++i) {
                if (!is_text(args[i]->type)) fail(t.children[i].pos, "join() arguments must be strings");
            }
            return synthetic(name, PT_CHARBUF, false,
                             std::make_unique<join_extractor>(std::move(args[0]), std::move(args[1])), cost);
        }
        if (args.size() < 2) fail(t.pos, "concat() takes at least 2 arguments");
        for (size_t i = 0; i < args.size(); ++i) {
            if (args[i]->type != PT_CHARBUF || args[i]->is_list) {
                fail(t.children[i].pos, "concat() arguments must be single strings (CHARBUF)");
            }
        }
        return synthetic(name, PT_CHARBUF, false, std::make_unique<concat_extractor>(std::move(args)), cost);
    }

    // val(field) is the field itself; any other transformer compiles as on the left.
    std::unique_ptr<operand> compile_rhs_operand(const ast::term& t) {
        if (t.name != "val") return compile_operand(t);
        if (t.arg) fail(t.pos, "'val()' does not take an argument");
        return compile_operand(t.children.at(0));
    }

    std::unique_ptr<node> compile_check(const ast::expr& e) {
        auto lhs = compile_operand(e.lhs);
        cmp_op op = *op_from_string(e.op);
        const modifier mod = modifier_from(e.modifier);
        const field_descriptor& info = lhs->field.info;
        if (auto err = check_comparable(op, lhs->type, lhs->is_list); !err.empty()) fail(e.pos, err);
        if (info.allowed_ops != 0 && (info.allowed_ops & op_bit(op)) == 0) {
            fail(e.pos,
                 std::string("'") + to_string(op) + "' operator not supported by field '" + info.name + "'");
        }
        if ((info.flags & FIELD_EQ_MEANS_WITHIN) && op == cmp_op::eq) op = cmp_op::le;

        const bool rhs_is_field = e.rhs && e.rhs->what == ast::term::kind::transformer;
        code_hint hint;
        if (lhs->chain.empty() && info.codes_for_name != nullptr) {
            if (op == cmp_op::exists) {
                hint.resolve = info.codes_for_name;
                hint.exists = true;
            } else if (!rhs_is_field && mod == modifier::none &&
                       (op == cmp_op::eq || op == cmp_op::ne || op == cmp_op::in)) {
                hint.resolve = info.codes_for_name;
                hint.shared = info.shared_codes;
                hint.complement = op == cmp_op::ne;
                for_each_literal(*e.rhs, [&](const ast::term& lit) { hint.names.push_back(lit.name); });
            }
        }
        if (info.min_value && !rhs_is_field)
            hint.outcome = bounded_outcome(e, *lhs, op, mod, *info.min_value);
        std::string text = ast::to_string(e);

        if (op == cmp_op::exists) return std::make_unique<exists_node>(std::move(lhs), std::move(hint), text);

        if (rhs_is_field) {
            if (op == cmp_op::pmatch || op == cmp_op::regex) {
                fail(e.rhs->pos,
                     std::string("operator '") + to_string(op) + "' does not support right-hand side fields");
            }
            auto rhs = compile_rhs_operand(*e.rhs);
            if (family_of(lhs->type) == family::ipnet) {
                fail(e.rhs->pos, "network fields do not support right-hand side fields");
            }
            if ((info.flags & FIELD_NO_RHS) || (rhs->field.info.flags & FIELD_NO_RHS)) {
                fail(e.rhs->pos, "field '" +
                                     ((info.flags & FIELD_NO_RHS) ? info.name : rhs->field.info.name) +
                                     "' cannot take part in a field-to-field comparison");
            }
            if (rhs->type != lhs->type || rhs->is_list != lhs->is_list) {
                fail(e.rhs->pos, "left-hand side has type " + std::string(type_name(lhs->type)) +
                                     (lhs->is_list ? " (list)" : "") + " but the right-hand side has type " +
                                     type_name(rhs->type) + (rhs->is_list ? " (list)" : ""));
            }
            return std::make_unique<field_check>(std::move(lhs), op, std::move(rhs), std::move(hint), text);
        }

        // evt.type = / != / in: a bitset lookup on the event code replaces the name comparison,
        // except for codes whose name travels in the event, left to the full comparison.
        const bool code_fast_path =
            info.event_code_of != nullptr && hint.resolve != nullptr && !hint.exists && !lhs->is_list;
        // Copied out: `info` belongs to the operand that `check` is about to own.
        const auto event_code_of = info.event_code_of;
        const auto shared_codes = info.shared_codes;
        const auto on_constant = info.on_constant;
        auto check = std::make_unique<const_check>(std::move(lhs), op, mod, hint, text);
        for_each_literal(*e.rhs, [&](const ast::term& lit) {
            try {
                // The field's hook sees each constant first; it may reject one (evt.type with a
                // name no event has) by throwing std::invalid_argument.
                if (on_constant) on_constant(lit.name);
                check->add_value(lit.name);
            } catch (const std::invalid_argument& ex) {
                fail(lit.pos, ex.what());
            }
        });
        if (!code_fast_path) return check;
        std::vector<bool> accepted(PPM_EVENT_MAX, false), shared(PPM_EVENT_MAX, false);
        for (const auto& n : hint.names) hint.resolve(code_domain::event, n, accepted);
        if (hint.complement) accepted.flip();
        if (shared_codes != nullptr) shared_codes(code_domain::event, shared);
        return std::make_unique<code_set_node>(event_code_of, accepted, shared, std::move(check),
                                               std::move(hint), text);
    }

    // The event-type derivation's use of a field's lower bound: only plain unsigned fields, no
    // argument, no transformer, no modifier; a literal that does not parse decides nothing (the
    // compile fails on it later anyway).
    static code_hint::fixed bounded_outcome(const ast::expr& e, const operand& lhs, cmp_op op, modifier mod,
                                            uint64_t bound) {
        if (!lhs.chain.empty() || e.lhs.arg || mod != modifier::none || !e.rhs ||
            family_of(lhs.type) != family::unsigned_int) {
            return code_hint::fixed::unknown;
        }
        std::vector<uint64_t> values;
        literal_store store;
        try {
            for_each_literal(*e.rhs, [&](const ast::term& lit) {
                values.push_back(parse_literal(lhs.type, op, lit.name, store).num);
            });
        } catch (const std::invalid_argument&) {
            return code_hint::fixed::unknown;
        }
        return outcome_from_bound(op, bound, values);
    }

    // getopt(argv, optstring)[c]: argv a list of strings, optstring one string, c one character.
    std::unique_ptr<operand> compile_getopt(const ast::term& t) {
        if (t.children.size() != 2)
            fail(t.pos, "getopt() takes exactly 2 arguments: an argument list and an optstring");
        auto argv = compile_operand(t.children[0]);
        auto optstring = compile_operand(t.children[1]);
        if (argv->type != PT_CHARBUF || !argv->is_list) {
            fail(t.children[0].pos, "getopt() takes a list of strings as first argument");
        }
        if (optstring->type != PT_CHARBUF || optstring->is_list) {
            fail(t.children[1].pos, "getopt() takes a single string as optstring");
        }
        std::optional<char> selector;
        if (t.arg) {
            if (t.arg->size() != 1) fail(t.pos, "getopt() takes a single option character as argument");
            selector = (*t.arg)[0];
        }
        const uint32_t cost = 25 + argv->cost + optstring->cost;
        return synthetic(ast::to_string(t), PT_CHARBUF, !selector,
                         std::make_unique<getopt_extractor>(std::move(argv), std::move(optstring), selector),
                         cost);
    }

    template <typename F>
    static void for_each_literal(const ast::term& rhs, F&& f) {
        if (rhs.what == ast::term::kind::list) {
            for (const auto& c : rhs.children) f(c);
        } else {
            f(rhs);
        }
    }
};

}  // namespace

compiled_filter::compiled_filter(std::unique_ptr<node> root) : m_root(std::move(root)) {}
compiled_filter::~compiled_filter() = default;

bool compiled_filter::matches(const event_context& ctx) {
    return m_root->eval(ctx);
}

std::vector<bool> compiled_filter::event_codes() const {
    std::vector<bool> out;
    m_root->codes(code_domain::event, false, out);
    return out;
}

std::vector<bool> compiled_filter::syscall_codes() const {
    std::vector<bool> out;
    m_root->codes(code_domain::syscall, false, out);
    return out;
}

std::string compiled_filter::describe() const {
    return m_root->describe();
}

uint32_t compiled_filter::cost() const {
    return m_root->cost();
}

std::unique_ptr<compiled_filter> compile(const ast::expr& tree, field_registry& fields) {
    return std::make_unique<compiled_filter>(compiler(fields).compile(tree));
}

std::unique_ptr<compiled_filter> compile(std::string_view text, field_registry& fields) {
    auto tree = parse(text);
    return compile(*tree, fields);
}

compiled_value::compiled_value(std::unique_ptr<operand> op) : m_op(std::move(op)) {}
compiled_value::~compiled_value() = default;

const value_list* compiled_value::extract(const event_context& ctx) {
    return m_op->produce(ctx) ? &m_op->values : nullptr;
}
ppm_param_type compiled_value::type() const {
    return m_op->type;
}
bool compiled_value::is_list() const {
    return m_op->is_list;
}
uint32_t compiled_value::flags() const {
    // A transformed value is no longer the field's: it is not shown the field's way.
    const uint32_t f = m_op->field.info.flags;
    return m_op->chain.empty() ? f : f & ~filter::FIELD_SHOW_HEX;
}

std::unique_ptr<compiled_value> compile_value(const ast::term& term, field_registry& fields) {
    auto v = std::make_unique<compiled_value>(compiler(fields).compile_operand(term));
    v->m_name = ast::to_string(term);
    return v;
}

std::unique_ptr<compiled_filter> accept_all() {
    return std::make_unique<compiled_filter>(std::make_unique<true_node>());
}

}  // namespace sinsp::filter
