// Turns the driver's data tables (fill_table.def, conversions.def) and the schema into what
// the BPF program reads: one mbpf_fill_spec per exit event and the flag conversion rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scap_schema.h"
#include "shared/abi.h"

namespace scap::drivers {

struct driver_tables {
    std::vector<mbpf_fill_spec> specs;  // indexed by event code (PPM_EVENT_MAX entries)
    std::vector<bool> has_row;          // by event code: the driver can emit it
    mbpf_conv_rule conv[MBPF_CONV_TABLES][MBPF_CONV_ENTRIES] = {};
    uint32_t o_f_created = 0;                        // the schema's value of O_F_CREATED (open flags fix-up)
    uint8_t sockopt_kinds[MBPF_SOCKOPT_KINDS] = {};  // mbpf_sockopt_kind by SOL_SOCKET option number
};

// Builds the tables; on a table that disagrees with the schema returns false and says why.
bool build_driver_tables(driver_tables& out, std::string& error);

// The exit event the driver emits for a native syscall number: the schema's exit event when the
// driver has a row for it, else GENERIC_X; 0 (with ppm_sc 0) for unknown numbers.
mbpf_syscall_entry syscall_entry(const driver_tables& t, uint32_t nr);

}  // namespace scap::drivers
