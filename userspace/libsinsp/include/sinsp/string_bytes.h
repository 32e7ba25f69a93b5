// What a std::string holds on the heap, for the state's memory accounting.
#pragma once

#include <cstddef>
#include <string>

namespace sinsp {

// Characters past libstdc++'s 15-character small-string buffer live in a heap block of
// capacity + 1 bytes (the NUL); shorter strings hold nothing outside the object.
inline size_t string_heap_bytes(const std::string& s) {
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

}  // namespace sinsp
