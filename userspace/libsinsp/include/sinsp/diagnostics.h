// The health report as one JSON document, for support bundles and monitoring: the host
// (scap::collect_host_report), the engine being read (its buffers, BPF programs, drops by cause)
// and the state (counters and memory). Tools only print it; a security engine can call it too.
#pragma once

#include <string>
#include <string_view>

namespace scap {
class engine;
}

namespace sinsp {

class inspector;

// The document's layout version; bump when a key changes meaning or type.
inline constexpr int k_diagnostics_format = 1;

// `insp` and `eng` may be null: their sections are then null. When `insp` is given and `eng` is
// not, the inspector's engine is reported. `engine_error`: why no engine could be opened (the
// "engine_error" key; null when empty). `indent` < 0: one line.
std::string diagnostics_json(const inspector* insp, const scap::engine* eng = nullptr,
                             std::string_view engine_error = {}, int indent = 2);

}  // namespace sinsp
