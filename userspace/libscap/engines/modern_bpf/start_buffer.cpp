#include "engines/modern_bpf/start_buffer.h"

#include <cstring>

namespace scap::modern_bpf {

bool start_buffer::push(const uint8_t* evt, uint32_t len, uint16_t ring) {
    // Records stay 8-byte aligned so the event headers handed out are aligned as in the rings.
    const uint64_t total = (sizeof(record_head) + len + 7) & ~7ull;
    if (m_data.size() + total > m_max) {
        ++m_drops;
        return false;
    }
    const size_t at = m_data.size();
    m_data.resize(at + total);
    const record_head h{len, ring, 0};
    std::memcpy(&m_data[at], &h, sizeof h);
    std::memcpy(&m_data[at + sizeof h], evt, len);
    ++m_events;
    if (m_data.size() > m_peak) m_peak = m_data.size();
    return true;
}

const uint8_t* start_buffer::pop(uint16_t& ring) {
    if (m_read >= m_data.size()) {
        if (!m_data.empty()) {
            std::vector<uint8_t>().swap(m_data);
            m_read = 0;
        }
        return nullptr;
    }
    record_head h;
    std::memcpy(&h, &m_data[m_read], sizeof h);
    const uint8_t* evt = &m_data[m_read + sizeof h];
    m_read += (sizeof h + h.len + 7) & ~7ull;
    ring = h.ring;
    return evt;
}

}  // namespace scap::modern_bpf
