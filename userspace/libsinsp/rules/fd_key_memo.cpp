// The fd-key memo of condition_graph's root masks (see fd_key_memo.h).
#include "fd_key_memo.h"

#include <cstring>

namespace sinsp::rules::detail {

size_t fd_key_memo::slot(const fd_key& k) {
    // The first and last 8 bytes (overlapping, or zero-padded, for short names), the length and
    // the tag: paths of one directory differ at their end, names of one length at their start.
    const std::string_view s = k.name;
    uint64_t first = 0;
    uint64_t last = 0;
    if (s.size() >= 8) {
        std::memcpy(&first, s.data(), 8);
        std::memcpy(&last, s.data() + s.size() - 8, 8);
    } else if (!s.empty()) {
        std::memcpy(&first, s.data(), s.size());
    }
    constexpr uint64_t k_mul = 0x9E3779B97F4A7C15ull;
    uint64_t h = (((k.raw.size() << 16 | s.size()) << 8 | k.tag) * k_mul) ^ first;
    h = (h * k_mul) ^ last;
    h *= k_mul;
    static_assert((k_entries & (k_entries - 1)) == 0, "a power of two");
    return static_cast<size_t>(h >> (64 - __builtin_ctzll(k_entries)));
}

void fd_key_memo::remember(const fd_key& k, uint64_t word) {
    if (!fits(k)) return;
    if (m_entries.empty()) m_entries.resize(k_entries);
    entry& e = m_entries[slot(k)];
    e.valid = true;
    e.tag = k.tag;
    e.len = static_cast<uint16_t>(k.name.size());
    e.raw_len = static_cast<uint16_t>(k.raw.size());
    if (!k.name.empty()) std::memcpy(e.text, k.name.data(), k.name.size());
    if (!k.raw.empty()) std::memcpy(e.text + e.len, k.raw.data(), k.raw.size());
    e.word = word;
    ++m_fills;
}

}  // namespace sinsp::rules::detail
