// Fuzzes the validation of BPF ring buffer records as the live reader walks them. The input is
// a ring as the kernel leaves it: 4 bytes of consumer position, 4 bytes of how far the producer
// is ahead, then the data area (records with their 8-byte headers, garbage lengths included).
// The area is laid out twice in a row, as the kernel maps it, and read the way ring_reader does.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engines/modern_bpf/ring_record.h"
#include "scap/param_format.h"

namespace mb = scap::modern_bpf;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 8) return 0;
    uint32_t cons32, ahead;
    std::memcpy(&cons32, data, 4);
    std::memcpy(&ahead, data + 4, 4);
    data += 8;
    size -= 8;
    uint64_t ring_size = 64;
    while (ring_size < size && ring_size < (1u << 20)) ring_size *= 2;
    std::vector<uint8_t> area(2 * ring_size);
    const size_t n = size < ring_size ? size : ring_size;
    // The input starts at the consumer position, as a dump of the unread part would.
    uint64_t cons = static_cast<uint64_t>(cons32) * 8;
    for (size_t i = 0; i < n; ++i) area[(cons + i) & (ring_size - 1)] = data[i];
    std::memcpy(area.data() + ring_size, area.data(), ring_size);
    // Ahead by up to two rings: beyond one is corrupt and must be said so.
    const uint64_t prod = cons + (ahead % (2 * ring_size + 1));
    std::string line;
    for (;;) {
        const mb::ring_record r = mb::read_ring_record(area.data(), ring_size, cons, prod);
        switch (r.kind) {
            case mb::record_kind::empty:
            case mb::record_kind::busy:
                return 0;
            case mb::record_kind::corrupt:
                if (!r.error) __builtin_trap();
                return 0;
            case mb::record_kind::event:
                if (r.event_len + mb::k_ring_record_header > r.total) __builtin_trap();
                line.clear();
                scap::append_params(line, scap::event_view(r.event));
                break;
            case mb::record_kind::bad_event:
                if (!r.error) __builtin_trap();
                break;
            case mb::record_kind::discarded:
                break;
        }
        if (r.total < mb::k_ring_record_header || r.total > prod - cons)
            __builtin_trap();  // always progresses
        cons += r.total;
    }
}
