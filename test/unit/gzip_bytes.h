// Byte-level gzip helpers for tests that build or damage compressed captures: zlib on both
// sides, independent of the library's own reader (which may inflate with ISA-L).
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace scap_test {

using bytes = std::vector<uint8_t>;

// A file's plain bytes: inflated when it is gzip (some shared captures are, whatever their
// name), as stored otherwise.
inline bytes read_plain(const std::string& path) {
    bytes out;
    gzFile gz = gzopen(path.c_str(), "rb");
    if (!gz) return out;
    uint8_t buf[1 << 16];
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
    gzclose(gz);
    return out;
}

// One gzip member holding `plain`.
inline bytes gzip(const bytes& plain, int level = 6) {
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    bytes out(deflateBound(&zs, plain.size()) + 64);
    zs.next_in = const_cast<uint8_t*>(plain.data());
    zs.avail_in = static_cast<uInt>(plain.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

}  // namespace scap_test
