// Builds events in the wire format for tests: give a type and the parameters (raw byte blobs or
// typed values); lengths, header and the 2- or 4-byte length array are computed.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "scap/event.h"

namespace scap::test {

using bytes = std::vector<uint8_t>;

// Typed parameter values, little-endian as on the wire.
template <typename T>
bytes val(T v) {
    bytes b(sizeof(T));
    std::memcpy(b.data(), &v, sizeof(T));
    return b;
}
// A NUL-terminated string parameter.
inline bytes str(const std::string& s) {
    bytes b(s.begin(), s.end());
    b.push_back(0);
    return b;
}
inline bytes empty() {
    return {};
}

class event_builder {
  public:
    explicit event_builder(uint16_t type, uint64_t tid = 1, uint64_t ts = 100)
        : m_type(type), m_tid(tid), m_ts(ts) {}
    event_builder& param(bytes b) {
        m_params.push_back(std::move(b));
        return *this;
    }
    template <typename T>
    event_builder& num(T v) {
        return param(val(v));
    }
    event_builder& text(const std::string& s) { return param(str(s)); }

    bytes build() const {
        const uint32_t lsz = param_len_size(m_type);
        bytes out(k_event_header_size + lsz * m_params.size());
        size_t i = 0;
        for (const auto& p : m_params) {
            const uint32_t l = static_cast<uint32_t>(p.size());
            std::memcpy(out.data() + k_event_header_size + lsz * i++, &l, lsz);
            out.insert(out.end(), p.begin(), p.end());
        }
        event_header h{};
        h.ts = m_ts;
        h.tid = m_tid;
        h.len = static_cast<uint32_t>(out.size());
        h.type = m_type;
        h.nparams = static_cast<uint32_t>(m_params.size());
        std::memcpy(out.data(), &h, k_event_header_size);
        return out;
    }

  private:
    uint16_t m_type;
    uint64_t m_tid;
    uint64_t m_ts;
    std::vector<bytes> m_params;
};

inline const event_header* hdr(const bytes& b) {
    return reinterpret_cast<const event_header*>(b.data());
}

// The bytes of parameter i of an event, for comparisons.
inline bytes param_bytes(const event_header* e, uint32_t i) {
    const param_view p = event_view(e).param(i);
    return bytes(p.data, p.data + p.len);
}

// Zero value of the right width for a parameter type, so tests name only what matters: fixed-size
// types by the schema's width, strings empty (their NUL), other variable-size data absent.
inline bytes zero_of(uint8_t type) {
    if (const uint32_t n = scap_param_fixed_size(type)) return bytes(n, 0);
    if (type == PT_CHARBUF || type == PT_FSPATH || type == PT_FSRELPATH) return str("");
    return {};
}

// An event of `type` from `tid`, parameters given by their schema names, the rest zero.
inline bytes make_event(uint16_t type, uint64_t tid, const std::map<std::string, bytes>& params,
                        uint64_t ts = 1000) {
    event_builder b(type, tid, ts);
    const scap_event_info& info = scap_event_table[type];
    for (uint32_t i = 0; i < info.nparams; ++i) {
        auto it = params.find(info.params[i].name);
        b.param(it != params.end() ? it->second : zero_of(info.params[i].type));
    }
    return b.build();
}

}  // namespace scap::test
