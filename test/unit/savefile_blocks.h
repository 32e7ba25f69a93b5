// Test helpers for capture files: build blocks byte by byte (to make synthetic and damaged
// captures), and walk a capture's blocks with nothing but zlib, independently of the engine, to
// cross-check what the engine reports.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "scap/engine.h"

namespace savefile_test {

using bytes = std::vector<uint8_t>;

// Little-endian field appender.
struct body {
    bytes b;
    template <typename T>
    body& put(T v) {
        const size_t at = b.size();
        b.resize(at + sizeof(T));
        std::memcpy(b.data() + at, &v, sizeof(T));
        return *this;
    }
    body& raw(const void* p, size_t n) {
        const auto* c = static_cast<const uint8_t*>(p);
        b.insert(b.end(), c, c + n);
        return *this;
    }
    body& raw(const bytes& x) { return raw(x.data(), x.size()); }
    body& str16(const std::string& s) {
        put(static_cast<uint16_t>(s.size()));
        return raw(s.data(), s.size());
    }
    // Appends `e` preceded by its u32 length; `with_itself` counts the length field too.
    body& entry(const body& e, bool with_itself) {
        put(static_cast<uint32_t>(e.b.size() + (with_itself ? 4 : 0)));
        return raw(e.b);
    }
};

// A complete block: type, total length, body, zero padding to 4 bytes, total length again.
inline bytes block(uint32_t type, const bytes& b) {
    const uint32_t padded = static_cast<uint32_t>((b.size() + 3) & ~size_t{3});
    const uint32_t total = 8 + padded + 4;
    body out;
    out.put(type).put(total).raw(b);
    out.b.resize(8 + padded, 0);
    out.put(total);
    return out.b;
}

inline bytes section_header() {
    body b;
    b.put(uint32_t{0x1A2B3C4D}).put(uint16_t{1}).put(uint16_t{2}).put(UINT64_MAX);
    return block(0x0A0D0D0A, b.b);
}

// An event block around a complete event: cpu id, flags for events-with-flags blocks.
inline bytes event_block(uint32_t type, uint16_t cpu, const bytes& evt, uint32_t flags = 0) {
    body b;
    b.put(cpu);
    if (type == 0x208 || type == 0x217 || type == 0x222) b.put(flags);
    b.raw(evt);
    return block(type, b.b);
}

inline void append(bytes& to, const bytes& from) {
    to.insert(to.end(), from.begin(), from.end());
}

inline bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const std::string& path, const bytes& b) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// The engine statistic named `name` (engine_stats::extra); a test failure when there is none.
inline uint64_t engine_stat(const scap::engine_stats& st, const std::string& name) {
    for (const auto& [k, v] : st.extra)
        if (k == name) return v;
    ADD_FAILURE() << "no stat named " << name;
    return 0;
}

// FNV-1a, to compare event streams without keeping them.
inline void hash_into(uint64_t& h, const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ c[i]) * 1099511628211ull;
}

// What one event contributes to a stream hash: cpu, ts, tid, type and the bytes after the header
// (the lengths array and the parameters). The header length differs between old (22-byte) and
// current (26-byte) events, the rest does not, so both sides hash the same bytes.
inline void hash_event(uint64_t& h, uint16_t cpu, const uint8_t* evt, size_t header_size, size_t len) {
    hash_into(h, &cpu, 2);
    hash_into(h, evt, 16);      // ts, tid
    hash_into(h, evt + 20, 2);  // type
    hash_into(h, evt + header_size, len - header_size);
}

// The result of walking a capture's blocks with zlib alone.
struct walk_result {
    bool ok = false;
    std::string error;
    uint64_t bytes = 0;                   // decompressed size
    std::map<uint32_t, uint64_t> blocks;  // count by block type
    uint64_t event_blocks = 0;
    uint64_t event_hash = 14695981039346656037ull;
    // Entries of the blocks whose entries carry their own length (current versions).
    uint64_t proc_entries_v9 = 0, fd_entries_v2 = 0, user_entries_v2 = 0, iface_entries_v2 = 0;
};

// Counts entries that each start with a u32 length, until fewer than 4 bytes are left.
inline bool count_entries(const uint8_t* p, size_t n, bool len_counts_itself, uint64_t& count) {
    size_t at = 0;
    while (n - at >= 4) {
        uint32_t len;
        std::memcpy(&len, p + at, 4);
        const size_t step = len_counts_itself ? len : size_t{len} + 4;
        if (step < 4 || step > n - at) return false;
        at += step;
        ++count;
    }
    return true;
}

inline walk_result walk(const std::string& path) {
    walk_result r;
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) return r.error = "cannot open", r;
    bytes blk;
    for (;;) {
        uint32_t head[2];
        const int n = gzread(f, head, 8);
        if (n == 0) break;
        if (n != 8 || head[1] < 12) return gzclose(f), r.error = "bad block header", r;
        blk.resize(head[1] - 8);
        if (gzread(f, blk.data(), static_cast<unsigned>(blk.size())) != static_cast<int>(blk.size()))
            return gzclose(f), r.error = "truncated block", r;
        r.bytes += head[1];
        const uint32_t type = head[0];
        ++r.blocks[type];
        const uint8_t* b = blk.data();
        const size_t body_len = blk.size() - 4;
        bool ok = true;
        switch (type) {
            case 0x204:  // old events: 22-byte header
            case 0x208:
            case 0x216:
            case 0x217:
            case 0x221:
            case 0x222: {
                const bool flags = type == 0x208 || type == 0x217 || type == 0x222;
                const size_t hs = (type == 0x204 || type == 0x208) ? 22 : 26;
                uint16_t cpu;
                std::memcpy(&cpu, b, 2);
                const uint8_t* evt = b + (flags ? 6 : 2);
                uint32_t len;
                std::memcpy(&len, evt + 16, 4);
                if (len < hs || len > body_len - (evt - b)) {
                    ok = false;
                    break;
                }
                ++r.event_blocks;
                hash_event(r.event_hash, cpu, evt, hs, len);
                break;
            }
            case 0x215:
                ok = count_entries(b, body_len, true, r.proc_entries_v9);
                break;
            case 0x218:
                ok = count_entries(b + 8, body_len - 8, true, r.fd_entries_v2);
                break;
            case 0x220:
                ok = count_entries(b, body_len, true, r.user_entries_v2);
                break;
            case 0x219:
                ok = count_entries(b, body_len, false, r.iface_entries_v2);
                break;
            default:
                break;
        }
        if (!ok) return gzclose(f), r.error = "bad entry lengths", r;
    }
    gzclose(f);
    r.ok = true;
    return r;
}

}  // namespace savefile_test
