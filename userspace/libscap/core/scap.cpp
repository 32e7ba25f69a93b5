#include "scap/scap.h"

namespace scap {

std::unique_ptr<engine> open_kmod(const kmod_options& opts, std::string& error);

#ifdef SCAP_HAVE_MODERN_BPF
std::unique_ptr<engine> open_modern_bpf(const modern_bpf_options& opts, std::string& error);
std::unique_ptr<engine> open_bpf(const bpf_options& opts, std::string& error);
bool modern_bpf_available() {
    return true;
}
// The legacy engine needs libbpf, which this build has exactly when it has the modern driver.
bool bpf_available() {
    return true;
}
#else
bool modern_bpf_available() {
    return false;
}
bool bpf_available() {
    return false;
}
#endif

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
#ifdef SCAP_HAVE_MODERN_BPF
            return open_modern_bpf(opts.modern_bpf, error);
#else
            break;
#endif
        case engine_kind::kmod:
            return open_kmod(opts.kmod, error);
        case engine_kind::bpf:
#ifdef SCAP_HAVE_MODERN_BPF
            return open_bpf(opts.bpf, error);
#else
            break;
#endif
    }
    error = std::string("engine '") + to_string(opts.kind) + "' is not part of this build yet";
    return nullptr;
}

}  // namespace scap
