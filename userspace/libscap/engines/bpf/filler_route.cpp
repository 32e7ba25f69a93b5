#include "engines/bpf/filler_route.h"

namespace scap::bpf {
namespace {

const filler_info k_fillers[] = {
#define FILLER(name, families) {#name, (families)},
#include "bpf/fillers.def"
#undef FILLER
};

std::string family_names(uint32_t f) {
    static const struct {
        uint32_t bit;
        const char* name;
    } names[] = {
        {MBPF_FAM_CORE, "core"}, {MBPF_FAM_NET, "net"}, {MBPF_FAM_PATH, "path"}, {MBPF_FAM_TASK, "task"}};
    std::string out;
    for (const auto& n : names)
        if (f & n.bit) out += std::string(out.empty() ? "" : "+") + n.name;
    return out.empty() ? "none" : out;
}

}  // namespace

const filler_info* fillers(uint32_t& count) {
    count = sizeof k_fillers / sizeof k_fillers[0];
    return k_fillers;
}

uint32_t row_families(const mbpf_fill_spec& spec) {
    uint32_t f = 0;
    for (uint32_t k = 0; k < spec.nparams && k < MBPF_MAX_PARAMS; ++k)
        f |= mbpf_src_family(spec.params[k].kind);
    return f;
}

int filler_for(const mbpf_fill_spec& spec, std::string& why) {
    const uint32_t need = row_families(spec);
    for (uint32_t i = 0; i < sizeof k_fillers / sizeof k_fillers[0]; ++i)
        if ((k_fillers[i].families & need) == need) return static_cast<int>(i);
    why = "its row needs the source families " + family_names(need) +
          ", which no filler of driver/bpf/fillers.def covers";
    return -1;
}

}  // namespace scap::bpf
