// One record at the consumer position of a BPF ring buffer, checked before anything reads it.
// Kept apart from ring_reader (which maps the rings) so it is pure and can be fed arbitrary
// bytes: by the unit tests and by the ring fuzzer, with records as the kernel writes them.
#pragma once

#include <cstdint>

namespace scap::modern_bpf {

// Kernel ABI (include/uapi/linux/bpf.h): every record starts with an 8-byte header whose first
// u32 is the payload length plus two flags; records are 8-byte aligned.
inline constexpr uint32_t k_ring_busy = 1u << 31;     // reserved, not yet committed
inline constexpr uint32_t k_ring_discard = 1u << 30;  // committed as discarded: skip it
inline constexpr uint32_t k_ring_record_header = 8;

enum class record_kind {
    empty,      // nothing published past the consumer position
    busy,       // the producer has not committed the record yet: try again later
    discarded,  // skip `total` bytes
    event,      // `event` holds a valid event of `event_len` bytes; consume `total`
    bad_event,  // the framing is sound but the payload is no valid event: skip `total`, count it
    corrupt,    // the framing itself is broken: the ring cannot be read on
};

struct ring_record {
    record_kind kind = record_kind::empty;
    uint64_t total = 0;  // bytes the record takes in the ring, header and padding included
    const uint8_t* event = nullptr;
    uint32_t event_len = 0;
    const char* error = nullptr;  // bad_event, corrupt: what is wrong (static text)
};

// The record at consumer position `cons`, given the producer position `prod` the kernel
// published (acquire-loaded by the caller). `data` is the ring's data area of `size` bytes (a
// power of two), readable for 2 * size bytes: the kernel maps it twice in a row so a record that
// wraps reads as contiguous. The length word is read with acquire semantics, as the kernel
// commits a record by storing it.
ring_record read_ring_record(const uint8_t* data, uint64_t size, uint64_t cons, uint64_t prod);

}  // namespace scap::modern_bpf
