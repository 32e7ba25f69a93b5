#include "engines/modern_bpf/ring_record.h"

#include <cstring>

#include "scap/event.h"

namespace scap::modern_bpf {

ring_record read_ring_record(const uint8_t* data, uint64_t size, uint64_t cons, uint64_t prod) {
    ring_record r;
    if (cons >= prod) return r;
    const uint64_t avail = prod - cons;
    // The producer can never be more than one ring ahead, and it only ever publishes whole
    // 8-byte-aligned records: anything else means the positions themselves are garbage.
    if (avail > size || (avail & 7) != 0 || (cons & 7) != 0) {
        r.kind = record_kind::corrupt;
        r.error = avail > size ? "producer position more than one ring ahead of the consumer"
                               : "ring positions not 8-byte aligned";
        return r;
    }
    const uint8_t* rec = data + (cons & (size - 1));
    const uint32_t len = __atomic_load_n(reinterpret_cast<const uint32_t*>(rec), __ATOMIC_ACQUIRE);
    if (len & k_ring_busy) {
        r.kind = record_kind::busy;
        return r;
    }
    const uint64_t payload = len & ~(k_ring_busy | k_ring_discard);
    r.total = (payload + k_ring_record_header + 7) & ~uint64_t{7};
    if (r.total > avail) {
        r.kind = record_kind::corrupt;
        r.error = "record length runs past the producer position";
        return r;
    }
    if (len & k_ring_discard) {
        r.kind = record_kind::discarded;
        return r;
    }
    r.event = rec + k_ring_record_header;
    // A record may be larger than its event (fixed-size reservations): validate within the
    // payload, then hand out the event's own length.
    if (const char* why = validate_event(r.event, payload)) {
        r.kind = record_kind::bad_event;
        r.error = why;
        return r;
    }
    r.kind = record_kind::event;
    r.event_len = event_view(r.event).len();
    return r;
}

}  // namespace scap::modern_bpf
