// Size facts about parameter types that the converter needs to build parameters: how many bytes a
// default value takes, and how long a copied value may be in a given event.
#pragma once

#include <cstdint>

#include "scap_schema.h"

namespace scap::conv {

// Size of a fixed-size type, 0 for variable-size types, -1 for types the converter cannot handle.
int fixed_size(uint32_t type);

// Longest value a parameter of this type may hold when lengths are `len_size` (2 or 4) bytes wide;
// -1 for types the converter cannot handle.
int64_t max_len(uint32_t type, uint32_t len_size);

// Writes the type's default value (fixed_size(type) bytes) to out. uid/gid default to "unknown"
// (all ones), everything else to zero.
void write_default(uint32_t type, uint8_t* out);

}  // namespace scap::conv
