#include "savefile/block_walk.h"

#include <cstring>

#include "savefile/block_types.h"
#include "scap/event.h"

namespace scap {

bool block_walker::block_ok(const uint8_t* b, uint32_t type, uint32_t len) {
    uint32_t trailer;
    std::memcpy(&trailer, b + len - block::trailer_size, 4);
    if (trailer != len) return false;
    // Other blocks are parsed by the reader's own code, and old-format events are rewritten by
    // it before their check: for those the walker vouches only for the framing.
    const block::event_kind kind = block::kind_of(type);
    if (!kind.event || kind.v1) return true;
    const uint32_t prefix = kind.prefix();
    const uint32_t body_len = len - block::header_size - block::trailer_size;
    if (body_len < prefix + k_event_header_size) return false;
    const uint8_t* evt = b + block::header_size + prefix;
    uint16_t evt_type;
    std::memcpy(&evt_type, evt + offsetof(event_header, type), 2);
    if (evt_type >= PPM_EVENT_MAX) return true;  // the reader skips and counts it
    return validate_event(evt, body_len - prefix) == nullptr;
}

block_walker::span block_walker::walk(const uint8_t* data, size_t size) {
    span s;
    if (m_stopped) return s;
    size_t pos = 0;
    if (m_partial_len) {
        // The header begun at the end of the previous chunk ends here.
        const size_t need = block::header_size - m_partial_len;
        if (size < need) {
            std::memcpy(m_partial + m_partial_len, data, size);
            m_partial_len += static_cast<uint32_t>(size);
            return s;
        }
        std::memcpy(m_partial + m_partial_len, data, need);
        uint32_t len;
        std::memcpy(&len, m_partial + 4, 4);
        if (!block::length_ok(len)) return m_stopped = true, s;
        m_skip = len - m_partial_len;
        m_partial_len = 0;
    }
    if (m_skip >= size) {
        m_skip -= size;
        return s;
    }
    pos = m_skip;
    m_skip = 0;
    s.from = s.to = static_cast<uint32_t>(pos);
    while (size - pos >= block::header_size) {
        uint32_t type, len;
        std::memcpy(&type, data + pos, 4);
        std::memcpy(&len, data + pos + 4, 4);
        if (!block::length_ok(len)) return m_stopped = true, s;
        if (len > size - pos) {
            m_skip = len - (size - pos);  // goes on in the next chunk: the reader checks it
            return s;
        }
        if (!block_ok(data + pos, type, len)) return m_stopped = true, s;
        pos += len;
        s.to = static_cast<uint32_t>(pos);
    }
    m_partial_len = static_cast<uint32_t>(size - pos);
    std::memcpy(m_partial, data + pos, m_partial_len);
    return s;
}

}  // namespace scap
