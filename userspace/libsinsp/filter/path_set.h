// The `pmatch` operand: a set of path prefixes matched component by component.
//
// "/opt/dir" matches "/opt/dir" and "/opt/dir/x" but not "/opt/dir2". A component may be a glob
// ("/opt/*/subdir", "/opt/di?", "/opt/di[r]"), matched with fnmatch against one component.
// Empty components are ignored, so "/a//b/" is "/a/b".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sinsp::filter {

class path_set {
  public:
    void add(std::string_view path);
    bool matches(std::string_view path);  // not const: uses a scratch buffer for globs

  private:
    struct trie {
        bool terminal = false;                                             // a search path ends here
        std::vector<std::pair<std::string, std::unique_ptr<trie>>> exact;  // sorted by name
        std::vector<std::pair<std::string, std::unique_ptr<trie>>> globs;
    };
    bool walk(const trie& t, std::string_view rest);
    trie m_root;
    std::string m_component;  // NUL-terminated copy of a component for fnmatch
};

}  // namespace sinsp::filter
