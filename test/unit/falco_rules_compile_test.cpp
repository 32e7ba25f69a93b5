// Falco's three default rule files (../shared/rules) against our filter language and field
// catalogue: every rule's condition, with its lists and macros expanded, must compile.
//
// The expansion is deliberately minimal and self-contained (a rules engine lives elsewhere):
// lists are spliced into the value lists that name them, macros into conditions as
// parenthesised sub-expressions, `append: true` extends what it names. Words are found outside
// quoted strings only.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
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

std::string expand(const ruleset& rs, const std::string& cond, int depth) {
    if (depth > 40) throw std::runtime_error("macro expansion too deep (a macro that names itself?)");
    std::string out;
    size_t i = 0;
    while (i < cond.size()) {
        const char c = cond[i];
        if (c == '"' || c == '\'') {  // quoted strings are copied untouched
            size_t j = i + 1;
            while (j < cond.size() && cond[j] != c) j += cond[j] == '\\' ? 2 : 1;
            j = std::min(j + 1, cond.size());
            out.append(cond, i, j - i);
            i = j;
            continue;
        }
        if (!word_char(c)) {
            out += c;
            ++i;
            continue;
        }
        size_t j = i;
        while (j < cond.size() && word_char(cond[j])) ++j;
        const std::string word = cond.substr(i, j - i);
        if (const auto m = rs.macros.find(word); m != rs.macros.end()) {
            out += "(" + expand(rs, m->second, depth + 1) + ")";
        } else if (rs.lists.count(word)) {
            const auto items = list_items(rs, word, 0);
            for (size_t k = 0; k < items.size(); ++k) out += (k ? ", " : "") + items[k];
        } else {
            out += word;
        }
        i = j;
    }
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
    rs.macros["shell"] = "spawned and proc.name in (more)";
    EXPECT_EQ(expand(rs, "shell and not proc.pname='shells'", 0),
              "((evt.type = execve) and proc.name in (bash, sh, \"my shell\")) and not proc.pname='shells'");
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
