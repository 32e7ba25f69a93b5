#include "engines/modern_bpf/start_buffer.h"

#include <algorithm>
#include <cstring>

namespace scap::modern_bpf {

bool start_buffer::push(const uint8_t* evt, uint32_t len, uint16_t ring) {
    // Records stay 8-byte aligned so the event headers handed out are aligned as in the rings
    // (new[] of bytes is aligned for any fundamental type).
    const uint64_t total = (sizeof(record_head) + len + 7) & ~7ull;
    if (m_bytes + total > m_max) {
        ++m_drops;
        return false;
    }
    if (m_blocks.empty() || m_blocks.back().capacity - m_blocks.back().used < total) {
        block b;
        b.capacity = std::max<size_t>(k_block_bytes, total);
        b.data.reset(new uint8_t[b.capacity]);  // not zeroed: every byte handed out is written
        m_blocks.push_back(std::move(b));
    }
    block& b = m_blocks.back();
    const record_head h{len, ring, 0};
    std::memcpy(b.data.get() + b.used, &h, sizeof h);
    std::memcpy(b.data.get() + b.used + sizeof h, evt, len);
    b.used += total;
    m_bytes += total;
    ++m_events;
    m_peak = std::max(m_peak, m_bytes);
    return true;
}

const uint8_t* start_buffer::pop(uint16_t& ring) {
    while (m_read_block < m_blocks.size() && m_read_at >= m_blocks[m_read_block].used) {
        // Every event of this block was handed out, the last one before this call.
        m_blocks[m_read_block].data.reset();
        ++m_read_block;
        m_read_at = 0;
    }
    if (m_read_block >= m_blocks.size()) {
        if (!m_blocks.empty()) {
            std::vector<block>().swap(m_blocks);
            m_read_block = 0;
            m_bytes = 0;
        }
        return nullptr;
    }
    block& b = m_blocks[m_read_block];
    record_head h;
    std::memcpy(&h, b.data.get() + m_read_at, sizeof h);
    const uint8_t* evt = b.data.get() + m_read_at + sizeof h;
    m_read_at += (sizeof h + h.len + 7) & ~7ull;
    ring = h.ring;
    return evt;
}

}  // namespace scap::modern_bpf
