#include "converter/param_sizes.h"

#include <cstring>

namespace scap::conv {

int fixed_size(uint32_t type) {
    switch (type) {
        case PT_BYTEBUF:
        case PT_CHARBUF:
        case PT_SOCKTUPLE:
        case PT_FDLIST:
        case PT_FSPATH:
        case PT_CHARBUFARRAY:
        case PT_CHARBUF_PAIR_ARRAY:
        case PT_FSRELPATH:
        case PT_DYN:
        case PT_SOCKADDR:
            return 0;
        default: {
            // Fixed-size types by the schema's widths; anything else (networks, PT_NONE) is a
            // type the converter does not build and refuses rather than guess a layout for.
            const uint32_t n = scap_param_fixed_size(type);
            return n ? static_cast<int>(n) : -1;
        }
    }
}

int64_t max_len(uint32_t type, uint32_t len_size) {
    const int f = fixed_size(type);
    if (f != 0) return f;
    return len_size == 4 ? int64_t{UINT32_MAX} : int64_t{UINT16_MAX};
}

void write_default(uint32_t type, uint8_t* out) {
    const int f = fixed_size(type);
    if (f <= 0) return;
    const uint8_t fill = (type == PT_UID || type == PT_GID) ? 0xff : 0x00;
    std::memset(out, fill, static_cast<size_t>(f));
}

}  // namespace scap::conv
