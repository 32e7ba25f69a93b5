// Opens what scapdig reads: the capture file given with -r, or else a live engine (the modern
// eBPF driver, or the kernel module with --kmod) selecting in the kernel only the syscalls the
// state needs plus `wanted` (what the filter or the rules can match), started. Live engines'
// notes are printed once here. `pre_filter` (live only, may be null): installed in the kernel
// when the engine supports it (proposal 0011).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "scap/prefilter.h"
#include "scap/scap.h"
#include "sinsp/inspector.h"

namespace scapdig {

// The inspector's options from the command line: threads, the state budget, and, live, container
// metadata from the runtime's socket (unless --no-container-runtime).
sinsp::inspector_options inspector_options_for(const options& o);

// Opens the capture (-r) or the live engine. A capture's process and fd lists go straight into
// `insp`'s state as they are read (inspector::process_loader); then the engine is insp's to open().
std::unique_ptr<scap::engine> open_source(const options& o, const std::vector<bool>& wanted,
                                          const scap::prefilter* pre_filter, sinsp::inspector& insp,
                                          std::string& error);

}  // namespace scapdig
