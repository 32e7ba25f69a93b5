// Zero-copy views over events in the wire format (see proposals/0001-foundation.md).
//
// An event is: packed header (26 bytes), nparams parameter lengths (u16, or u32 for
// EF_LARGE_PAYLOAD events), then the parameter bytes back to back. Nothing here copies or
// allocates: views point into the buffer the event lives in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "scap_schema.h"

namespace scap {

using event_header = ppm_evt_hdr;
inline constexpr size_t k_event_header_size = sizeof(ppm_evt_hdr);
static_assert(k_event_header_size == 26, "the wire header is 26 packed bytes");

// Size in bytes of one entry of the lengths array for events of this type (2, or 4 for
// EF_LARGE_PAYLOAD events).
inline uint32_t param_len_size(uint16_t type) {
    return scap_param_len_size(type);
}

// One parameter's bytes. Typed accessors never read past len: a short parameter yields 0.
struct param_view {
    const uint8_t* data = nullptr;
    uint32_t len = 0;

    bool empty() const { return len == 0; }
    std::string_view bytes() const { return {reinterpret_cast<const char*>(data), len}; }
    // Strings are stored NUL-terminated; the view excludes the terminator (and anything after it).
    std::string_view str() const {
        if (len == 0) return {};
        const void* nul = std::memchr(data, 0, len);
        size_t n = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - data) : len;
        return {reinterpret_cast<const char*>(data), n};
    }
    template <typename T>
    T as() const {
        T v{};
        // The exact size is nearly every read: one fixed-size load, no call to memcpy.
        if (len == sizeof(T))
            std::memcpy(&v, data, sizeof(T));
        else if (len != 0)  // empty: data may be null
            std::memcpy(&v, data, len < sizeof(T) ? len : sizeof(T));
        return v;
    }
};

// Checks that the event at buf (with avail bytes readable) is self-consistent and fits.
// Returns nullptr when valid, else a static description of the first problem found.
const char* validate_event(const uint8_t* buf, size_t avail);

// A view over an event that has passed validate_event (or was produced by our own code).
class event_view {
  public:
    event_view() = default;
    explicit event_view(const event_header* hdr) : m_hdr(hdr) {}
    explicit event_view(const uint8_t* buf) : m_hdr(reinterpret_cast<const event_header*>(buf)) {}

    const event_header* header() const { return m_hdr; }
    const uint8_t* raw() const { return reinterpret_cast<const uint8_t*>(m_hdr); }
    uint64_t ts() const { return read<uint64_t>(offsetof(event_header, ts)); }
    uint64_t tid() const { return read<uint64_t>(offsetof(event_header, tid)); }
    uint32_t len() const { return read<uint32_t>(offsetof(event_header, len)); }
    uint16_t type() const { return read<uint16_t>(offsetof(event_header, type)); }
    uint32_t nparams() const { return read<uint32_t>(offsetof(event_header, nparams)); }
    const scap_event_info& info() const { return scap_event_table[type()]; }

    // Length of parameter i (i < nparams()).
    uint32_t param_len(uint32_t i) const {
        return len_at(raw() + k_event_header_size, i, param_len_size(type()));
    }

    // Parameter i (i < nparams()); walks the lengths array, O(i).
    param_view param(uint32_t i) const {
        const uint32_t lsz = param_len_size(type());
        const uint32_t n = nparams();
        const uint8_t* lens = raw() + k_event_header_size;
        const uint8_t* p = lens + static_cast<size_t>(lsz) * n;
        for (uint32_t k = 0; k < i; ++k) p += len_at(lens, k, lsz);
        return {p, len_at(lens, i, lsz)};
    }

  private:
    // Entry k of a lengths array whose entries are lsz (2 or 4) bytes wide.
    static uint32_t len_at(const uint8_t* lens, uint32_t k, uint32_t lsz) {
        if (lsz == 4) {
            uint32_t l;
            std::memcpy(&l, lens + 4 * k, 4);
            return l;
        }
        uint16_t l;
        std::memcpy(&l, lens + 2 * k, 2);
        return l;
    }

    template <typename T>
    T read(size_t off) const {
        T v;
        std::memcpy(&v, raw() + off, sizeof(T));
        return v;
    }

    const event_header* m_hdr = nullptr;
};

// Every parameter of one event located in one walk of its lengths array, for code that reads
// several of them: event_view::param walks the array again on each call, which made reading an
// open's seven parameters cost 21 length reads. Nothing is zeroed: only the first size() entries
// are written and read.
class param_index {
  public:
    static constexpr uint32_t k_max = 48;  // more than any event of the schema has
    explicit param_index(const event_view& ev) : m_raw(ev.raw()) {
        const uint32_t lsz = param_len_size(ev.type());
        const uint32_t total = ev.nparams();
        m_n = total < k_max ? total : k_max;
        const uint8_t* lens = m_raw + k_event_header_size;
        const uint32_t first = k_event_header_size + lsz * total;
        // The entry width is chosen once, outside the loop: 2 bytes for nearly every event.
        if (lsz == 4)
            locate<uint32_t>(lens, first);
        else
            locate<uint16_t>(lens, first);
    }
    // Parameters located (all of the event's, up to k_max).
    uint32_t size() const { return m_n; }
    // Parameter i, i < size().
    param_view operator[](uint32_t i) const { return {m_raw + m_start[i], m_len[i]}; }

  private:
    template <typename Len>
    void locate(const uint8_t* lens, uint32_t off) {
        for (uint32_t k = 0; k < m_n; ++k) {
            Len l;
            std::memcpy(&l, lens + sizeof(Len) * k, sizeof(Len));
            m_start[k] = off;
            m_len[k] = l;
            off += l;
        }
    }

    const uint8_t* m_raw;
    uint32_t m_n;
    uint32_t m_start[k_max];
    uint32_t m_len[k_max];
};

// What an engine hands out per event: a pointer into the engine's buffer, valid until the next
// call to next() on the same engine.
struct event_ref {
    const event_header* hdr = nullptr;
    uint16_t cpu = 0;
    uint32_t flags = 0;  // block flags of events-with-flags blocks (0 otherwise)
    // Events the reference numbers but never shows, consumed just before this one: the enter
    // events of old enter+exit captures its converter passes on (see converter.h), for evt.num to
    // count so that a number names the same event in both (not applied yet: docs/compat.md); 0
    // for every current event.
    uint32_t numbered_before = 0;
    event_view view() const { return event_view(hdr); }
};

}  // namespace scap
