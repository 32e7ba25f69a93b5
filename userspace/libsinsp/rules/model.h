// What the YAML reader collects from rule files before anything is compiled: lists, macros and
// rules after appends and overrides, each remembering where its text came from so errors found
// later (while compiling) can be reported at the right file position.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sinsp/rules.h"

namespace sinsp::rules::detail {

// A rule file's text, kept to map an offset inside a YAML scalar back to a line and column.
struct file_text {
    std::string name;
    std::string content;
    // Offset of each line's first byte, so a position is found without rescanning the file
    // (a file can hold thousands of errors). Filled by index_lines().
    std::vector<size_t> line_starts;
    void index_lines();
};

// A piece of a composed text (a condition built from a definition and its appends) and the YAML
// scalar it came from.
struct text_piece {
    size_t start = 0;  // offset of the piece in the composed text
    size_t length = 0;
    std::shared_ptr<const file_text> file;
    size_t scalar_pos = 0;  // byte offset of the YAML scalar in the file
    location origin;        // the scalar's position (fallback when mapping fails)
};

// Text composed from one or more YAML scalars (Falco joins appends with a blank).
struct sourced_text {
    std::string text;
    std::vector<text_piece> pieces;

    void assign(std::string value, const text_piece& from);
    void append(const std::string& value, const text_piece& from);
    // File position of `offset` inside `text`.
    location locate(size_t offset) const;
};

// An exception's fields/comps/values entry: a scalar or a list (of scalars or lists).
struct ex_entry {
    bool is_list = false;
    std::string item;
    std::vector<ex_entry> items;
};

struct exception_def {
    std::string name;
    std::optional<ex_entry> fields;
    std::optional<ex_entry> comps;
    std::vector<ex_entry> values;
    location where;
};

struct list_def {
    std::string name;
    std::vector<std::string> items;
    location where;
    uint32_t index = 0;       // order of first definition
    uint32_t visibility = 0;  // order of the last definition or append: sees lists defined before
};

struct macro_def {
    std::string name;
    sourced_text condition;
    location where;
    uint32_t index = 0;
    uint32_t visibility = 0;
};

struct rule_def {
    std::string name;
    sourced_text condition;
    sourced_text output;
    std::string desc;
    priority prio = priority::debug;
    std::set<std::string> tags;
    std::string source = "syscall";
    bool enabled = true;
    std::vector<exception_def> exceptions;
    location where;
    uint32_t index = 0;
    // Set when the definition itself was invalid (reported already): the rule is listed as not
    // loaded with this reason.
    std::string invalid;
};

// Everything collected from the files, in definition order.
struct collection {
    std::vector<list_def> lists;
    std::vector<macro_def> macros;
    std::vector<rule_def> rules;
    std::map<std::string, size_t> list_by_name, macro_by_name, rule_by_name;
    std::vector<std::pair<std::string, location>> engine_versions;
    uint32_t next_index = 0;
};

// Loader diagnostics, with the strict-mode flag.
struct reporter {
    std::vector<diagnostic> items;
    void error(const location& where, const std::string& kind, const std::string& item,
               const std::string& msg);
    void warning(const location& where, const std::string& kind, const std::string& item,
                 const std::string& msg);
    size_t errors() const;
};

// Reads one file's YAML into the collection. False when the YAML cannot be parsed at all, or
// when, its aliases expanded, it passes the YAML bounds of `limits` (nothing is read then).
bool read_rules_yaml(const std::shared_ptr<const file_text>& file, collection& out, reporter& rep,
                     const load_limits& limits);

// The condition Falco builds from a rule's exceptions: "(cond) and not (...)" per exception.
// `exception_spans` receives, per exception, the range of the text built for it. Throws
// std::invalid_argument on inconsistent exceptions (fields/values of different lengths).
std::string apply_exceptions(const std::string& condition, const std::vector<exception_def>& exceptions,
                             std::vector<std::pair<size_t, size_t>>& exception_spans);

}  // namespace sinsp::rules::detail
