// Exceptions compiled into the condition as Falco does: for each exception with values,
// "(<condition>) and not (<one clause per value>)".
#include <array>
#include <stdexcept>

#include "exception_ops.h"

namespace sinsp::rules::detail {

namespace {

constexpr std::array<const char*, 20> k_operators = {"=",          "==",        "!=",         "<",
                                                     "<=",         ">",         ">=",         "contains",
                                                     "icontains",  "bcontains", "startswith", "bstartswith",
                                                     "endswith",   "glob",      "iglob",      "in",
                                                     "intersects", "pmatch",    "exists",     "regex"};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// Falco's quoting of list values: a value with a blank is double-quoted unless already quoted.
std::string quoted(const std::string& v) {
    if (v.find(' ') != std::string::npos && v[0] != '"' && v[0] != '\'') return '"' + v + '"';
    return v;
}

std::string value_list(const ex_entry& e) {
    std::string out = "(";
    for (size_t i = 0; i < e.items.size(); ++i) {
        if (e.items[i].is_list) throw std::invalid_argument("exception values nest lists too deeply");
        out += (i ? ", " : "") + quoted(e.items[i].item);
    }
    return out + ")";
}

}  // namespace

bool is_operator(const std::string& op) {
    for (const char* o : k_operators) {
        if (op == o) return true;
    }
    // "<string operator> oneof|anyof|allof"
    const auto sp = op.find(' ');
    if (sp == std::string::npos) return false;
    const std::string base = op.substr(0, sp), mod = trim(op.substr(sp + 1));
    if (mod != "oneof" && mod != "anyof" && mod != "allof") return false;
    for (const char* o : k_operators) {
        if (base == o) return base != "in" && base != "intersects" && base != "pmatch" && base != "exists";
    }
    return false;
}

bool takes_list(const std::string& op) {
    return op == "in" || op == "intersects" || op == "pmatch" || op.find(' ') != std::string::npos;
}

bool normalize_exception(exception_def& ex, std::string& error) {
    if (!ex.fields) {
        error = "needs 'fields'";
        return false;
    }
    if (ex.fields->is_list) {
        if (!ex.comps) {
            ex_entry c;
            c.is_list = true;
            for (size_t i = 0; i < ex.fields->items.size(); ++i) c.items.push_back(ex_entry{false, "=", {}});
            ex.comps = c;
        }
        if (!ex.comps->is_list || ex.comps->items.size() != ex.fields->items.size()) {
            error = "fields and comps lists must have the same length";
            return false;
        }
        for (auto& c : ex.comps->items) {
            c.item = trim(c.item);
            if (c.is_list || !is_operator(c.item)) {
                error = "'" + c.item + "' is not a comparison operator";
                return false;
            }
        }
        for (const auto& f : ex.fields->items) {
            if (f.is_list) {
                error = "fields must be a list of field names";
                return false;
            }
        }
        return true;
    }
    if (!ex.comps) ex.comps = ex_entry{false, "in", {}};
    if (ex.comps->is_list) {
        error = "when fields is a single field, comps must be a single operator too";
        return false;
    }
    ex.comps->item = trim(ex.comps->item);
    if (!takes_list(ex.comps->item) || !is_operator(ex.comps->item)) {
        error =
            "when fields is a single field, comps must be in, pmatch, intersects or an operator with a "
            "modifier (e.g. 'startswith oneof'), not '" +
            ex.comps->item + "'";
        return false;
    }
    return true;
}

std::string apply_exceptions(const std::string& condition, const std::vector<exception_def>& exceptions,
                             std::vector<std::pair<size_t, size_t>>& exception_spans) {
    std::string out = "(" + condition + ")";
    exception_spans.clear();
    for (const auto& ex : exceptions) {
        std::string clause;
        if (!ex.fields->is_list) {
            for (const auto& v : ex.values) {
                if (v.is_list)
                    throw std::invalid_argument("exception '" + ex.name + "': values must be strings");
                clause += clause.empty() ? "(" + ex.fields->item + " " + ex.comps->item + " (" : ", ";
                clause += quoted(v.item);
            }
            if (!clause.empty()) clause += "))";
        } else {
            for (const auto& tuple : ex.values) {
                if (!tuple.is_list || tuple.items.size() != ex.fields->items.size()) {
                    throw std::invalid_argument("exception '" + ex.name +
                                                "': each value must list one entry per field");
                }
                clause += clause.empty() ? "(" : " or ";
                clause += "(";
                for (size_t k = 0; k < tuple.items.size(); ++k) {
                    const std::string& comp = ex.comps->items[k].item;
                    std::string value;
                    if (tuple.items[k].is_list) {
                        value = value_list(tuple.items[k]);
                    } else if (takes_list(comp)) {
                        value = tuple.items[k].item;
                        if (value[0] != '(') value = "(" + value + ")";
                    } else {
                        value = quoted(tuple.items[k].item);
                    }
                    clause += (k ? " and " : "") + ex.fields->items[k].item + " " + comp + " " + value;
                }
                clause += ")";
            }
            if (!clause.empty()) clause += ")";
        }
        if (clause.empty()) {
            exception_spans.emplace_back(out.size(), 0);
            continue;
        }
        out += " and not ";
        exception_spans.emplace_back(out.size(), clause.size());
        out += clause;
    }
    return out;
}

}  // namespace sinsp::rules::detail
