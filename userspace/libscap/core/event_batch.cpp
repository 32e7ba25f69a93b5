// Batches of events for the reading thread / consuming thread hand-off, and the default
// engine::next_batch that copies every event (for engines whose buffers are reused at once).
#include "scap/event_batch.h"

#include <chrono>
#include <cstring>

#include "scap/engine.h"

namespace scap {

void event_batch::append_copy(const event_ref& ref) {
    const uint32_t len = event_view(ref.hdr).len();
    if (arena_used + len > arena.size()) {
        // Growing moves the arena: earlier copies are re-pointed. This happens only while the
        // arena reaches its working size (or for an event larger than any before).
        const uint8_t* old_begin = arena.data();
        const size_t old_used = arena_used;
        size_t want = arena.size() < 64 * 1024 ? 64 * 1024 : arena.size();
        while (want < arena_used + len) want *= 2;
        std::vector<uint8_t> bigger(want);
        if (old_used) std::memcpy(bigger.data(), old_begin, old_used);
        for (uint32_t i = 0; i < count; ++i) {
            const uint8_t* p = reinterpret_cast<const uint8_t*>(events[i].hdr);
            if (old_used && p >= old_begin && p < old_begin + old_used)
                events[i].hdr = reinterpret_cast<const event_header*>(bigger.data() + (p - old_begin));
        }
        arena.swap(bigger);
    }
    uint8_t* dst = arena.data() + arena_used;
    std::memcpy(dst, ref.hdr, len);
    arena_used += len;
    events[count++] = {reinterpret_cast<const event_header*>(dst), ref.cpu, ref.flags, ref.numbered_before};
}

void engine::next_batch(event_batch& batch, bool /*quiescent*/) {
    // Live sources deliver at their own pace: a trickle of events (a narrow selection on a quiet
    // machine) would take seconds to fill a batch. A batch therefore goes out once it has waited
    // k_max_wait, full or not, so output keeps up and a stop request is seen promptly. The clock
    // is read every 8 events only.
    constexpr auto k_max_wait = std::chrono::milliseconds(5);
    const auto start = std::chrono::steady_clock::now();
    while (!batch.full()) {
        event_ref ref;
        const status s = next(ref);
        if (s == status::timeout && batch.count > 0) return;  // deliver what arrived so far
        if (s != status::ok) {
            batch.result = s;
            if (s == status::error) batch.error = last_error();
            return;
        }
        batch.append_copy(ref);
        if ((batch.count & 7) == 0 && std::chrono::steady_clock::now() - start > k_max_wait) return;
    }
}

}  // namespace scap
