#include "converter/param_sizes.h"

#include <cstring>

namespace scap::conv {

int fixed_size(uint32_t type) {
    switch (type) {
        case PT_INT8:
        case PT_UINT8:
        case PT_FLAGS8:
        case PT_ENUMFLAGS8:
        case PT_SIGTYPE:
            return 1;
        case PT_INT16:
        case PT_UINT16:
        case PT_FLAGS16:
        case PT_ENUMFLAGS16:
        case PT_SYSCALLID:
        case PT_PORT:
            return 2;
        case PT_INT32:
        case PT_UINT32:
        case PT_FLAGS32:
        case PT_ENUMFLAGS32:
        case PT_UID:
        case PT_GID:
        case PT_MODE:
        case PT_SIGSET:
        case PT_FD32:
        case PT_PID32:
        case PT_IPV4ADDR:
            return 4;
        case PT_INT64:
        case PT_UINT64:
        case PT_RELTIME:
        case PT_ABSTIME:
        case PT_ERRNO:
        case PT_FD:
        case PT_PID:
            return 8;
        case PT_IPV6ADDR:
            return 16;
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
        // Types no converted event uses (bool, double, l4proto, ...): refusing them keeps the
        // converter from guessing a layout.
        default:
            return -1;
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
