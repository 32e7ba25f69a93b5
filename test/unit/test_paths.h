// Where tests find their inputs: the real captures live in ../shared/captures beside the repo.
#pragma once
#include <string>
#include <vector>

namespace scap_test {
// Absolute path of ../shared/captures relative to the repository root.
std::string captures_dir();
// captures_dir() + "/" + name.
std::string capture(const std::string& name);
// Full paths of every capture there (.scap and .scap.gz), sorted; empty when none are found.
std::vector<std::string> shared_captures();
// A fresh, empty directory for a test's outputs (under the build tree's temp area).
std::string temp_dir(const std::string& test_name);
}  // namespace scap_test
