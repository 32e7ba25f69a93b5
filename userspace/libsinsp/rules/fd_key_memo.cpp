// The fd-key memo of condition_graph's root masks (see fd_key_memo.h).
#include "fd_key_memo.h"

#include "ends_hash.h"

#include <cstring>

namespace sinsp::rules::detail {

size_t fd_key_memo::slot(const fd_key& k) {
    // The name's ends, its length, the raw path's length and the tag.
    static_assert((k_entries & (k_entries - 1)) == 0, "a power of two");
    const uint64_t seed = (k.raw.size() << 16 | k.name.size()) << 8 | k.tag;
    return ends_hash(k.name, seed, static_cast<unsigned>(__builtin_ctzll(k_entries)));
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
