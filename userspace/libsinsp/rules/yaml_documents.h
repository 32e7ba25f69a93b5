// Reading a rule file's YAML documents without yaml-cpp 0.7's endless loop on some invalid input.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace sinsp::rules::detail {

// YAML::LoadAll, after a first pass that stops where yaml-cpp 0.7 would loop forever: on some
// invalid inputs (a stray ',' after a block sequence item: "- a\n,\n") its parser stops consuming
// tokens yet reports one more empty document on every turn, and LoadAll collects them until
// memory runs out (fixed upstream in 0.8.0, jbeder/yaml-cpp#1319; Debian 12 ships 0.7.0). Throws
// YAML::ParserException with the position where the parser stopped, like any syntax error.
std::vector<YAML::Node> load_documents(const std::string& text);

}  // namespace sinsp::rules::detail
