// A direct-mapped memo from an event's fd key (fd_scope.h) to one 64-bit word: per flat program of
// the condition graph, the roots whose fd-scoped conjuncts hold for that key (condition_graph.h).
//
// Why: the word is worked out by evaluating those conjuncts (text groups, globs, pmatch...) for
// every root of the program; fd names repeat (166 distinct paths over 260,037 openats of the 2M
// reference capture), so most events find it here with one compare of the name.
//
// The key is the name's and the raw path's bytes and the fd's kind, never where they came from, so
// an fd renamed in place, reused for another file or closed cannot lend its word to another name.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "fd_scope.h"

namespace sinsp::rules::detail {

class fd_key_memo {
  public:
    // The word remembered for `k`, or null.
    const uint64_t* find(const fd_key& k) const {
        if (m_entries.empty() || !fits(k)) return nullptr;
        const entry& e = m_entries[slot(k)];
        if (!e.valid || e.tag != k.tag || e.len != k.name.size() || e.raw_len != k.raw.size()) return nullptr;
        if (!k.name.empty() && std::memcmp(e.text, k.name.data(), k.name.size()) != 0) return nullptr;
        if (!k.raw.empty() && std::memcmp(e.text + e.len, k.raw.data(), k.raw.size()) != 0) return nullptr;
        return &e.word;
    }
    // Remembers `word` for `k` (replacing whatever shared its slot); keys whose texts are longer
    // than an entry holds are not remembered. Allocates at the first call only.
    void remember(const fd_key& k, uint64_t word);

    uint64_t fills() const { return m_fills; }

  private:
    static constexpr size_t k_entries = 256;  // a power of two
    static constexpr size_t k_text = 114;     // an entry is two cache lines
    struct entry {
        uint64_t word = 0;
        uint16_t len = 0;      // the name's, at the start of text
        uint16_t raw_len = 0;  // the raw path's, after it
        uint8_t tag = 0;
        bool valid = false;
        char text[k_text] = {};
    };
    static bool fits(const fd_key& k) { return k.name.size() + k.raw.size() <= k_text; }
    static_assert(sizeof(entry) == 128, "two cache lines");
    static size_t slot(const fd_key& k);
    std::vector<entry> m_entries;
    uint64_t m_fills = 0;
};

}  // namespace sinsp::rules::detail
