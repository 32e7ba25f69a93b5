// Fuzz inputs that are event sequences: events back to back, each ending where its own header
// length says. Each is copied to an exactly sized heap buffer so ASan catches any read past its
// end, and validated as every engine validates what it reads; the sequence stops at the first
// invalid one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "scap/event.h"

namespace fuzz {

template <typename F>
void for_each_event(const uint8_t* data, size_t size, F&& on_event) {
    std::vector<uint8_t> buf;
    while (size >= scap::k_event_header_size) {
        uint32_t len;
        std::memcpy(&len, data + offsetof(scap::event_header, len), sizeof len);
        if (len < scap::k_event_header_size || len > size) return;
        buf.assign(data, data + len);
        if (scap::validate_event(buf.data(), buf.size()) != nullptr) return;
        on_event(reinterpret_cast<const scap::event_header*>(buf.data()));
        data += len;
        size -= len;
    }
}

}  // namespace fuzz
