// Sizes the loader's bounds count (see expansion_size.h).
#include "expansion_size.h"

namespace sinsp::rules::detail {

size_t tree_size(const filter::ast::term& t) {
    size_t n = 1;
    for (const auto& c : t.children) n += tree_size(c);
    return n;
}

size_t tree_size(const filter::ast::expr& e) {
    size_t n = 1 + tree_size(e.lhs);
    if (e.rhs) n += tree_size(*e.rhs);
    for (const auto& c : e.children) n += tree_size(*c);
    return n;
}

namespace {

// Nodes and scalar bytes seen so far, aliases expanded: an alias is walked again every time it
// appears, which is what the reader's copies cost.
class extent_walk {
  public:
    explicit extent_walk(const load_limits& limits) : m_limits(limits) {}

    // Walks `root`; false (with `what` set) as soon as a bound is passed. Nodes are counted when
    // they are put on the walk's own stack (yaml-cpp nests up to 2,000 levels, and an alias
    // inside its own anchor makes a cycle), so the stack too stays within the bound.
    bool walk(const YAML::Node& root, std::string& what) {
        m_stack.clear();
        if (!count(root, what)) return false;
        while (!m_stack.empty()) {
            const YAML::Node n = m_stack.back();
            m_stack.pop_back();
            if (n.IsSequence()) {
                for (const auto& c : n) {
                    if (!count(c, what)) return false;
                }
            } else if (n.IsMap()) {
                for (auto it = n.begin(); it != n.end(); ++it) {
                    if (!count(it->first, what) || !count(it->second, what)) return false;
                }
            }
        }
        return true;
    }

  private:
    bool count(const YAML::Node& n, std::string& what) {
        ++m_nodes;
        if (n.IsScalar()) m_bytes += n.Scalar().size();
        if (m_nodes > m_limits.yaml_nodes) {
            what = "more than " + std::to_string(m_limits.yaml_nodes) +
                   " YAML nodes (limit load_limits::yaml_nodes)";
            return false;
        }
        if (m_bytes > m_limits.yaml_text_bytes) {
            what = "more than " + std::to_string(m_limits.yaml_text_bytes) +
                   " bytes of scalar text (limit load_limits::yaml_text_bytes)";
            return false;
        }
        if (n.IsSequence() || n.IsMap()) m_stack.push_back(n);
        return true;
    }

    const load_limits& m_limits;
    std::vector<YAML::Node> m_stack;
    size_t m_nodes = 0;
    size_t m_bytes = 0;
};

}  // namespace

std::optional<yaml_overflow> check_yaml_extent(const std::vector<YAML::Node>& docs,
                                               const load_limits& limits) {
    extent_walk w(limits);
    std::string what;
    for (const auto& doc : docs) {
        if (!doc.IsSequence()) {
            if (!w.walk(doc, what)) return yaml_overflow{doc, what};
            continue;
        }
        for (const auto& item : doc) {
            if (!w.walk(item, what)) return yaml_overflow{item, what};
        }
    }
    return std::nullopt;
}

}  // namespace sinsp::rules::detail
