// A cheap hash for the verdict memos of path-like texts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sinsp::rules::detail {

// Mixes `seed` (the caller's length and tag bits) with the first and last 8 bytes of s
// (overlapping, or zero-padded, for short texts): paths of one directory differ at their end,
// names of one length at their start, so the two ends separate most of what a memo sees without
// reading whole paths. Returns the top `bits` bits (a slot in a table of 2^bits entries).
inline size_t ends_hash(std::string_view s, uint64_t seed, unsigned bits) {
    uint64_t first = 0;
    uint64_t last = 0;
    if (s.size() >= 8) {
        std::memcpy(&first, s.data(), 8);
        std::memcpy(&last, s.data() + s.size() - 8, 8);
    } else if (!s.empty()) {
        std::memcpy(&first, s.data(), s.size());
    }
    constexpr uint64_t k_mul = 0x9E3779B97F4A7C15ull;
    uint64_t h = (seed * k_mul) ^ first;
    h = (h * k_mul) ^ last;
    h *= k_mul;
    return static_cast<size_t>(h >> (64 - bits));
}

}  // namespace sinsp::rules::detail
