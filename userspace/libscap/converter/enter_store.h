// Enter events kept per thread until that thread's exit event arrives.
//
// Storage is reused: a thread's slot keeps its buffer after the exit consumes it, so a capture with
// a steady set of threads stops allocating after warm-up. The number of threads is capped; when a
// new thread arrives at the cap, slots with nothing stored are reclaimed first, then an arbitrary
// stored enter is evicted (its exit will convert with defaults) and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "scap/event.h"

namespace scap::conv {

class enter_store {
  public:
    explicit enter_store(size_t max_threads = 1 << 16) : m_max_threads(max_threads) {}

    void put(const event_header* evt);
    // The stored enter of this thread, or nullptr.
    const event_header* get(uint64_t tid) const;
    void clear(uint64_t tid);

    size_t stored() const;
    uint64_t evictions() const { return m_evictions; }

  private:
    struct slot {
        std::vector<uint8_t> bytes;
        bool full = false;
    };
    void make_room();

    std::unordered_map<uint64_t, slot> m_slots;
    size_t m_max_threads;
    uint64_t m_evictions = 0;
};

}  // namespace scap::conv
