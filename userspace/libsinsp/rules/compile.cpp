// Compiling the collection: lists resolved (lists inside lists), macros parsed and expanded
// (macros inside macros, each seeing the macros defined before it, as in Falco), then each rule's
// condition (with its exceptions) parsed, its lists and macros expanded, its fields checked
// against the catalogue and the whole compiled into a filter; its output into a formatter.
// Every failure disables only the item concerned and is reported at its file position.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "ast_tools.h"
#include "expansion_size.h"
#include "ruleset_impl.h"
#include "sinsp/filter_parser.h"
#include "specialize.h"

namespace sinsp::rules {

namespace {

using detail::ast::expr;
using detail::ast::term;

// A field the catalogue does not offer, where it is written and in which macro (if any).
struct missing_field {
    std::string field;
    location where;
    std::string macro;
};

// A failure carrying its position, thrown while expanding a condition. `cause` is set when the
// failure is a macro that cannot be used: that macro's own first cause (what and where), passed
// on as is so a chain of macros does not nest every message of the chain in the next.
struct located_error {
    location where;
    std::string message;
    std::string cause;
};

struct macro_state {
    const detail::macro_def* def = nullptr;
    std::unique_ptr<expr> parsed;
    enum class status { pending, in_progress, ok, failed } state = status::pending;
    std::unique_ptr<expr> expanded;
    size_t parsed_nodes = 0;             // tree_size of `parsed` (lists resolved), as charged
    size_t expanded_nodes = 0;           // of `expanded`, as charged
    std::string error;                   // when failed: the first cause, what and where
    std::vector<missing_field> missing;  // own and inherited from the macros it uses
};

std::string unknown_field_name(const std::string& detail) {
    static const std::string prefix = "unknown field '";
    if (detail.rfind(prefix, 0) != 0) return {};
    const auto end = detail.find('\'', prefix.size());
    return end == std::string::npos ? std::string() : detail.substr(prefix.size(), end - prefix.size());
}

// A list item as the condition language reads it: Falco pastes items into the condition text,
// so an item written with quotes ('"10.0.0.0/8"') means the unquoted value.
std::string item_value(const std::string& item) {
    if (item.size() >= 2 && (item[0] == '"' || item[0] == '\'') && item.back() == item[0]) {
        try {
            return filter::unescape(item);
        } catch (const std::invalid_argument&) {
        }
    }
    return item;
}

// Unknown fields listed per macro or rule, at most: a macro inherits the list of every macro it
// names, so unbounded lists would grow with the product of fields and nesting.
constexpr size_t k_missing_listed = 100;

std::string join_missing(const std::vector<missing_field>& missing) {
    std::string out;
    for (const auto& m : missing) {
        if (!out.empty()) out += ", ";
        out += "'" + m.field + "' (" + (m.macro.empty() ? "" : "macro '" + m.macro + "' at ") +
               m.where.to_string() + ")";
    }
    if (missing.size() >= k_missing_listed)
        out += ", and maybe more (only the first " + std::to_string(k_missing_listed) + " are listed)";
    return out;
}

class compiler {
  public:
    explicit compiler(ruleset::impl& m) : m_(m) {}

    void run() {
        resolve_lists();
        prepare_macros();
        for (size_t i = 0; i < m_.collected.macros.size(); ++i) expand_macro(i);
        report_macros();
        std::vector<const detail::rule_def*> order;
        for (const auto& r : m_.collected.rules) order.push_back(&r);
        std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->index < b->index; });
        for (const auto* r : order) compile_rule(*r);
    }

  private:
    ruleset::impl& m_;
    std::map<std::string, std::vector<std::string>> m_lists;  // name -> resolved values
    std::vector<macro_state> m_macros;
    size_t m_expanded = 0;  // macro references replaced so far
    // The bounds (load_limits): items of all resolved lists, nodes of all conditions built, and
    // why each list past the bound cannot be used.
    size_t m_list_items = 0;
    size_t m_condition_nodes = 0;
    size_t m_specialize_work = 0;  // see specialize_per_type
    std::map<std::string, std::string> m_unusable_lists;

