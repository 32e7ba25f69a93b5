// Fuzzes the gzip layer under the capture reader (savefile/byte_source.h) differentially:
// arbitrary bytes as a file, read to the end by igzip (ISA-L, when built with it) and by zlib.
// Neither may crash or read out of bounds; what both hand out agrees byte for byte (after a data
// error each drops a different amount, so lengths may differ there); when zlib reads the file
// cleanly, igzip gives the same bytes without an error.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "savefile/byte_source.h"

namespace {

struct result {
    std::vector<uint8_t> data;
    bool failed = false;
};

result read_all(const std::string& path, scap::gzip_decoder d) {
    result r;
    std::string err;
    auto src = scap::open_byte_source(path, d, err);
    if (!src) {
        r.failed = true;
        return r;
    }
    uint8_t buf[4096 + 3];  // odd size: output boundaries fall anywhere
    // Bounded: a few KiB of input can inflate to a lot.
    while (r.data.size() < (64u << 20)) {
        const long n = src->read(buf, sizeof buf);
        if (n < 0) {
            r.failed = true;
            if (src->error().empty()) __builtin_trap();  // a failed read must say why
            break;
        }
        if (n == 0) break;
        r.data.insert(r.data.end(), buf, buf + n);
    }
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const int fd = memfd_create("fuzz_gzip", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (size && write(fd, data, size) != static_cast<ssize_t>(size)) {
        close(fd);
        return 0;
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const result fast = read_all(path, scap::gzip_decoder::automatic);
    const result zl = read_all(path, scap::gzip_decoder::zlib);
    close(fd);
    const size_t common = fast.data.size() < zl.data.size() ? fast.data.size() : zl.data.size();
    for (size_t i = 0; i < common; ++i)
        if (fast.data[i] != zl.data[i]) __builtin_trap();
    if (!zl.failed && (fast.failed || fast.data.size() != zl.data.size())) __builtin_trap();
    return 0;
}
