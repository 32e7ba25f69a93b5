#include "engines/kmod/ring_reader.h"

#include <algorithm>
#include <cstring>

#include "scap/event.h"

namespace scap::kmod {
namespace {

uint64_t load_acquire(const uint64_t* p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

uint64_t align_record(uint64_t len) {
    return (len + KMOD_RECORD_ALIGN - 1) & ~static_cast<uint64_t>(KMOD_RECORD_ALIGN - 1);
}

}  // namespace

void ring_reader::add(const kmod_ring_prod* prod, kmod_ring_cons* cons, const uint8_t* data, uint64_t size) {
    ring r;
    r.prod = prod;
    r.cons = cons;
    r.data = data;
    r.size = size;
    r.tail = r.published = r.head = load_acquire(&cons->tail);
    // Small against the wake-up threshold (a quarter of the ring), large against one event.
    r.batch = std::min<uint64_t>(size / 16, 256 * 1024);
    m_rings.push_back(r);
}

void ring_reader::publish(ring& r) {
    if (r.published == r.tail) return;
    __atomic_store_n(&r.cons->tail, r.tail, __ATOMIC_RELEASE);
    r.published = r.tail;
}

void ring_reader::publish_all() {
    for (ring& r : m_rings) publish(r);
}

bool ring_reader::fail(uint32_t idx, const std::string& what) {
    if (m_error.empty())
        m_error = "kmod ring " + std::to_string(idx) + " at position " + std::to_string(m_rings[idx].tail) +
                  ": " + what;
    return false;
}

const uint8_t* ring_reader::head_of(uint32_t idx) {
    ring& r = m_rings[idx];
    if (r.current) return r.current;
    for (;;) {
        if (r.tail == r.head) {
            r.head = load_acquire(&r.prod->head);
            if (r.tail == r.head) {
                publish(r);  // drained: give the producer all the space back
                return nullptr;
            }
        }
        if (r.head - r.tail > r.size) return fail(idx, "producer is more than a ring ahead"), nullptr;
        const uint64_t off = r.tail & (r.size - 1);
        const uint64_t to_end = r.size - off;
        if (to_end < KMOD_MIN_RECORD) {  // implicit pad: too little room for any record
            r.tail += to_end;
            continue;
        }
        const uint8_t* rec = r.data + off;
        const event_view v(rec);
        const uint64_t len = v.len();
        if (v.type() == KMOD_PAD_TYPE) {
            if (len != to_end) return fail(idx, "pad record does not reach the end of the ring"), nullptr;
            r.tail += to_end;
            continue;
        }
        const uint64_t need = align_record(len);
        if (len < k_event_header_size || need > to_end || need > r.head - r.tail)
            return fail(idx, "record of " + std::to_string(len) + " bytes does not fit"), nullptr;
        r.current = rec;
        r.current_len = need;
        return rec;
    }
}

const uint8_t* ring_reader::peek_oldest(uint32_t& ring_out) {
    const uint8_t* best = nullptr;
    uint64_t best_ts = 0;
    for (uint32_t i = 0; i < m_rings.size(); ++i) {
        const uint8_t* e = head_of(i);
        if (!e) continue;
        const uint64_t ts = event_view(e).ts();
        if (!best || ts < best_ts) {
            best = e;
            best_ts = ts;
            ring_out = i;
        }
    }
    return best;
}

void ring_reader::consume(uint32_t idx) {
    ring& r = m_rings[idx];
    if (!r.current) return;
    r.tail += r.current_len;
    r.current = nullptr;
    r.current_len = 0;
    if (r.tail - r.published >= r.batch) publish(r);
}

}  // namespace scap::kmod
