#include "scap/event.h"

#include <cstring>

namespace scap {

const char* validate_event(const uint8_t* buf, size_t avail) {
    if (avail < k_event_header_size) return "event header truncated";
    event_view ev(buf);
    const uint32_t len = ev.len();
    if (len < k_event_header_size) return "event length smaller than its header";
    if (len > avail) return "event length runs past the end of its buffer";
    const uint16_t type = ev.type();
    if (type >= PPM_EVENT_MAX) return "unknown event type";
    const uint64_t nparams = ev.nparams();
    if (nparams > SCAP_MAX_EVENT_PARAMS) return "too many parameters";
    const uint64_t lens_size = param_len_size(type) * nparams;
    if (k_event_header_size + lens_size > len) return "parameter lengths array runs past the event";
    // Summed in one pass over the lengths array with the length size fixed outside the loop
    // (this runs for every event read: per-parameter accessors re-derived it each time).
    const uint8_t* lens = buf + k_event_header_size;
    uint64_t total = 0;
    if (lens_size == 2 * nparams) {
        for (uint32_t i = 0; i < nparams; ++i) {
            uint16_t l;
            std::memcpy(&l, lens + 2 * i, 2);
            total += l;
        }
    } else {
        for (uint32_t i = 0; i < nparams; ++i) {
            uint32_t l;
            std::memcpy(&l, lens + 4 * i, 4);
            total += l;
        }
    }
    if (k_event_header_size + lens_size + total > len) return "parameters run past the event length";
    return nullptr;
}

}  // namespace scap
