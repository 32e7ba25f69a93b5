// Turns a scap::prefilter rule into the driver's table entry (shared/abi.h mbpf_prefilter).
#pragma once

#include <cstdint>

#include "engines/shared/fill_specs.h"
#include "scap/prefilter.h"

namespace scap::drivers {

// The entry for exit event `code`. Conditions the driver cannot check the way userspace sees them
// are left out (the entry then accepts more, never less): the return value of rows whose first
// parameter is not the raw return value, comm strings longer than the kernel's comm, sets larger
// than the table's.
mbpf_prefilter prefilter_entry(const driver_tables& t, uint16_t code, const prefilter_rule& rule);

}  // namespace scap::drivers
