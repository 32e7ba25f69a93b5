#include "path_set.h"

#include <fnmatch.h>

#include <algorithm>

namespace sinsp::filter {

namespace {
// Next non-empty component of `rest`, which is advanced past it; empty when none is left.
std::string_view next_component(std::string_view& rest) {
    while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    size_t end = rest.find('/');
    std::string_view comp = rest.substr(0, end);
    rest.remove_prefix(comp.size());
    return comp;
}
}  // namespace

void path_set::add(std::string_view path) {
    trie* t = &m_root;
    for (auto comp = next_component(path); !comp.empty(); comp = next_component(path)) {
        if (t->terminal) return;  // a shorter prefix already covers this path
        bool is_glob = comp.find_first_of("?*[") != std::string_view::npos;
        auto& level = is_glob ? t->globs : t->exact;
        auto it = std::lower_bound(level.begin(), level.end(), comp,
                                   [](const auto& e, std::string_view k) { return e.first < k; });
        if (it == level.end() || it->first != comp) {
            it = level.emplace(it, std::string(comp), std::make_unique<trie>());
        }
        t = it->second.get();
    }
    t->terminal = true;
    t->exact.clear();  // everything below is now redundant
    t->globs.clear();
}

bool path_set::matches(std::string_view path) {
    return walk(m_root, path);
}

bool path_set::walk(const trie& t, std::string_view rest) {
    if (t.terminal) return true;
    std::string_view comp = next_component(rest);
    if (comp.empty()) return false;
    auto it = std::lower_bound(t.exact.begin(), t.exact.end(), comp,
                               [](const auto& e, std::string_view k) { return e.first < k; });
    if (it != t.exact.end() && it->first == comp && walk(*it->second, rest)) return true;
    if (t.globs.empty()) return false;
    for (const auto& [pattern, child] : t.globs) {
        m_component.assign(comp);
        if (fnmatch(pattern.c_str(), m_component.c_str(), 0) == 0 && walk(*child, rest)) return true;
    }
    return false;
}

}  // namespace sinsp::filter
