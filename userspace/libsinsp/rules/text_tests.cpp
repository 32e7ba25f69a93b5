// One text field's constant comparisons answered together (see text_tests.h).
#include "text_tests.h"

#include "ends_hash.h"

#include <algorithm>
#include <cstring>

namespace sinsp::rules::detail {

namespace {

// The value without trailing NULs, as the filter compares text.
std::string_view trimmed(const filter::value_view& v) {
    size_t n = v.len;
    while (n > 0 && v.data[n - 1] == 0) --n;
    return {reinterpret_cast<const char*>(v.data), n};
}

// Whether `needle` occurs in `s`. Values here are paths and names of tens of bytes and needles a
// few bytes long: looking for the needle's first byte with memchr and comparing the rest is cheaper
// than memmem, whose setup (a 256-entry shift table cleared on each call) costs more than the scan.
bool contains(std::string_view s, std::string_view needle) {
    if (needle.empty()) return true;
    if (s.size() < needle.size()) return false;
    const char first = needle[0];
    const char* p = s.data();
    const char* const last = s.data() + (s.size() - needle.size());  // last possible start
    while (p <= last) {
        p = static_cast<const char*>(std::memchr(p, first, static_cast<size_t>(last - p) + 1));
        if (p == nullptr) return false;
        if (std::memcmp(p + 1, needle.data() + 1, needle.size() - 1) == 0) return true;
        ++p;
    }
    return false;
}

uint64_t length_bit(size_t len) {
    return uint64_t{1} << std::min<size_t>(len, 63);
}

}  // namespace

uint64_t text_tests::hash(std::string_view s) {
    // Eight bytes per step (paths are tens of bytes); quality only matters for probe lengths.
    constexpr uint64_t k_mul = 0x9E3779B97F4A7C15ull;
    uint64_t h = s.size() * k_mul;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * k_mul;
        h ^= h >> 29;
    }
    if (i < s.size()) {
        uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        h = (h ^ w) * k_mul;
        h ^= h >> 29;
    }
    return h ^ (h >> 32);
}

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

text_tests::added text_tests::add(kind k, const std::vector<std::string>& constants) {
    // A remembered value's answers do not include the new test.
    for (memo_entry& e : m_memo) e.valid = false;
    m_memo_current = nullptr;
    if (k == kind::not_equal || k == kind::contains) {
        // The filter drops a constant's trailing NULs too (constants cannot hold NULs anyway).
        std::string c = constants.at(0);
        while (!c.empty() && c.back() == '\0') c.pop_back();
        m_singles.push_back(single{c, k == kind::contains});
        return {true, static_cast<uint32_t>(m_singles.size() - 1)};
    }
    const auto slot = static_cast<uint32_t>(m_answers.size());
    m_answers.push_back(0);
    for (std::string c : constants) {
        // The filter drops a constant's trailing NULs too (constants cannot hold NULs anyway).
        while (!c.empty() && c.back() == '\0') c.pop_back();
        switch (k) {
            case kind::equal: {
                auto it = std::find_if(m_constants.begin(), m_constants.end(),
                                       [&](const constant& e) { return e.text == c; });
                if (it == m_constants.end()) {
                    m_constants.push_back(constant{c, hash(c), {}});
                    it = m_constants.end() - 1;
                }
                if (std::find(it->slots.begin(), it->slots.end(), slot) == it->slots.end())
                    it->slots.push_back(slot);
                m_lengths |= length_bit(c.size());
                m_table_stale = true;
                break;
            }
            case kind::not_equal:
            case kind::contains:
                break;  // above
            case kind::prefix:
                insert(m_prefixes, c, slot);
                break;
            case kind::suffix:
                std::reverse(c.begin(), c.end());
                insert(m_suffixes, c, slot);
                break;
        }
    }
    return {false, slot};
}

void text_tests::build_table() {
    size_t size = 16;
    while (size < 2 * m_constants.size()) size *= 2;
    m_table.assign(size, 0);
    for (size_t i = 0; i < m_constants.size(); ++i) {
        size_t at = m_constants[i].hash & (size - 1);
        while (m_table[at] != 0) at = (at + 1) & (size - 1);
        m_table[at] = static_cast<uint32_t>(i + 1);
    }
    m_table_stale = false;
}

