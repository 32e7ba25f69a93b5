// Rule files (YAML) -> the collection of lists, macros and rules, applying Falco's definition,
// `append: true` and `override:` semantics in file order. Nothing is compiled here; an invalid
// item is reported (file, line, column, item) and left out, and the rest of the file goes on.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <set>

#include "exception_ops.h"
#include "expansion_size.h"
#include "model.h"
#include "yaml_documents.h"

namespace sinsp::rules::detail {

namespace {

// An error in one item: where and what. Caught per item by the reader.
struct item_error {
    location where;
    std::string message;
};

struct item_ctx {
    std::shared_ptr<const file_text> file;
    std::string kind;  // "rule", "macro", "list"...
    std::string name;
    location where;
};

location loc_of(const file_text& f, const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    if (m.is_null()) return location{f.name, 0, 0};
    return location{f.name, static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
}

[[noreturn]] void fail(const location& where, const std::string& message) {
    throw item_error{where, message};
}

// A required or optional non-empty scalar under `key`.
std::optional<std::string> scalar(const item_ctx& c, const YAML::Node& item, const char* key, bool required,
                                  bool may_be_empty = false) {
    const YAML::Node v = item[key];
    if (!v.IsDefined()) {
        if (required) fail(c.where, std::string("missing key '") + key + "'");
        return std::nullopt;
    }
    if (v.IsNull()) {
        if (may_be_empty) return std::string();
        fail(loc_of(*c.file, v), std::string("key '") + key + "' has no value");
    }
    if (!v.IsScalar()) fail(loc_of(*c.file, v), std::string("the value of '") + key + "' must be a scalar");
    if (v.Scalar().empty() && !may_be_empty)
        fail(loc_of(*c.file, v), std::string("the value of '") + key + "' must not be empty");
    return v.Scalar();
}

std::optional<bool> boolean(const item_ctx& c, const YAML::Node& item, const char* key) {
    const YAML::Node v = item[key];
    if (!v.IsDefined()) return std::nullopt;
    bool out = false;
    if (!v.IsScalar() || !YAML::convert<bool>::decode(v, out)) {
        fail(loc_of(*c.file, v), std::string("the value of '") + key + "' must be true or false");
    }
    return out;
}

text_piece piece_of(const item_ctx& c, const YAML::Node& item, const char* key) {
    const YAML::Node v = item[key];
    text_piece p;
    p.file = c.file;
    p.scalar_pos = v.Mark().is_null() ? 0 : static_cast<size_t>(v.Mark().pos);
    p.origin = loc_of(*c.file, v);
    return p;
}

void warn_unknown_keys(const item_ctx& c, const YAML::Node& item, const std::set<std::string>& known,
                       reporter& rep) {
    for (auto it = item.begin(); it != item.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("<non-scalar>");
        if (!known.count(key))
            rep.warning(loc_of(*c.file, it->first), c.kind, c.name, "unknown key '" + key + "'");
    }
}

// override: {key: append|replace}. Checks each key against what may be appended or replaced.
void read_overrides(const item_ctx& c, const YAML::Node& item, const std::set<std::string>& appendable,
                    const std::set<std::string>& replaceable, std::set<std::string>& append,
                    std::set<std::string>& replace) {
    const YAML::Node ov = item["override"];
    if (!ov.IsDefined()) return;
    if (!ov.IsMap()) fail(loc_of(*c.file, ov), "'override' must be a mapping of keys to append or replace");
    for (auto it = ov.begin(); it != ov.end(); ++it) {
        const std::string key = it->first.Scalar();
        const std::string op = it->second.IsScalar() ? it->second.Scalar() : std::string();
        const location at = loc_of(*c.file, it->first);
        if (op == "append") {
            if (!appendable.count(key))
                fail(at, "key '" + key + "' cannot be appended to, use 'replace' instead");
            append.insert(key);
        } else if (op == "replace") {
            if (!replaceable.count(key)) fail(at, "key '" + key + "' cannot be replaced");
            replace.insert(key);
        } else {
            fail(loc_of(*c.file, it->second), "invalid override operation for key '" + key + "': '" + op +
                                                  "' (expected append or replace)");
        }
    }
}

ex_entry read_ex_entry(const item_ctx& c, const YAML::Node& v, const char* what, int depth) {
    ex_entry e;
    if (v.IsScalar()) {
        e.item = v.Scalar();
        if (e.item.empty()) fail(loc_of(*c.file, v), std::string("exception ") + what + " must not be empty");
        return e;
    }
    if (v.IsSequence() && depth < 2) {
        e.is_list = true;
        for (const auto& x : v) e.items.push_back(read_ex_entry(c, x, what, depth + 1));
        return e;
    }
    fail(loc_of(*c.file, v), std::string("exception ") + what + " must be a string or a list of strings");
}

std::vector<exception_def> read_exceptions(const item_ctx& c, const YAML::Node& item, bool appending,
                                           reporter& rep) {
    std::vector<exception_def> out;
    const YAML::Node exs = item["exceptions"];
    if (!exs.IsDefined() || exs.IsNull()) return out;
    if (!exs.IsSequence()) fail(loc_of(*c.file, exs), "'exceptions' must be a sequence");
    for (const auto& ex : exs) {
        if (!ex.IsMap()) fail(loc_of(*c.file, ex), "each exception must be a mapping");
        exception_def d;
        d.where = loc_of(*c.file, ex);
        const YAML::Node name = ex["name"];
        if (!name.IsDefined() || !name.IsScalar() || name.Scalar().empty())
            fail(d.where, "exception without a 'name'");
        d.name = name.Scalar();
        for (const auto& prev : out) {
            if (prev.name == d.name)
                rep.warning(d.where, c.kind, c.name,
                            "exception '" + d.name + "' is defined twice in the same rule");
        }
        if (ex["fields"].IsDefined()) d.fields = read_ex_entry(c, ex["fields"], "fields", 1);
        if (ex["comps"].IsDefined()) d.comps = read_ex_entry(c, ex["comps"], "comps", 1);
        const YAML::Node vals = ex["values"];
        if (vals.IsDefined() && !vals.IsNull()) {
            if (!vals.IsSequence()) fail(loc_of(*c.file, vals), "exception values must be a sequence");
            for (const auto& v : vals) d.values.push_back(read_ex_entry(c, v, "values", 0));
        } else if (appending) {
            rep.warning(d.where, c.kind, c.name, "exception '" + d.name + "' is appended without values");
        }
        for (auto it = ex.begin(); it != ex.end(); ++it) {
            const std::string key = it->first.Scalar();
            if (key != "name" && key != "fields" && key != "comps" && key != "values")
                rep.warning(loc_of(*c.file, it->first), c.kind, c.name,
                            "exception '" + d.name + "': unknown key '" + key + "'");
        }
        out.push_back(std::move(d));
    }
    return out;
}

std::set<std::string> read_tags(const item_ctx& c, const YAML::Node& item) {
    std::set<std::string> tags;
    const YAML::Node v = item["tags"];
    if (!v.IsDefined() || v.IsNull()) return tags;
    if (!v.IsSequence()) fail(loc_of(*c.file, v), "'tags' must be a sequence");
    for (const auto& t : v) {
        if (!t.IsScalar()) fail(loc_of(*c.file, t), "each tag must be a string");
        tags.insert(t.Scalar());
    }
    return tags;
}

priority read_priority(const item_ctx& c, const YAML::Node& item) {
    const std::string text = *scalar(c, item, "priority", true);
    const auto p = parse_priority(text);
    if (!p) {
        fail(loc_of(*c.file, item["priority"]),
             "invalid priority '" + text +
                 "' (expected Emergency, Alert, Critical, Error, Warning, Notice, Informational or Debug)");
    }
    return *p;
}

class reader {
  public:
    reader(std::shared_ptr<const file_text> file, collection& out, reporter& rep)
        : m_file(std::move(file)), m_out(out), m_rep(rep) {}

    void item(const YAML::Node& node) {
        item_ctx c{m_file, "item", "", loc_of(*m_file, node)};
        m_defining_rule = false;
        try {
            if (!node.IsMap()) fail(c.where, "each item must be a mapping (a list, macro or rule)");
            if (node["required_engine_version"].IsDefined()) {
                c.kind = "required_engine_version";
                const std::string v = *scalar(c, node, "required_engine_version", true);
                m_out.engine_versions.emplace_back(v, c.where);
                warn_unknown_keys(c, node, {"required_engine_version"}, m_rep);
            } else if (node["required_plugin_versions"].IsDefined()) {
                c.kind = "required_plugin_versions";
                m_rep.warning(c.where, c.kind, "", "plugins are not supported: requirement ignored");
            } else if (node["list"].IsDefined()) {
                c.kind = "list";
                c.name = *scalar(c, node, "list", true);
                list(c, node);
            } else if (node["macro"].IsDefined()) {
                c.kind = "macro";
                c.name = *scalar(c, node, "macro", true);
                macro(c, node);
            } else if (node["rule"].IsDefined()) {
                c.kind = "rule";
                c.name = *scalar(c, node, "rule", true);
                rule(c, node);
            } else {
                m_rep.warning(c.where, "item", "", "unknown top-level item (expected list, macro or rule)");
            }
        } catch (const item_error& e) {
            m_rep.error(e.where, c.kind, c.name, e.message);
            // A rule whose definition is invalid is still listed, as not loaded.
            if (m_defining_rule && !m_out.rule_by_name.count(c.name)) {
                rule_def r;
                r.name = c.name;
                r.where = c.where;
                r.invalid = e.message + " (" + e.where.to_string() + ")";
                add_rule(std::move(r));
            }
        } catch (const YAML::Exception& e) {
            m_rep.error(c.where, c.kind, c.name, std::string("invalid YAML value: ") + e.what());
        }
    }

  private:
    std::shared_ptr<const file_text> m_file;
    collection& m_out;
    reporter& m_rep;
    bool m_defining_rule = false;  // the current item is a full rule definition

    void deprecated_append(const item_ctx& c) {
        m_rep.warning(c.where, c.kind, c.name, "'append: true' is deprecated, use 'override:' instead");
    }

    void list(const item_ctx& c, const YAML::Node& node) {
        std::vector<std::string> items;
        const YAML::Node v = node["items"];
        if (!v.IsDefined()) fail(c.where, "missing key 'items'");
        if (!v.IsNull()) {
            if (!v.IsSequence()) fail(loc_of(*m_file, v), "'items' must be a sequence");
            for (const auto& x : v) {
                if (!x.IsScalar()) fail(loc_of(*m_file, x), "list items must be strings");
                items.push_back(x.Scalar());
            }
        }
        bool append = boolean(c, node, "append").value_or(false);
        if (append) deprecated_append(c);
        std::set<std::string> ov_append, ov_replace;
        read_overrides(c, node, {"items"}, {"items"}, ov_append, ov_replace);
        if (append && !(ov_append.empty() && ov_replace.empty()))
            fail(c.where, "'append' and 'override' cannot be used together");
        append = append || ov_append.count("items");
        warn_unknown_keys(c, node, {"list", "items", "append", "override"}, m_rep);
        const uint32_t idx = m_out.next_index++;
        auto it = m_out.list_by_name.find(c.name);
        if (append) {
            if (it == m_out.list_by_name.end())
                fail(c.where, "no list '" + c.name + "' defined earlier to append to");
            auto& l = m_out.lists[it->second];
            l.items.insert(l.items.end(), items.begin(), items.end());
            l.visibility = idx;
            return;
        }
        if (it != m_out.list_by_name.end()) {
            auto& l = m_out.lists[it->second];
            l.items = std::move(items);
            l.where = c.where;
            l.visibility = idx;
            return;
        }
        m_out.list_by_name[c.name] = m_out.lists.size();
        m_out.lists.push_back({c.name, std::move(items), c.where, idx, idx});
    }

    void macro(const item_ctx& c, const YAML::Node& node) {
        const std::string cond = *scalar(c, node, "condition", true);
        bool append = boolean(c, node, "append").value_or(false);
        if (append) deprecated_append(c);
        std::set<std::string> ov_append, ov_replace;
        read_overrides(c, node, {"condition"}, {"condition"}, ov_append, ov_replace);
        if (append && !(ov_append.empty() && ov_replace.empty()))
            fail(c.where, "'append' and 'override' cannot be used together");
        append = append || ov_append.count("condition");
        warn_unknown_keys(c, node, {"macro", "condition", "append", "override"}, m_rep);
        const text_piece piece = piece_of(c, node, "condition");
        const uint32_t idx = m_out.next_index++;
        auto it = m_out.macro_by_name.find(c.name);
        if (append) {
            if (it == m_out.macro_by_name.end())
                fail(c.where, "no macro '" + c.name + "' defined earlier to append to");
            auto& m = m_out.macros[it->second];
            m.condition.append(cond, piece);
            m.visibility = idx;
            return;
        }
        if (it != m_out.macro_by_name.end()) {
            auto& m = m_out.macros[it->second];
            m.condition.assign(cond, piece);
            m.where = c.where;
            m.visibility = idx;
            return;
        }
        macro_def m;
        m.name = c.name;
        m.condition.assign(cond, piece);
        m.where = c.where;
        m.index = m.visibility = idx;
        m_out.macro_by_name[c.name] = m_out.macros.size();
        m_out.macros.push_back(std::move(m));
    }

    void add_rule(rule_def r) {
        auto it = m_out.rule_by_name.find(r.name);
        if (it != m_out.rule_by_name.end()) {
            // A redefinition replaces the rule but keeps its place in the evaluation order.
            r.index = m_out.rules[it->second].index;
            r.where = m_out.rules[it->second].where;
            m_out.rules[it->second] = std::move(r);
            return;
        }
        r.index = m_out.next_index++;
        m_out.rule_by_name[r.name] = m_out.rules.size();
        m_out.rules.push_back(std::move(r));
    }

    rule_def& previous_rule(const item_ctx& c, const std::string& what) {
        auto it = m_out.rule_by_name.find(c.name);
        if (it == m_out.rule_by_name.end())
            fail(c.where, "no rule '" + c.name + "' defined earlier to " + what);
        return m_out.rules[it->second];
    }

    void check_source(const item_ctx& c, const YAML::Node& node, const rule_def& prev) {
        const auto src = scalar(c, node, "source", false, true);
        if (src && !src->empty() && *src != prev.source)
            fail(c.where,
                 "rule redefined with a different source ('" + *src + "', was '" + prev.source + "')");
    }

    static void append_exceptions(rule_def& r, std::vector<exception_def> add) {
        for (auto& ex : add) {
            auto prev = std::find_if(r.exceptions.begin(), r.exceptions.end(),
                                     [&](const exception_def& e) { return e.name == ex.name; });
            if (prev == r.exceptions.end()) {
                if (!ex.fields) fail(ex.where, "new exception '" + ex.name + "' needs 'fields'");
                if (ex.values.empty()) fail(ex.where, "new exception '" + ex.name + "' needs 'values'");
                validate_exception(ex);
                r.exceptions.push_back(std::move(ex));
            } else {
                if (ex.fields)
                    fail(ex.where,
                         "cannot append fields to existing exception '" + ex.name + "', only values");
                if (ex.comps)
                    fail(ex.where,
                         "cannot append comps to existing exception '" + ex.name + "', only values");
                prev->values.insert(prev->values.end(), ex.values.begin(), ex.values.end());
            }
        }
    }

    void rule(const item_ctx& c, const YAML::Node& node) {
        static const std::set<std::string> known{"rule",
                                                 "condition",
                                                 "output",
                                                 "desc",
                                                 "priority",
                                                 "source",
                                                 "enabled",
                                                 "capture",
                                                 "capture_duration",
                                                 "warn_evttypes",
                                                 "skip-if-unknown-filter",
                                                 "tags",
                                                 "exceptions",
                                                 "override",
                                                 "append"};
        static const std::set<std::string> appendable{"condition", "output", "desc", "tags", "exceptions"};
        static const std::set<std::string> replaceable{"condition",
                                                       "output",
                                                       "desc",
                                                       "priority",
                                                       "capture",
                                                       "capture_duration",
                                                       "tags",
                                                       "exceptions",
                                                       "enabled",
                                                       "warn_evttypes",
                                                       "skip-if-unknown-filter"};
        warn_unknown_keys(c, node, known, m_rep);
        const bool append_flag = boolean(c, node, "append").value_or(false);
        if (append_flag) deprecated_append(c);
        std::set<std::string> ov_append, ov_replace;
        read_overrides(c, node, appendable, replaceable, ov_append, ov_replace);
        const bool overrides = !ov_append.empty() || !ov_replace.empty();
        if (append_flag && overrides) fail(c.where, "'append' and 'override' cannot be used together");

        if (overrides) {
            rule_def& r = previous_rule(c, "override");
            check_source(c, node, r);
            // Every overridable key present must be named under override, and vice versa.
            for (const auto& key : appendable) {
                if (node[key].IsDefined() && !ov_append.count(key) && !ov_replace.count(key))
                    fail(loc_of(*m_file, node[key]), "key '" + key + "' has no entry under 'override'");
            }
            for (const auto& key : replaceable) {
                if (node[key].IsDefined() && !ov_append.count(key) && !ov_replace.count(key))
                    fail(loc_of(*m_file, node[key]), "key '" + key + "' has no entry under 'override'");
            }
            for (const auto& key : ov_append) {
                if (!node[key].IsDefined())
                    fail(c.where, "'override' appends to '" + key + "' but the item has no '" + key + "'");
            }
            for (const auto& key : ov_replace) {
                if (!node[key].IsDefined())
                    fail(c.where, "'override' replaces '" + key + "' but the item has no '" + key + "'");
            }
            apply_override(c, node, r, ov_append, true);
            apply_override(c, node, r, ov_replace, false);
            return;
        }
        if (append_flag) {
            rule_def& r = previous_rule(c, "append to");
            check_source(c, node, r);
            if (!node["condition"].IsDefined() && !node["exceptions"].IsDefined())
                fail(c.where, "an appended rule needs 'condition' or 'exceptions'");
            if (node["condition"].IsDefined())
                r.condition.append(*scalar(c, node, "condition", true), piece_of(c, node, "condition"));
            append_exceptions(r, read_exceptions(c, node, true, m_rep));
            return;
        }
        if (!node["condition"].IsDefined() && !node["output"].IsDefined() && !node["desc"].IsDefined() &&
            !node["priority"].IsDefined()) {
            // Only `enabled`: switches an earlier rule on or off (deprecated form).
            const auto enabled = boolean(c, node, "enabled");
            if (!enabled)
                fail(c.where, "a rule without condition, output, desc and priority needs 'enabled'");
            m_rep.warning(c.where, c.kind, c.name,
                          "a rule with only 'enabled' is deprecated, use 'override:' instead");
            previous_rule(c, "enable or disable").enabled = *enabled;
            return;
        }
        m_defining_rule = true;
        rule_def r;
        r.name = c.name;
        r.where = c.where;
        r.condition.assign(*scalar(c, node, "condition", true), piece_of(c, node, "condition"));
        std::string output = *scalar(c, node, "output", true);
        // Falco trims the output.
        const auto b = output.find_first_not_of(" \t\r\n");
        const auto e = output.find_last_not_of(" \t\r\n");
        output = b == std::string::npos ? std::string() : output.substr(b, e - b + 1);
        text_piece op = piece_of(c, node, "output");
        r.output.assign(output, op);
        r.desc = *scalar(c, node, "desc", true);
        r.prio = read_priority(c, node);
        if (auto s = scalar(c, node, "source", false, true); s && !s->empty()) r.source = *s;
        r.enabled = boolean(c, node, "enabled").value_or(true);
        r.tags = read_tags(c, node);
        for (auto& ex : read_exceptions(c, node, false, m_rep)) {
            if (!ex.fields) fail(ex.where, "exception '" + ex.name + "' needs 'fields'");
            validate_exception(ex);
            r.exceptions.push_back(std::move(ex));
        }
        add_rule(std::move(r));
    }

    void apply_override(const item_ctx& c, const YAML::Node& node, rule_def& r,
                        const std::set<std::string>& keys, bool append) {
        for (const auto& key : keys) {
            if (key == "condition" || key == "output") {
                const std::string v = *scalar(c, node, key.c_str(), true);
                sourced_text& t = key == "condition" ? r.condition : r.output;
                if (append)
                    t.append(v, piece_of(c, node, key.c_str()));
                else
                    t.assign(v, piece_of(c, node, key.c_str()));
            } else if (key == "desc") {
                const std::string v = *scalar(c, node, "desc", true);
                r.desc = append ? r.desc + " " + v : v;
            } else if (key == "tags") {
                auto tags = read_tags(c, node);
                if (!append) r.tags.clear();
                r.tags.insert(tags.begin(), tags.end());
            } else if (key == "exceptions") {
                auto exs = read_exceptions(c, node, append, m_rep);
                if (append) {
                    append_exceptions(r, std::move(exs));
                } else {
                    for (auto& ex : exs) {
                        if (!ex.fields) fail(ex.where, "exception '" + ex.name + "' needs 'fields'");
                        validate_exception(ex);
                    }
                    r.exceptions = std::move(exs);
                }
            } else if (key == "priority") {
                r.prio = read_priority(c, node);
            } else if (key == "enabled") {
                r.enabled = *boolean(c, node, "enabled");
            } else {
                // capture, capture_duration, warn_evttypes, skip-if-unknown-filter: accepted,
                // no meaning here.
            }
        }
    }

    static void validate_exception(exception_def& ex) {
        std::string err;
        if (!normalize_exception(ex, err)) fail(ex.where, "exception '" + ex.name + "': " + err);
    }
};

}  // namespace

bool read_rules_yaml(const std::shared_ptr<const file_text>& file, collection& out, reporter& rep,
                     const load_limits& limits) {
    std::vector<YAML::Node> docs;
    try {
        docs = load_documents(file->content);
    } catch (const YAML::ParserException& e) {
        location where{file->name, static_cast<uint32_t>(e.mark.line + 1),
                       static_cast<uint32_t>(e.mark.column + 1)};
        rep.error(where, "file", "", "YAML syntax error: " + e.msg);
        return false;
    } catch (const YAML::Exception& e) {
        rep.error(location{file->name, 0, 0}, "file", "", std::string("cannot read YAML: ") + e.what());
        return false;
    }
    if (const auto over = check_yaml_extent(docs, limits)) {
        // Aliases nested in aliases multiply: refuse the whole file before copying anything.
        std::string kind = "file", name;
        for (const char* key : {"list", "macro", "rule"}) {
            if (!over->item.IsMap()) break;
            const YAML::Node v = over->item[key];
            if (v.IsDefined() && v.IsScalar()) {
                kind = key;
                name = v.Scalar();
                break;
            }
        }
        rep.error(loc_of(*file, over->item), kind, name,
                  "with its YAML aliases expanded, the file holds " + over->what +
                      " by this item; the file is not loaded");
        return false;
    }
    reader r(file, out, rep);
    for (const auto& doc : docs) {
        if (!doc.IsDefined() || doc.IsNull()) continue;
        if (!doc.IsSequence()) {
            rep.error(loc_of(*file, doc), "file", "", "rule file content must be a YAML sequence of items");
            continue;
        }
        for (const auto& item : doc) {
            if (!item.IsNull()) r.item(item);
        }
    }
    return true;
}

}  // namespace sinsp::rules::detail
