// A batch of events handed from the thread that reads an engine to the thread that consumes its
// events (see proposals/0009-parallel-replay.md).
//
// An event in a batch is either a view into a buffer the engine keeps alive for the batch (a
// "pin", given back by engine::release_batch) or a copy in the batch's own arena, for events whose
// buffer the engine reuses at its next call (converted events, live ring buffers). The arena is
// reused from batch to batch and only grows (to the largest batch seen): nothing is allocated per
// event once it has reached its working size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scap/event.h"
#include "scap/status.h"

namespace scap {

struct event_batch {
    static constexpr uint32_t k_capacity = 4096;     // events per batch, at most
    static constexpr size_t k_arena_soft = 1 << 20;  // a batch closes once its copies pass this
    static constexpr uint32_t k_max_pins = 2;        // engine buffers one batch may keep alive

    event_ref events[k_capacity];
    uint32_t count = 0;
    // Engines stop filling at this many events (<= k_capacity); tests lower it to stress the
    // hand-off at batch boundaries.
    uint32_t limit = k_capacity;

    // Engine buffers this batch keeps alive (opaque to everyone but the engine).
    void* pins[k_max_pins] = {};
    uint32_t npins = 0;

    // What ends the batch: ok (more follows), eof, timeout (no event for now: live engines), or
    // error (then `error` says what and where). Events before the end are valid in every case.
    status result = status::ok;
    std::string error;
    // The engine must not be called again while another batch is out (it is about to change
    // what consumers may read, e.g. the snapshot, on a metadata block that follows events).
    bool barrier = false;

    bool full() const { return count >= limit || arena_used >= k_arena_soft; }

    // Appends a copy of the event (its header's len bytes) in the arena.
    void append_copy(const event_ref& ref);
    // Appends a view into a buffer the engine keeps alive for this batch.
    void append_view(const event_ref& ref) { events[count++] = ref; }

    // Empties the batch for refilling (pins must have been released).
    void clear() {
        count = 0;
        npins = 0;
        arena_used = 0;
        result = status::ok;
        error.clear();
        barrier = false;
    }

  private:
    std::vector<uint8_t> arena;
    size_t arena_used = 0;
};

}  // namespace scap
