#include "savefile/input.h"

#include <zlib.h>

#include <cstring>

namespace scap {
namespace {
// Large reads amortize zlib's per-call cost; blocks larger than this grow the buffer.
constexpr size_t k_chunk = 1 << 20;
}  // namespace

savefile_input::~savefile_input() {
    if (m_gz) gzclose(static_cast<gzFile>(m_gz));
}

bool savefile_input::open_file(const std::string& path, std::string& error) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) {
        error = "cannot open '" + path + "': " + std::strerror(errno);
        return false;
    }
    gzbuffer(f, 256 * 1024);
    m_gz = f;
    m_buf.resize(k_chunk);
    return true;
}

void savefile_input::open_memory(const uint8_t* data, size_t size) {
    m_mem = data;
    m_mem_size = size;
    m_buf.resize(k_chunk < size ? k_chunk : (size < 4096 ? 4096 : size));
}

uint64_t savefile_input::raw_bytes_read() const {
    if (m_gz) return static_cast<uint64_t>(gzoffset(static_cast<gzFile>(m_gz)));
    return m_mem_pos;
}

size_t savefile_input::fill(size_t want) {
    // Move the unread tail to the front, grow if a single request needs more room, then read.
    if (m_pos > 0) {
        std::memmove(m_buf.data(), m_buf.data() + m_pos, m_end - m_pos);
        m_end -= m_pos;
        m_pos = 0;
    }
    if (want > m_buf.size()) m_buf.resize(want);
    while (m_end < want && !m_eof) {
        size_t room = m_buf.size() - m_end;
        size_t got = 0;
        if (m_gz) {
            int n = gzread(static_cast<gzFile>(m_gz), m_buf.data() + m_end, static_cast<unsigned>(room));
            if (n < 0) {
                int errnum = 0;
                const char* msg = gzerror(static_cast<gzFile>(m_gz), &errnum);
                m_read_error = msg ? msg : "read error";
                m_eof = true;
                break;
            }
            got = static_cast<size_t>(n);
        } else {
            got = m_mem_size - m_mem_pos < room ? m_mem_size - m_mem_pos : room;
            std::memcpy(m_buf.data() + m_end, m_mem + m_mem_pos, got);
            m_mem_pos += got;
        }
        if (got == 0) {
            m_eof = true;
            // A gzip stream cut short reads as a clean end; zlib still knows it was not.
            int errnum = 0;
            const char* msg = m_gz ? gzerror(static_cast<gzFile>(m_gz), &errnum) : nullptr;
            if (errnum != Z_OK && msg) m_read_error = msg;
        }
        m_end += got;
    }
    return m_end - m_pos;
}

size_t savefile_input::ensure(size_t n) {
    if (m_end - m_pos >= n) return m_end - m_pos;
    return fill(n);
}

}  // namespace scap
