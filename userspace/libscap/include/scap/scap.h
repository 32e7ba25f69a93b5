// libscap's front door: open any capture engine by kind.
#pragma once

#include <memory>
#include <string>

#include "scap/engine.h"
#include "scap/bpf.h"
#include "scap/kmod.h"
#include "scap/modern_bpf.h"
#include "scap/savefile.h"

namespace scap {

enum class engine_kind { savefile, modern_bpf, bpf, kmod };

const char* to_string(engine_kind k);

struct open_options {
    engine_kind kind = engine_kind::savefile;
    savefile_options file;          // for engine_kind::savefile
    modern_bpf_options modern_bpf;  // for engine_kind::modern_bpf
    kmod_options kmod;              // for engine_kind::kmod
    bpf_options bpf;                // for engine_kind::bpf (legacy eBPF probe)
};

// Opens the engine. On failure returns nullptr and sets `error` (what failed and why).
std::unique_ptr<engine> open_engine(const open_options& opts, std::string& error);

}  // namespace scap
