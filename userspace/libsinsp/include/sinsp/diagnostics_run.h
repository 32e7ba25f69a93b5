// The --diagnostics mode both tools share: open an engine (a capture file, or the modern eBPF
// engine live when none is given and it can run here), feed it through an inspector for a
// short while, and render the health report (sinsp/diagnostics.h) with live figures.
#pragma once

#include <cstdint>
#include <string>

#include "scap/scap.h"

namespace sinsp {

struct diagnostics_run_options {
    // The engine to open; when `explicit_engine` is false the modern eBPF engine is used if the
    // host report says it can run, and no engine otherwise (host facts only).
    scap::open_options open;
    bool explicit_engine = false;
    double seconds = 1.0;     // live engines: how long to read
    uint64_t max_events = 0;  // stop after this many events (0: no bound; files read to the end)
};

// The JSON document. Never fails: an engine that cannot be opened or started is reported in
// "engine_error".
std::string run_diagnostics(const diagnostics_run_options& o);

}  // namespace sinsp
