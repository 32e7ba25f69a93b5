// Opens what scapdig reads: the capture file given with -r, or else a live engine (the modern
// eBPF driver, or the kernel module with --kmod) selecting in the kernel only the syscalls the
// state needs plus `wanted` (what the filter or the rules can match), started. Live engines'
// notes are printed once here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "scap/scap.h"

namespace scapdig {

std::unique_ptr<scap::engine> open_source(const options& o, const std::vector<bool>& wanted,
                                          std::string& error);

}  // namespace scapdig
