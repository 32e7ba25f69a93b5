#include "scap/scap.h"

namespace scap {

const char* to_string(engine_kind k) {
    switch (k) {
        case engine_kind::savefile:
            return "savefile";
        case engine_kind::modern_bpf:
            return "modern_bpf";
        case engine_kind::bpf:
            return "bpf";
        case engine_kind::kmod:
            return "kmod";
    }
    return "?";
}

std::unique_ptr<engine> open_engine(const open_options& opts, std::string& error) {
    switch (opts.kind) {
        case engine_kind::savefile:
            return open_savefile(opts.file, error);
        case engine_kind::modern_bpf:
        case engine_kind::bpf:
        case engine_kind::kmod:
            break;
    }
    error = std::string("engine '") + to_string(opts.kind) + "' is not part of this build yet";
    return nullptr;
}

}  // namespace scap
