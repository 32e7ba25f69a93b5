// Which of the legacy probe's table fillers (driver/bpf/fillers.def) builds each exit event: the
// first, in the file's order, whose source families cover every source of the event's row.
#pragma once

#include <cstdint>
#include <string>

#include "shared/abi.h"

namespace scap::bpf {

struct filler_info {
    const char* name;   // the probe's program is sys_exit_table_<name>
    uint32_t families;  // mbpf_src_family bits it was built with
};

// The fillers of fillers.def, in its order.
const filler_info* fillers(uint32_t& count);

// The families the row's sources need (OR of mbpf_src_family).
uint32_t row_families(const mbpf_fill_spec& spec);

// Index in fillers() of the filler for `spec`, or -1 with `why` saying which families no filler covers.
int filler_for(const mbpf_fill_spec& spec, std::string& why);

}  // namespace scap::bpf
