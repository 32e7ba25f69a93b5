// Where a capture file's bytes come from: the file itself, inflated when it is gzip.
//
// Inflating is the largest cost of replaying a gzip capture (it runs on the prefetch worker
// beside the parser). zlib is always there; when the build found Intel's ISA-L (Debian's
// libisal), gzip files are inflated with its igzip instead, which does the same work in about
// 40 % of zlib's time on this machine's captures. Both give the same bytes and the same errors
// (zlib's wording, "PATH: incorrect data check"), so nothing above this layer can tell which one
// ran. A stream cut short is finished with zlib, which hands out every byte it can recover.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace scap {

enum class gzip_decoder {
    automatic,  // plain files read as stored; gzip with ISA-L when built with it, else zlib
    zlib,       // always zlib, plain files through its transparent mode (tests compare)
};

class byte_source {
  public:
    virtual ~byte_source() = default;
    // Fills out with up to n bytes; returns how many were written, 0 at the end of input, -1 on
    // an error (error() says what). Bytes inflated before a stream that was cut short are handed
    // out before the error; a data error drops the bytes of the call that met it, as zlib does.
    virtual long read(uint8_t* out, size_t n) = 0;
    // Bytes of the file consumed so far (compressed bytes for gzip).
    virtual uint64_t raw_offset() const = 0;
    // Empty unless read() failed or the input ended inside a gzip stream.
    virtual std::string error() const = 0;
    // Which decoder reads this file ("zlib", "isa-l", or "none" for a plain file read as stored).
    virtual const char* decoder() const = 0;
    // Whether read() inflates (costly) rather than copying stored bytes (cheap).
    virtual bool inflates() const { return true; }
};

// Opens path; nullptr with `error` set when it cannot be opened.
std::unique_ptr<byte_source> open_byte_source(const std::string& path, gzip_decoder decoder,
                                              std::string& error);

// True when this build can inflate with ISA-L.
bool have_isal_decoder();

}  // namespace scap
