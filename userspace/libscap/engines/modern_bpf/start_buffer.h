// Events drained from the ring buffers while the engine reads its /proc snapshot, kept in
// delivery order until next() hands them out. The scan of a busy machine takes seconds; the
// rings alone would overflow in that time (see proposals/0006-modern-bpf.md, "Starting without
// drops"). Bounded: past max_bytes events are counted as dropped, never silently lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace scap::modern_bpf {

class start_buffer {
  public:
    explicit start_buffer(uint64_t max_bytes) : m_max(max_bytes) {}

    // Copies one event (len bytes, its header included) read from buffer `ring`. Returns false
    // and counts a drop when the bound is reached.
    bool push(const uint8_t* evt, uint32_t len, uint16_t ring);
    // The oldest event not handed out yet (valid until the next call), or nullptr once all were;
    // each block's memory is released once its events were handed out.
    const uint8_t* pop(uint16_t& ring);
    // True once pop() returned nullptr after the last event (the memory is released then), or
    // before anything was pushed.
    bool empty() const { return m_blocks.empty(); }

    uint64_t events() const { return m_events; }
    uint64_t drops() const { return m_drops; }
    uint64_t peak_bytes() const { return m_peak; }

    // Events are stored in blocks of this many bytes (or one block for a larger event): a held
    // event is copied once, never moved again as the buffer grows, and memory is not zeroed.
    static constexpr size_t k_block_bytes = size_t(1) << 20;

  private:
    struct record_head {
        uint32_t len;
        uint16_t ring;
        uint16_t pad;
    };
    struct block {
        std::unique_ptr<uint8_t[]> data;
        size_t capacity = 0;
        size_t used = 0;
    };

    std::vector<block> m_blocks;
    size_t m_read_block = 0;  // where pop() reads next
    size_t m_read_at = 0;
    uint64_t m_bytes = 0;  // held, against m_max
    uint64_t m_max;
    uint64_t m_events = 0;
    uint64_t m_drops = 0;
    uint64_t m_peak = 0;
};

}  // namespace scap::modern_bpf
