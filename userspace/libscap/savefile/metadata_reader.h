// Snapshot blocks → scap::snapshot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "scap/snapshot.h"

namespace scap {

struct metadata_counts {
    uint64_t processes = 0;
    uint64_t fds = 0;
    uint64_t orphan_fd_lists = 0;  // fd lists for a tid no process entry described
};

bool is_metadata_block(uint32_t type);

// Parses one metadata block body (without block header/trailer) into `snap`. On failure returns
// false with `error` saying what was wrong (the caller adds block type and offset).
bool read_metadata_block(uint32_t type, const uint8_t* body, size_t len, snapshot& snap,
                         metadata_counts& counts, std::string& error);

}  // namespace scap
