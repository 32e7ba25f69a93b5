// Zero-copy reading of the kernel module's per-CPU rings (driver/kmod/kmod_abi.h): the producer
// page, consumer page and data area of each ring are mapped by the engine and read in place, so
// an event handed out stays valid until its ring's tail is moved past it on the following call.
// The reader knows nothing about the device: it works on any memory laid out like a ring, which
// is what the unit tests give it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kmod_abi.h"

namespace scap::kmod {

class ring_reader {
  public:
    // One ring's three parts: prod (read-only), cons (the reader writes `tail`), data of `size`
    // bytes (a power of two).
    void add(const kmod_ring_prod* prod, kmod_ring_cons* cons, const uint8_t* data, uint64_t size);

    // Oldest-timestamp event at the head of any ring, or nullptr (all empty, or an error: then
    // error() is set and stays set). `ring` says which ring it is in.
    const uint8_t* peek_oldest(uint32_t& ring);
    // Releases the head of `ring` (the event returned last); the producer may overwrite it later.
    void consume(uint32_t ring);
    // Gives the producers every byte consumed so far (before sleeping, and at the end).
    void publish_all();
    size_t size() const { return m_rings.size(); }
    const std::string& error() const { return m_error; }

  private:
    struct ring {
        const kmod_ring_prod* prod = nullptr;
        kmod_ring_cons* cons = nullptr;
        const uint8_t* data = nullptr;
        uint64_t size = 0;
        // Private copies of the shared positions, synced in batches: the producer's CPU writes
        // its page on every event, so touching it per event makes the line bounce.
        uint64_t tail = 0;                 // our position
        uint64_t published = 0;            // tail the producer last saw
        uint64_t head = 0;                 // producer position last read
        uint64_t batch = 0;                // bytes consumed between two publications
        const uint8_t* current = nullptr;  // head record (valid until consumed)
        uint64_t current_len = 0;          // its aligned length
    };
    const uint8_t* head_of(uint32_t idx);
    void publish(ring& r);
    bool fail(uint32_t idx, const std::string& what);

    std::vector<ring> m_rings;
    std::string m_error;
};

}  // namespace scap::kmod
