// Falco's three default rule files (../shared/rules) against our filter language and field
// catalogue: every rule's condition, with its lists and macros expanded, must compile.
//
// The expansion is deliberately minimal and self-contained (a rules engine lives elsewhere):
// lists are spliced into the value lists that name them, macros into conditions as
// parenthesised sub-expressions, `append: true` extends what it names. Words are found outside
// quoted strings only.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sinsp/fields.h"
#include "sinsp/filter.h"
#include "test_paths.h"

namespace {

struct rule_def {
    std::string file;
    std::string name;
    std::string condition;
};

struct ruleset {
    std::map<std::string, std::vector<std::string>> lists;
    std::map<std::string, std::string> macros;
    std::vector<rule_def> rules;
};

bool word_char(char c) {
    return !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == ',' ||
             c == '=' || c == '<' || c == '>' || c == '!' || c == '"' || c == '\'');
}

// A list item as it must appear in a condition: bare when it is one word, quoted otherwise.
std::string as_value(const std::string& item) {
    if (!item.empty() && (item[0] == '"' || item[0] == '\'')) return item;
    bool bare = !item.empty();
    for (char c : item) bare = bare && word_char(c);
    if (bare) return item;
    std::string q = "\"";
    for (char c : item) {
        if (c == '"' || c == '\\') q += '\\';
        q += c;
    }
    return q + "\"";
}

