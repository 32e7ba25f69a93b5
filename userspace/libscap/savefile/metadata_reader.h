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

// Entries fill a metadata block; fewer than 4 bytes left is padding.
constexpr size_t k_padding_max = 3;

// Process lists and fd lists: blocks that grow with the machine (tens of MB with tens of
// thousands of processes), read one entry at a time so they need not be in memory whole.
bool is_list_block(uint32_t type);

class cursor;

// Reads a process-list or fd-list block entry by entry. begin() reads the block's head (an fd
// list's tid), entry() one entry; each either succeeds whole or fails with `error` without
// giving the sink anything, so a caller may retry an entry over more bytes.
class list_reader {
  public:
    list_reader(uint32_t type, snapshot_sink& sink, metadata_counts& counts);
    bool begin(cursor& c, std::string& error);
    bool entry(cursor& c, std::string& error);

  private:
    uint32_t m_type;
    int m_version;  // process-list version, 0 for fd lists
    snapshot_sink& m_sink;
    metadata_counts& m_counts;
};

// Parses one metadata block body (without block header/trailer) into `snap`, process and fd
// lists into `lists`. On failure returns false with `error` saying what was wrong (the caller
// adds block type and offset).
bool read_metadata_block(uint32_t type, const uint8_t* body, size_t len, snapshot& snap, snapshot_sink& lists,
                         metadata_counts& counts, std::string& error);

}  // namespace scap