    // --- lists -----------------------------------------------------------------------------
    void resolve_lists() {
        // A list sees the lists defined before its last definition or append; lists are
        // resolved in definition order, so a referenced list is already complete.
        std::vector<const detail::list_def*> order;
        for (const auto& l : m_.collected.lists) order.push_back(&l);
        std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->index < b->index; });
        // Lists named in lists multiply (each level can double the items), so the items of all
        // lists together are bounded, checked before anything is copied.
        const size_t limit = m_.opts.limits.list_items;
        for (const auto* l : order) {
            std::vector<std::string> values;
            std::string unusable;
            for (const auto& item : l->items) {
                auto ref = m_.collected.list_by_name.find(item);
                const bool is_list = ref != m_.collected.list_by_name.end() &&
                                     ref->second < m_.collected.lists.size() &&
                                     m_.collected.lists[ref->second].index < l->visibility && item != l->name;
                if (is_list && m_unusable_lists.count(item)) {
                    unusable = "it names list '" + item + "', which cannot be used";
                    break;
                }
                const size_t adding = is_list ? m_lists[item].size() : 1;
                if (m_list_items + values.size() + adding > limit) {
                    unusable =
                        "with the lists named in it expanded, it would bring the items of all lists past " +
                        std::to_string(limit) + " (limit load_limits::list_items)";
                    break;
                }
                if (is_list) {
                    const auto& sub = m_lists[item];
                    values.insert(values.end(), sub.begin(), sub.end());
                } else {
                    values.push_back(item_value(item));
                }
            }
            if (!unusable.empty()) {
                m_.rep.error(l->where, "list", l->name, unusable);
                m_unusable_lists[l->name] = unusable + " (" + l->where.to_string() + ")";
                continue;
            }
            m_list_items += values.size();
            m_lists[l->name] = std::move(values);
        }
    }

    // The items of a list named in a condition (nullptr: not a list). Its items are charged to
    // the condition (`size`); a list past the bound cannot be used there.
    const std::vector<std::string>* condition_list(const std::string& name, size_t& size,
                                                   const location& where) {
        auto bad = m_unusable_lists.find(name);
        if (bad != m_unusable_lists.end())
            throw located_error{where, "list '" + name + "' cannot be used: " + bad->second, ""};
        const auto* items = list_items(name);
        if (items) charge(size, items->size(), [&] { return where; });
        return items;
    }

    // Adds `nodes` to the condition being built (its size so far in `size`) and to all
    // conditions, before they are built; throws past either bound, at `where()` (located only
    // then: finding a position scans the condition's text).
    template <typename Where>
    void charge(size_t& size, size_t nodes, Where&& where) {
        const auto& lim = m_.opts.limits;
        if (size + nodes > lim.condition_nodes) {
            throw located_error{where(),
                                "condition expands to more than " + std::to_string(lim.condition_nodes) +
                                    " nodes with its macros and lists (limit load_limits::condition_nodes)",
                                ""};
        }
        if (m_condition_nodes + nodes > lim.total_condition_nodes) {
            throw located_error{where(),
                                "the conditions of all macros and rules expand to more than " +
                                    std::to_string(lim.total_condition_nodes) +
                                    " nodes together (limit load_limits::total_condition_nodes)",
                                ""};
        }
        size += nodes;
        m_condition_nodes += nodes;
    }

    const std::vector<std::string>* list_items(const std::string& name) const {
        auto it = m_lists.find(name);
        return it == m_lists.end() ? nullptr : &it->second;
    }

    // Fields of a tree the catalogue does not know, located through `where_of`.
    template <typename Locate>
    void find_missing(const expr& e, Locate&& where_of, const std::string& macro,
                      std::vector<missing_field>& out) {
        detail::for_each_field(e, [&](const term& t) {
            if (out.size() < k_missing_listed && is_unknown(t, out))
                out.push_back({t.name, where_of(t.pos.offset), macro});
        });
    }

    // Whether the catalogue lacks the field (and it is not listed yet). Other binding errors (a
    // bad argument) are left to the compiler, which reports them with their position.
    bool is_unknown(const term& t, const std::vector<missing_field>& listed) {
        filter::bound_field bf;
        std::string err;
        if (m_.fields.bind(t.name, t.arg, bf, err)) return false;
        if (unknown_field_name(err).empty()) return false;
        return std::none_of(listed.begin(), listed.end(),
                            [&](const missing_field& m) { return m.field == t.name; });
    }

    // --- macros ----------------------------------------------------------------------------
    void prepare_macros() {
        m_macros.resize(m_.collected.macros.size());
        for (size_t i = 0; i < m_macros.size(); ++i) {
            auto& st = m_macros[i];
            st.def = &m_.collected.macros[i];
            const auto& text = st.def->condition;
            try {
                st.parsed = filter::parse(text.text, 1000);
            } catch (const filter::filter_error& e) {
                st.state = macro_state::status::failed;
                st.error = "condition syntax error at " + text.locate(e.pos().offset).to_string() + ": " +
                           e.detail();
                m_.rep.error(text.locate(e.pos().offset), "macro", st.def->name,
                             "condition syntax error: " + e.detail());
                continue;
            }
            try {
                size_t size = 0;
                charge(size, detail::tree_size(*st.parsed), [&] { return st.def->where; });
                detail::resolve_lists(*st.parsed, text.text, [&](const std::string& n) {
                    return condition_list(n, size, st.def->where);
                });
                st.parsed_nodes = size;
            } catch (const located_error& e) {
                st.state = macro_state::status::failed;
                st.error = e.message + " (" + e.where.to_string() + ")";
                m_.rep.error(e.where, "macro", st.def->name, e.message);
                st.parsed.reset();
                continue;
            }
            find_missing(
                *st.parsed, [&](uint32_t off) { return text.locate(off); }, st.def->name, st.missing);
        }
    }

    // Expands macro i's body; false when it (or a macro it uses) cannot be used.
    bool expand_macro(size_t i) {
        auto& st = m_macros[i];
        if (st.state == macro_state::status::ok) return true;
        if (st.state == macro_state::status::failed) return false;
        if (st.state == macro_state::status::in_progress) return false;  // reported by the caller
        st.state = macro_state::status::in_progress;
        std::unique_ptr<expr> tree;
        size_t size = 0;
        try {
            const auto& text = st.def->condition;
            charge(size, st.parsed_nodes, [&] { return st.def->where; });
            tree = detail::clone(*st.parsed);
            expand_identifiers(
                tree, [&](size_t off) { return text.locate(off); }, st.def->visibility, st.missing, size);
        } catch (const located_error& e) {
            st.state = macro_state::status::failed;
            st.error = e.cause.empty() ? e.message + " (" + e.where.to_string() + ")" : e.cause;
            m_.rep.error(e.where, "macro", st.def->name, e.message);
            return false;
        }
        st.expanded_nodes = size;
        st.expanded = std::move(tree);
        st.state = macro_state::status::ok;
        return true;
    }

    // Replaces macro names in `tree` (written in `text`) by their bodies. Macros defined at or
    // after `visibility` are not visible (Falco's order rule for macros inside macros).
    template <typename Locate>
    void expand_identifiers(std::unique_ptr<expr>& tree, Locate&& locate, uint32_t visibility,
                            std::vector<missing_field>& missing, size_t& size) {
        detail::replace_identifiers(tree, [&](const expr& id) -> std::unique_ptr<expr> {
            auto it = m_.collected.macro_by_name.find(id.identifier);
            if (it == m_.collected.macro_by_name.end() ||
                m_.collected.macros[it->second].index >= visibility) {
                throw located_error{locate(id.pos.offset), "undefined macro '" + id.identifier + "'"};
            }
            auto& sub = m_macros[it->second];
            if (sub.state == macro_state::status::in_progress) {
                throw located_error{
                    locate(id.pos.offset),
                    "macro '" + id.identifier + "' refers to itself through its own expansion"};
            }
            if (!expand_macro(it->second)) {
                throw located_error{locate(id.pos.offset),
                                    "macro '" + id.identifier + "' cannot be used: " + sub.error, sub.error};
            }
            // Macros named in macros multiply: the copy is charged before it is made.
            charge(size, sub.expanded_nodes, [&] { return locate(id.pos.offset); });
            for (const auto& mf : sub.missing) {
                if (missing.size() >= k_missing_listed) break;
                if (std::none_of(missing.begin(), missing.end(),
                                 [&](auto& x) { return x.field == mf.field; }))
                    missing.push_back(mf);
            }
            ++m_expanded;
            return detail::clone(*sub.expanded);
        });
    }

    // Macros whose own text is fine but that name fields the catalogue lacks: one warning each
    // (the rules using them report the fields as errors).
    void report_macros() {
        for (const auto& st : m_macros) {
            if (st.state != macro_state::status::ok) continue;
            for (const auto& mf : st.missing) {
                if (mf.macro == st.def->name)
                    m_.rep.warning(mf.where, "macro", st.def->name, "unknown field '" + mf.field + "'");
            }
        }
    }

    // --- rules -----------------------------------------------------------------------------
    void disable(rule_info& info, const location& where, const std::string& why) {
        info.loaded = false;
        info.why_not = why;
        m_.rep.error(where, "rule", info.name, why);
    }

    void compile_rule(const detail::rule_def& r) {
        rule_info info;
        info.name = r.name;
        info.desc = r.desc;
        info.output = r.output.text;
        info.source = r.source;
        info.prio = r.prio;
        info.tags.assign(r.tags.begin(), r.tags.end());
        info.enabled = r.enabled;
        info.where = r.where;
        const uint32_t info_index = static_cast<uint32_t>(m_.infos.size());
        m_.infos.push_back(std::move(info));
        rule_info& ri = m_.infos.back();
        if (!r.invalid.empty()) {
            ri.why_not = r.invalid;  // reported when read
            return;
        }
        if (r.source != "syscall") {
            ri.why_not = "source '" + r.source + "' is not supported (only syscall)";
            m_.rep.warning(r.where, "rule", r.name, "skipped: " + ri.why_not);
            return;
        }
        std::vector<std::pair<size_t, size_t>> spans;
        std::string text;
        try {
            text = r.exceptions.empty() ? r.condition.text
                                        : detail::apply_exceptions(r.condition.text, r.exceptions, spans);
        } catch (const std::invalid_argument& e) {
            disable(ri, r.where, e.what());
            return;
        }
        ri.condition = text;
        const bool wrapped = !r.exceptions.empty();
        auto locate = [&](size_t off) -> location {
            if (!wrapped) return r.condition.locate(off);
            if (off >= 1 && off < 1 + r.condition.text.size()) return r.condition.locate(off - 1);
            for (size_t k = 0; k < spans.size(); ++k) {
                if (off >= spans[k].first && off < spans[k].first + spans[k].second)
                    return r.exceptions[k].where;
            }
            return r.where;
        };
        std::unique_ptr<expr> tree;
        try {
            tree = filter::parse(text, 1000);
        } catch (const filter::filter_error& e) {
            disable(ri, locate(e.pos().offset), "condition syntax error: " + e.detail());
            return;
        }
        std::vector<missing_field> missing;
        const size_t expanded_before = m_expanded;
        try {
            size_t size = 0;
            charge(size, detail::tree_size(*tree), [&] { return r.where; });
            detail::resolve_lists(*tree, text,
                                  [&](const std::string& n) { return condition_list(n, size, r.where); });
            find_missing(*tree, locate, "", missing);
            expand_identifiers(tree, locate, UINT32_MAX, missing, size);
        } catch (const located_error& e) {
            disable(ri, e.where, e.message);
            return;
        }
        check_output_fields(r, missing);
        if (!missing.empty()) {
            for (const auto& mf : missing) ri.missing_fields.push_back(mf.field);
            // Reported at the first field written in the rule itself, else at the rule (the
            // message says where in which macro each field is).
            location at = r.where;
            for (const auto& mf : missing) {
                if (mf.macro.empty()) {
                    at = mf.where;
                    break;
                }
            }
            disable(ri, at, "needs fields the catalogue does not offer: " + join_missing(missing));
            return;
        }
        compiled_rule cr;
        cr.info = info_index;
        try {
            cr.filter = filter::compile(*tree, m_.shared_fields);
        } catch (const filter::filter_error& e) {
            // Positions index the text the failing node was written in: the rule's own when no
            // macro was expanded into it; otherwise the rule is named and the detail says what.
            if (m_expanded == expanded_before)
                disable(ri, locate(e.pos().offset), "condition does not compile: " + e.detail());
            else
                disable(ri, r.where, "condition does not compile (macros expanded): " + e.detail());
            return;
        }
        try {
            cr.output = std::make_unique<event_formatter>("*" + r.output.text, m_.fields);
        } catch (const filter::filter_error& e) {
            disable(ri, r.output.locate(e.pos().offset > 0 ? e.pos().offset - 1 : 0),
                    "output does not compile: " + e.detail());
            return;
        }
        ri.loaded = true;
        ri.expanded_condition = filter::ast::to_filter_text(*tree);
        describe_event_types(*cr.filter, ri);
        specialize_per_type(*tree, cr);
        m_.compiled_rules.push_back(std::move(cr));
    }

    // Output tokens naming fields the catalogue lacks (the formatter would stop at the first).
    void check_output_fields(const detail::rule_def& r, std::vector<missing_field>& missing) {
        const std::string& out = r.output.text;
        for (size_t i = 0; i < out.size(); ++i) {
            if (out[i] != '%') continue;
            size_t j = i + 1;
            while (j < out.size() && out[j] >= '0' && out[j] <= '9') ++j;
            try {
                size_t consumed = 0;
                const term t = filter::parse_value_prefix(std::string_view(out).substr(j), consumed);
                detail::for_each_field(t, [&](const term& f) {
                    if (missing.size() < k_missing_listed && is_unknown(f, missing))
                        missing.push_back({f.name, r.output.locate(j + f.pos.offset), ""});
                });
                i = j + consumed - 1;
            } catch (const filter::filter_error&) {
                // A malformed token: the formatter reports it with its position.
            }
        }
    }

    // One filter per distinct specialisation of the condition over the rule's event types.
    // Specialising costs (event types) x (nodes) for each rule; past load_limits'
    // specialize_visits for all rules together, a rule's whole condition is evaluated for each of
    // its types instead: the same matches, without the shortcut.
    void specialize_per_type(const expr& tree, compiled_rule& cr) {
        const std::vector<bool> codes = cr.filter->event_codes();
        const size_t types = static_cast<size_t>(std::count(codes.begin(), codes.end(), true));
        const size_t work = types * detail::tree_size(tree);
        const size_t budget = m_.opts.limits.specialize_visits;
        if (work > budget - std::min(budget, m_specialize_work)) {
            // With shared conditions the index reads graph nodes, else variants: the whole
            // condition goes where this rule's evaluation will look for it.
            if (m_.opts.share_conditions)
                cr.graph_nodes.push_back(m_.graph.add_compiled(filter::compile(tree, m_.shared_fields)));
            else
                cr.variants.push_back(filter::compile(tree, m_.shared_fields));
            for (size_t c = 0; c < codes.size() && c < PPM_EVENT_MAX; ++c) {
                if (codes[c]) cr.per_code.emplace_back(static_cast<uint16_t>(c), 0);
            }
            return;
        }
        m_specialize_work += work;
        std::map<std::string, int32_t> by_text;
        for (size_t c = 0; c < codes.size() && c < PPM_EVENT_MAX; ++c) {
            if (!codes[c]) continue;
            detail::specialized s =
                detail::specialize(tree, static_cast<uint16_t>(c), m_.fields, !m_.opts.share_conditions);
            if (s.what == detail::specialized::kind::never) continue;
            if (s.what == detail::specialized::kind::always) {
                cr.per_code.emplace_back(static_cast<uint16_t>(c), -1);
                continue;
            }
            const std::string key = detail::ast::to_string(*s.tree);
            auto it = by_text.find(key);
            if (it == by_text.end() && m_.opts.share_conditions) {
                uint32_t node;
                try {
                    node = m_.graph.add(*s.tree);
                } catch (const filter::filter_error&) {
                    // As below: cannot happen for a condition that compiled whole; if it did,
                    // the whole condition runs as one comparison of the graph.
                    node = m_.graph.add_compiled(filter::compile(tree, m_.shared_fields));
                }
                cr.graph_nodes.push_back(node);
                it = by_text.emplace(key, static_cast<int32_t>(cr.graph_nodes.size() - 1)).first;
            } else if (it == by_text.end()) {
                std::unique_ptr<filter::compiled_filter> f;
                try {
                    f = filter::compile(*s.tree, m_.shared_fields);
                } catch (const filter::filter_error&) {
                    // Cannot happen for a subtree of a condition that compiled; keep the whole one.
                    f = filter::compile(tree, m_.shared_fields);
                }
                cr.variants.push_back(std::move(f));
                it = by_text.emplace(key, static_cast<int32_t>(cr.variants.size() - 1)).first;
            }
            cr.per_code.emplace_back(static_cast<uint16_t>(c), it->second);
        }
    }

    static void describe_event_types(const filter::compiled_filter& f, rule_info& ri) {
        const std::vector<bool> codes = f.event_codes();
        bool all = true;
        std::vector<std::string> names;
        for (size_t c = 2; c < codes.size() && c < PPM_EVENT_MAX; ++c) {
            if (!codes[c]) {
                all = false;
                continue;
            }
            if (scap_event_table[c].name) names.emplace_back(scap_event_table[c].name);
        }
        ri.all_event_types = all;
        if (all) return;
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        ri.event_types = std::move(names);
    }
};

}  // namespace

void ruleset::impl::compile_all() {
    compiler(*this).run();
}

}  // namespace sinsp::rules
