// What the loader's bounds on expansion (load_limits in sinsp/rules.h) count.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sinsp/filter_ast.h"
#include "sinsp/rules.h"

namespace sinsp::rules::detail {

// Nodes of a condition tree: every expression and every term (fields, transformer arguments,
// list elements), so a list of 1,000 items counts 1,000. Proportional to the memory the tree and
// its compiled filter take.
size_t tree_size(const filter::ast::expr& e);
size_t tree_size(const filter::ast::term& t);

// Where a file's YAML, walked with its aliases expanded (as the reader will walk it), passes
// load_limits' yaml_nodes or yaml_text_bytes: the top-level item being walked then, and which
// bound. The walk stops there, so it costs at most the bounds.
struct yaml_overflow {
    YAML::Node item;
    std::string what;
};
std::optional<yaml_overflow> check_yaml_extent(const std::vector<YAML::Node>& docs,
                                               const load_limits& limits);

}  // namespace sinsp::rules::detail