// Items of a list with the lists it names spliced in.
std::vector<std::string> list_items(const ruleset& rs, const std::string& name, int depth) {
    std::vector<std::string> out;
    const auto it = rs.lists.find(name);
    if (it == rs.lists.end() || depth > 20) return out;
    for (const auto& item : it->second) {
        if (rs.lists.count(item) && item != name) {
            for (auto& sub : list_items(rs, item, depth + 1)) out.push_back(std::move(sub));
        } else {
            out.push_back(as_value(item));
        }
    }
    return out;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Falco's substitution, done on text: a word is a macro where a boolean term may start (at the
// beginning, after '(' or and/or/not), never as a value ("evt.type in (dup)" names the syscall
// even though a macro "dup" exists); a word inside the value list of in/intersects/pmatch that
// names a list is replaced by the list's items (an empty list leaves no item behind).
std::string expand(const ruleset& rs, const std::string& cond, int depth) {
    if (depth > 40) throw std::runtime_error("macro expansion too deep (a macro that names itself?)");
    std::string out;
    std::string prev = "(";  // the previous token: a word, "(", ")", "op" or "value"
    bool in_values = false;
    std::vector<std::string> values;
    size_t i = 0;
    while (i < cond.size()) {
        const char c = cond[i];
        if (c == '"' || c == '\'') {  // quoted strings are values, copied untouched
            size_t j = i + 1;
            while (j < cond.size() && cond[j] != c) j += cond[j] == '\\' ? 2 : 1;
            j = std::min(j + 1, cond.size());
            if (in_values) {
                values.push_back(cond.substr(i, j - i));
            } else {
                out.append(cond, i, j - i);
            }
            prev = "value";
            i = j;
            continue;
        }
        if (is_space(c) || (c == ',' && in_values)) {
            if (!in_values) out += c;
            ++i;
            continue;
        }
        if (c == '(') {
            if (prev == "in" || prev == "intersects" || prev == "pmatch") {
                in_values = true;
                values.clear();
            } else {
                out += c;
                prev = "(";
            }
            ++i;
            continue;
        }
        if (c == ')') {
            if (in_values) {
                out += "(";
                for (size_t k = 0; k < values.size(); ++k) out += (k ? ", " : "") + values[k];
                out += ")";
                in_values = false;
                prev = "value";
            } else {
                out += c;
                prev = ")";
            }
            ++i;
            continue;
        }
        if (!word_char(c)) {
            out += c;
            prev = "op";
            ++i;
            continue;
        }
        size_t j = i;
        while (j < cond.size() && word_char(cond[j])) ++j;
        const std::string word = cond.substr(i, j - i);
        i = j;
        if (in_values) {
            if (rs.lists.count(word)) {
                for (auto& item : list_items(rs, word, 0)) values.push_back(std::move(item));
            } else {
                values.push_back(word);
            }
            continue;
        }
        const auto m = rs.macros.find(word);
        if (m != rs.macros.end() && (prev == "(" || prev == "and" || prev == "or" || prev == "not")) {
            out += "(" + expand(rs, m->second, depth + 1) + ")";
            prev = "value";
        } else {
            out += word;
            prev = word;
        }
    }
    if (in_values) throw std::runtime_error("unterminated value list");
    return out;
}

std::string rules_dir() {
    return scap_test::captures_dir() + "/../rules";
}

ruleset load_rules(const std::vector<std::string>& files) {
    ruleset rs;
    for (const auto& f : files) {
        const YAML::Node doc = YAML::LoadFile(rules_dir() + "/" + f);
        for (const auto& item : doc) {
            const bool append = item["append"] && item["append"].as<bool>();
            if (item["list"]) {
                auto& items = rs.lists[item["list"].as<std::string>()];
                if (!append) items.clear();
                for (const auto& v : item["items"]) items.push_back(v.as<std::string>());
            } else if (item["macro"]) {
                auto& cond = rs.macros[item["macro"].as<std::string>()];
                const std::string c = item["condition"].as<std::string>();
                cond = append ? cond + " " + c : c;
            } else if (item["rule"] && item["condition"]) {
                const std::string name = item["rule"].as<std::string>();
                const std::string c = item["condition"].as<std::string>();
                bool appended = false;
                if (append) {
                    for (auto& r : rs.rules) {
                        if (r.name == name) {
                            r.condition += " " + c;
                            appended = true;
                        }
                    }
                }
                if (!appended) rs.rules.push_back({f, name, c});
            }
        }
    }
    return rs;
}

const std::vector<std::string> k_files = {"falco_rules.yaml", "falco-incubating_rules.yaml",
                                          "falco-sandbox_rules.yaml"};

TEST(FalcoRules, ExpansionSplicesListsAndMacros) {
    ruleset rs;
    rs.lists["shells"] = {"bash", "sh"};
    rs.lists["more"] = {"shells", "my shell"};
    rs.macros["spawned"] = "evt.type = execve";
    rs.lists["none"] = {};
    rs.macros["shell"] = "spawned and proc.name in (more, none)";
    rs.macros["dup"] = "evt.type in (dup, dup2)";
    EXPECT_EQ(expand(rs, "shell and not proc.pname='shells'", 0),
              "((evt.type = execve) and proc.name in (bash, sh, \"my shell\")) and not proc.pname='shells'");
    // A macro's name in a value position is a value, not the macro.
    EXPECT_EQ(expand(rs, "dup and proc.name = dup", 0), "(evt.type in (dup, dup2)) and proc.name = dup");
}

TEST(FalcoRules, EveryDefaultRuleConditionCompiles) {
    const ruleset rs = load_rules(k_files);
    // The three files hold 93 rules; fewer means a file was not found or not read.
    ASSERT_EQ(rs.rules.size(), 93u) << "rules found under " << rules_dir();
    sinsp::field_catalog catalog;
    std::vector<std::string> failures;
    for (const auto& r : rs.rules) {
        std::string text;
        try {
            text = expand(rs, r.condition, 0);
            sinsp::filter::compile(text, catalog);
        } catch (const std::exception& e) {
            failures.push_back(r.file + ": " + r.name + ": " + e.what());
        }
    }
    std::string report;
    for (const auto& f : failures) report += "  " + f + "\n";
    EXPECT_TRUE(failures.empty()) << failures.size() << " of " << rs.rules.size()
                                  << " rule conditions do not compile:\n"
                                  << report;
}

// The default files name these fields in conditions and outputs; binding each alone shows which
// field is missing faster than a rule's whole condition does.
TEST(FalcoRules, FieldsTheDefaultRulesUseExist) {
    sinsp::field_catalog catalog;
    for (const char* f : {"container.id",
                          "container.image.repository",
                          "container.mount.dest[/var/run/docker.sock]",
                          "container.privileged",
                          "container.start_ts",
                          "container.mounts",
                          "k8s.ns.name",
                          "k8s.pod.name",
                          "fd.name_changed",
                          "fd.nameraw",
                          "fd.sip.name",
                          "fd.cip.name",
                          "fd.lip.name",
                          "fd.rip.name",
                          "proc.is_exe_from_memfd",
                          "proc.is_exe_upper_layer",
                          "proc.exe_ino.ctime",
                          "proc.exe_ino.mtime",
                          "proc.exe_ino.ctime_duration_proc_start",
                          "proc.aexepath[2]"}) {
        EXPECT_NO_THROW(sinsp::filter::compile(std::string(f) + " exists", catalog)) << f;
    }
}

}  // namespace
