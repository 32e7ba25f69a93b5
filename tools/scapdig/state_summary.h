// The closing summary's line on the state's memory: the estimate, its peak, the budget and what
// the budget evicted (proposal 0012). Shared by the filter and the rules modes.
#pragma once

#include <cstddef>

#include "sinsp/stats.h"

namespace scapdig {

// budget_bytes: --max-state-mb in bytes, 0 when not given.
void print_state_memory(const sinsp::state_stats& s, size_t budget_bytes);

}  // namespace scapdig
