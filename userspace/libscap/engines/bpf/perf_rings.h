// The legacy probe's output: one perf buffer per CPU (a BPF_OUTPUT software perf event mapped
// here, its fd stored in the probe's perf event array). Events are read in place; one that wraps
// around the end of its buffer is copied once into that buffer's staging area. next() callers
// get the oldest event across CPUs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scap::bpf {

class perf_rings {
  public:
    perf_rings() = default;
    ~perf_rings();
    perf_rings(const perf_rings&) = delete;
    perf_rings& operator=(const perf_rings&) = delete;

    // Opens and maps one perf buffer of `data_bytes` (power of two pages) per online CPU and
    // stores each fd in the perf event array `map_fd` at the CPU's index.
    bool open(int map_fd, uint64_t data_bytes, std::string& error);

    // Oldest event at the head of any buffer, or nullptr; `ring` says which (the CPU).
    const uint8_t* peek_oldest(uint32_t& ring);
    // Releases the head of `ring` (the event returned last).
    void consume(uint32_t ring);
    // Waits up to timeout_ms for a buffer to pass its wakeup mark.
    void wait(int timeout_ms);

    size_t size() const { return m_rings.size(); }
    const std::string& error() const { return m_error; }
    // PERF_RECORD_LOST totals (the probe counts the same losses as buffer drops).
    uint64_t lost_records() const { return m_lost; }
    // Samples whose payload was no valid event (skipped and counted).
    uint64_t bad_events() const { return m_bad; }

  private:
    struct ring {
        int fd = -1;
        uint32_t cpu = 0;
        uint8_t* base = nullptr;  // the perf_event_mmap_page, data one page after
        uint64_t map_len = 0;
        uint64_t mask = 0;
        uint64_t tail = 0;             // our read position
        uint64_t head = 0;             // the kernel's write position, last read
        uint64_t published = 0;        // tail the kernel last saw
        const uint8_t* evt = nullptr;  // cached head event
        uint64_t rec_len = 0;          // bytes of its perf record
        std::vector<uint8_t> stage;    // an event that wrapped around the end
        bool broken = false;
    };
    const uint8_t* head_of(ring& r);
    void publish(ring& r);

    std::vector<ring> m_rings;
    int m_epoll = -1;
    uint64_t m_page = 4096;
    std::string m_error;
    uint64_t m_lost = 0;
    uint64_t m_bad = 0;
};

}  // namespace scap::bpf
