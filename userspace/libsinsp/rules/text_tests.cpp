// One text field's constant comparisons answered together (see text_tests.h).
#include "text_tests.h"

#include <algorithm>

namespace sinsp::rules::detail {

namespace {

// The value without trailing NULs, as the filter compares text.
std::string_view trimmed(const filter::value_view& v) {
    size_t n = v.len;
    while (n > 0 && v.data[n - 1] == 0) --n;
    return {reinterpret_cast<const char*>(v.data), n};
}

}  // namespace

void text_tests::insert(std::vector<trie_node>& trie, std::string_view s, uint32_t slot) {
    uint32_t at = 0;
    for (char ch : s) {
        const auto c = static_cast<uint8_t>(ch);
        auto& next = trie[at].next;
        auto it = std::find_if(next.begin(), next.end(), [c](const auto& e) { return e.first == c; });
        if (it != next.end()) {
            at = it->second;
            continue;
        }
        const auto child = static_cast<uint32_t>(trie.size());
        trie[at].next.emplace_back(c, child);  // before emplace_back below invalidates `next`
        trie.emplace_back();
        at = child;
    }
    trie[at].slots.push_back(slot);
}

uint32_t text_tests::add(kind k, const std::vector<std::string>& constants) {
    const auto slot = static_cast<uint32_t>(m_hits.size());
    m_hits.push_back(0);
    for (std::string c : constants) {
        // The filter drops a constant's trailing NULs too (constants cannot hold NULs anyway).
        while (!c.empty() && c.back() == '\0') c.pop_back();
        switch (k) {
            case kind::equal: {
                auto it = m_equal.find(c);
                if (it == m_equal.end()) {
                    m_constants.push_back(c);
                    it = m_equal.emplace(m_constants.back(), std::vector<uint32_t>{}).first;
                }
                it->second.push_back(slot);
                break;
            }
            case kind::prefix:
                insert(m_prefixes, c, slot);
                break;
            case kind::suffix:
                std::reverse(c.begin(), c.end());
                insert(m_suffixes, c, slot);
                break;
        }
    }
    return slot;
}

void text_tests::walk(const std::vector<trie_node>& trie, std::string_view s, bool backwards) {
    uint32_t node = 0;
    const size_t n = s.size();
    for (size_t i = 0;; ++i) {
        for (uint32_t slot : trie[node].slots) m_hits[slot] = m_event;
        if (i == n) return;
        const auto c = static_cast<uint8_t>(backwards ? s[n - 1 - i] : s[i]);
        const auto& next = trie[node].next;
        auto it = std::find_if(next.begin(), next.end(), [c](const auto& e) { return e.first == c; });
        if (it == next.end()) return;
        node = it->second;
    }
}

void text_tests::run(const event_context& ctx) {
    m_values.clear();
    if (!m_field->extract(ctx, m_values)) return;
    if (m_values.size() != 1 && !(m_flags & filter::FIELD_ANY_VALUE)) return;
    for (const auto& v : m_values) {
        const std::string_view s = trimmed(v);
        if (!m_equal.empty()) {
            auto it = m_equal.find(s);
            if (it != m_equal.end()) {
                for (uint32_t slot : it->second) m_hits[slot] = m_event;
            }
        }
        if (m_prefixes.size() > 1 || !m_prefixes[0].slots.empty()) walk(m_prefixes, s, false);
        if (m_suffixes.size() > 1 || !m_suffixes[0].slots.empty()) walk(m_suffixes, s, true);
    }
}

}  // namespace sinsp::rules::detail