void text_tests::mark_equal(std::string_view s) {
    if ((m_lengths & length_bit(s.size())) == 0) return;
    const uint64_t h = hash(s);
    const size_t mask = m_table.size() - 1;
    for (size_t at = h & mask; m_table[at] != 0; at = (at + 1) & mask) {
        const constant& c = m_constants[m_table[at] - 1];
        if (c.hash != h || c.text != s) continue;
        for (uint32_t slot : c.slots) hold(slot);
        return;
    }
}

void text_tests::walk(const std::vector<trie_node>& trie, std::string_view s, bool backwards) {
    uint32_t node = 0;
    const size_t n = s.size();
    for (size_t i = 0;; ++i) {
        for (uint32_t slot : trie[node].slots) hold(slot);
        if (i == n) return;
        const auto c = static_cast<uint8_t>(backwards ? s[n - 1 - i] : s[i]);
        const auto& next = trie[node].next;
        auto it = std::find_if(next.begin(), next.end(), [c](const auto& e) { return e.first == c; });
        if (it == next.end()) return;
        node = it->second;
    }
}

bool text_tests::single_holds(uint32_t index) {
    if (!m_usable) return false;
    const uint64_t bit = index < 64 ? uint64_t{1} << index : 0;
    if (m_memo_current != nullptr && (m_memo_current->singles_known & bit) != 0)
        return (m_memo_current->singles_true & bit) != 0;
    const single& t = m_singles[index];
    bool holds = false;
    for (const auto& v : *m_in) {
        const std::string_view s = trimmed(v);
        if (!t.contains ? s != t.text : contains(s, t.text)) {
            holds = true;
            break;
        }
    }
    if (m_memo_current != nullptr) {
        m_memo_current->singles_known |= bit;
        if (holds) m_memo_current->singles_true |= bit;
    }
    return holds;
}

size_t text_tests::memo_slot(std::string_view s) {
    static_assert((k_memo_entries & (k_memo_entries - 1)) == 0, "a power of two");
    return ends_hash(s, s.size(), static_cast<unsigned>(__builtin_ctzll(k_memo_entries)));
}

void text_tests::answer(std::string_view s) {
    if (!m_constants.empty()) mark_equal(s);
    if (m_prefixes.size() > 1 || !m_prefixes[0].slots.empty()) walk(m_prefixes, s, false);
    if (m_suffixes.size() > 1 || !m_suffixes[0].slots.empty()) walk(m_suffixes, s, true);
}

bool text_tests::answer_from_memo(std::string_view s) {
    if (s.size() > k_memo_text) return false;
    if (m_memo.empty()) m_memo.resize(k_memo_entries);
    memo_entry& e = m_memo[memo_slot(s)];
    if (e.valid && e.len == s.size() && (s.empty() || std::memcmp(e.text, s.data(), s.size()) == 0)) {
        for (uint32_t i = 0; i < e.held_count; ++i) m_answers[e.held[i]] = m_event;
        m_memo_current = &e;
        ++m_memo_hits;
        return true;
    }
    m_held_count = 0;
    answer(s);
    if (m_held_count > k_memo_held) {
        e.valid = false;  // too many to keep: this value takes the long way every time
        return true;
    }
    e.valid = true;
    e.len = static_cast<uint32_t>(s.size());
    if (!s.empty()) std::memcpy(e.text, s.data(), s.size());
    e.held_count = m_held_count;
    std::copy(m_held, m_held + m_held_count, e.held);
    e.singles_known = 0;
    e.singles_true = 0;
    m_memo_current = &e;
    ++m_memo_fills;
    return true;
}

void text_tests::run(const event_context& ctx, uint32_t event) {
    m_event = event;
    if (m_table_stale) build_table();
    m_usable = false;
    m_memo_current = nullptr;
    if (m_cached != nullptr) {
        m_in = m_cached->values(ctx);
        if (m_in == nullptr) return;
    } else {
        m_values.clear();
        m_in = &m_values;
        if (!m_field->extract(ctx, m_values)) return;
    }
    if (m_in->size() != 1 && !(m_flags & filter::FIELD_ANY_VALUE)) return;
    m_usable = true;
    // One value (the usual case) goes through the memo; several are answered one by one.
    if (m_in->size() == 1 && answer_from_memo(trimmed((*m_in)[0]))) return;
    for (const auto& v : *m_in) answer(trimmed(v));
}

}  // namespace sinsp::rules::detail
