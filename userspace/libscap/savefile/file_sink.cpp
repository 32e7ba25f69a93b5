#include "savefile/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace scap {
namespace {
constexpr size_t k_out_buffer = 128 * 1024;
// The writer commits at 256 KiB: room for that and a large last event without growing.
constexpr size_t k_pending_reserve = 320 * 1024;
constexpr int k_gzip_level = 6;
constexpr int k_gzip_window_bits = 15 + 16;  // 32 KiB window, gzip header and trailer
}  // namespace

file_sink::~file_sink() {
    if (m_fd >= 0) finish();
}

bool file_sink::open(const std::string& path, bool gzip) {
    m_path = path;
    m_gzip = gzip;
    m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        m_error = "cannot create '" + path + "': " + std::strerror(errno);
        return false;
    }
    m_pending.reserve(k_pending_reserve);
    struct stat st;
    m_regular = fstat(m_fd, &st) == 0 && S_ISREG(st.st_mode);
    if (gzip) {
        auto* zs = new z_stream{};
        if (deflateInit2(zs, k_gzip_level, Z_DEFLATED, k_gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            delete zs;
            ::close(m_fd);
            m_fd = -1;
            m_error = "cannot start gzip compression for '" + path + "' (out of memory)";
            return false;
        }
        m_zs = zs;
        m_out.resize(k_out_buffer);
    }
    return true;
}

bool file_sink::fail(int errnum, const char* what) {
    if (m_error.empty())
        m_error = "cannot write '" + m_path + "': " + (errnum ? std::strerror(errnum) : std::string(what));
    m_pending.clear();
    return false;
}

bool file_sink::write_all(const uint8_t* data, size_t len) {
    while (len > 0) {
        const ssize_t n = ::write(m_fd, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(errno, nullptr);
        }
        if (n == 0) return fail(0, "the file system accepted no more bytes");
        m_file_bytes += static_cast<uint64_t>(n);
        data += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

// Compresses everything pending with `flush` (Z_SYNC_FLUSH or Z_FINISH) and writes it out.
bool file_sink::deflate_pending(int flush) {
    auto* zs = static_cast<z_stream*>(m_zs);
    zs->next_in = m_pending.data();
    zs->avail_in = static_cast<uInt>(m_pending.size());
    for (;;) {
        zs->next_out = m_out.data();
        zs->avail_out = static_cast<uInt>(m_out.size());
        const int rc = deflate(zs, flush);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return fail(0, "gzip compression failed");
        const size_t n = m_out.size() - zs->avail_out;
        if (n && !write_all(m_out.data(), n)) return false;
        // Done when the stream ended (finish) or when deflate left output space unused (sync
        // flush: everything given is out, up to a byte boundary).
        if (flush == Z_FINISH ? rc == Z_STREAM_END : zs->avail_out != 0) return true;
    }
}

// Removes a failed commit's bytes so the file ends where the last good commit ended.
void file_sink::cut_back() {
    if (m_file_bytes == m_good_file_bytes || !m_regular) return;
    const off_t good = static_cast<off_t>(m_good_file_bytes);
    if (ftruncate(m_fd, good) == 0 && lseek(m_fd, good, SEEK_SET) == good) m_file_bytes = m_good_file_bytes;
}

bool file_sink::commit() {
    if (failed()) return false;
    if (m_fd < 0) return fail(0, "the file is already closed");
    if (m_pending.empty()) return true;
    const bool ok = m_gzip ? deflate_pending(Z_SYNC_FLUSH) : write_all(m_pending.data(), m_pending.size());
    if (!ok) {
        cut_back();
        return false;
    }
    m_good_data_bytes += m_pending.size();
    m_good_file_bytes = m_file_bytes;
    if (m_gzip) m_good_crc = static_cast<uint32_t>(static_cast<z_stream*>(m_zs)->adler);  // CRC-32 so far
    m_pending.clear();
    return true;
}

// After a failed commit the deflate stream has run ahead of the file, but the file itself ends
// at a sync-flush point (byte aligned, everything before it decodable). An empty final block
// with fixed codes (bits 1, 01, then the 7-bit end-of-block code: bytes 03 00) and the trailer
// of the data up to there make it a complete gzip file again.
void file_sink::end_after_failure() {
    if (m_file_bytes != m_good_file_bytes) return;  // could not cut back: nothing sound to end
    if (!m_gzip) {
        m_ended_cleanly = true;  // a plain capture needs no trailer
        return;
    }
    if (m_good_file_bytes == 0) return;  // not even the gzip header is there
    uint8_t tail[10] = {0x03, 0x00};
    const uint32_t isize = static_cast<uint32_t>(m_good_data_bytes);  // size modulo 2^32
    for (int i = 0; i < 4; ++i) {
        tail[2 + i] = static_cast<uint8_t>(m_good_crc >> (8 * i));
        tail[6 + i] = static_cast<uint8_t>(isize >> (8 * i));
    }
    if (write_all(tail, sizeof tail)) {
        m_good_file_bytes = m_file_bytes;
        m_ended_cleanly = true;
    } else {
        cut_back();
    }
}

bool file_sink::finish() {
    if (m_fd < 0) return !failed();
    if (!failed()) {
        if (m_gzip) {
            if (deflate_pending(Z_FINISH)) {
                m_good_data_bytes += m_pending.size();
                m_good_file_bytes = m_file_bytes;
                m_pending.clear();
                m_ended_cleanly = true;
            } else {
                cut_back();
            }
        } else if (commit()) {
            m_ended_cleanly = true;
        }
    }
    if (failed()) end_after_failure();
    // close() reports the errors a network file system defers to it.
    if (::close(m_fd) != 0 && !failed()) {
        fail(errno, nullptr);
        m_ended_cleanly = false;
    }
    m_fd = -1;
    if (m_zs) {
        deflateEnd(static_cast<z_stream*>(m_zs));
        delete static_cast<z_stream*>(m_zs);
        m_zs = nullptr;
    }
    return !failed();
}

}  // namespace scap
