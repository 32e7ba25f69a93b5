// Zero-copy reading of BPF ring buffers: the consumer and producer pages and the (doubly
// mapped) data area are mmap'ed here and read directly, so an event handed out stays in place
// until the consumer position is moved past it on the following call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scap::modern_bpf {

class ring_reader {
  public:
    ring_reader() = default;
    ~ring_reader();
    ring_reader(const ring_reader&) = delete;
    ring_reader& operator=(const ring_reader&) = delete;

    // Maps one ring buffer map (fd) of `size` bytes. Returns false with `error` set.
    bool add(int fd, uint64_t size, std::string& error);

    // Oldest-timestamp event at the head of any ring, or nullptr. `ring` says which.
    const uint8_t* peek_oldest(uint32_t& ring);
    // Releases the head of `ring` (the event returned last); it may be overwritten afterwards.
    void consume(uint32_t ring);
    // Waits up to timeout_ms for the kernel to signal new data.
    void wait(int timeout_ms);
    size_t size() const { return m_rings.size(); }
    // Set when a ring's framing is broken (peek_oldest then skips that ring for good).
    const std::string& error() const { return m_error; }
    // Records whose payload was no valid event (skipped), and where the first one was.
    uint64_t bad_events() const { return m_bad_events; }
    const std::string& first_bad_event() const { return m_first_bad_event; }

  private:
    struct ring {
        int fd = -1;
        uint64_t mask = 0;
        uint8_t* consumer_page = nullptr;  // consumer position at offset 0
        uint8_t* producer_page = nullptr;  // producer position at offset 0, data one page after
        uint64_t map_len = 0;
        const uint8_t* head = nullptr;  // cached head record's event (valid until consumed)
        uint64_t head_len = 0;          // bytes the head record takes, header and padding included
        // The producer and consumer positions are shared cache lines the kernel writes on every
        // event: reading or writing them per event makes them bounce between CPUs. So the
        // reader works on private copies and syncs them in batches.
        uint64_t cons = 0;       // our consumer position (published up to `published`)
        uint64_t published = 0;  // consumer position the kernel last saw
        uint64_t prod = 0;       // producer position last read
        uint64_t batch = 0;      // bytes consumed between two publications
        bool broken = false;     // framing found corrupt: never read again
    };
    const uint8_t* head_of(ring& r, uint32_t index);
    void publish(ring& r);

    std::vector<ring> m_rings;
    int m_epoll = -1;
    uint64_t m_page = 4096;
    std::string m_error;
    uint64_t m_bad_events = 0;
    std::string m_first_bad_event;
};

}  // namespace scap::modern_bpf
