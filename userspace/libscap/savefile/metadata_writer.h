// scap::snapshot → snapshot blocks in the current format versions (what the reference writes
// today: machine info, interface list v2, user list v2, process list v9, fd list v2).
#pragma once

#include <cstdint>
#include <vector>

#include "scap/snapshot.h"

namespace scap {

// Each appends one complete block (header, body, padding, trailer) to `out`. Blocks with nothing
// to say (no machine info, no interface list, no processes) append nothing.
void append_section_header_block(std::vector<uint8_t>& out);
void append_machine_info_block(std::vector<uint8_t>& out, const machine_info& m);
void append_iflist_block(std::vector<uint8_t>& out, const snapshot& snap);
void append_userlist_block(std::vector<uint8_t>& out, const snapshot& snap);
void append_proclist_block(std::vector<uint8_t>& out, const snapshot& snap);
void append_fdlist_block(std::vector<uint8_t>& out, const process_info& p);

}  // namespace scap
