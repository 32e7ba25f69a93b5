// Reads a process-list or fd-list block straight from the input, entry by entry, so a block of
// tens of MB never has to be gathered whole (it would otherwise sit in the input's spill buffer,
// grown to its size, for the rest of the replay).
#pragma once

#include <cstdint>
#include <string>

#include "savefile/input.h"
#include "savefile/metadata_reader.h"

namespace scap {

// The block's header (type, len) is consumed already; reads its body and trailer. On failure
// returns false with `error` saying what (the caller adds block type and offset). Entries go to
// `sink` as they are read.
bool stream_list_block(uint32_t type, uint32_t len, savefile_input& in, snapshot_sink& sink,
                       metadata_counts& counts, std::string& error);

}  // namespace scap
