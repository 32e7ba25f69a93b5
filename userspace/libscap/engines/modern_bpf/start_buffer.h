// Events drained from the ring buffers while the engine reads its /proc snapshot, kept in
// delivery order until next() hands them out. The scan of a busy machine takes seconds; the
// rings alone would overflow in that time (see proposals/0006-modern-bpf.md, "Starting without
// drops"). Bounded: past max_bytes events are counted as dropped, never silently lost.
#pragma once

#include <cstdint>
#include <vector>

namespace scap::modern_bpf {

class start_buffer {
  public:
    explicit start_buffer(uint64_t max_bytes) : m_max(max_bytes) {}

    // Copies one event (len bytes, its header included) read from buffer `ring`. Returns false
    // and counts a drop when the bound is reached.
    bool push(const uint8_t* evt, uint32_t len, uint16_t ring);
    // The oldest event not handed out yet (valid until the next call), or nullptr once all were;
    // the memory is released then.
    const uint8_t* pop(uint16_t& ring);
    bool empty() const { return m_read >= m_data.size(); }

    uint64_t events() const { return m_events; }
    uint64_t drops() const { return m_drops; }
    uint64_t peak_bytes() const { return m_peak; }

  private:
    struct record_head {
        uint32_t len;
        uint16_t ring;
        uint16_t pad;
    };
    std::vector<uint8_t> m_data;
    uint64_t m_read = 0;
    uint64_t m_max;
    uint64_t m_events = 0;
    uint64_t m_drops = 0;
    uint64_t m_peak = 0;
};

}  // namespace scap::modern_bpf
