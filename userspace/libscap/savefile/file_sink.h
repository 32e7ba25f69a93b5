// The byte sink under the capture writer: a file written plain or gzip-compressed, in commits
// that reach the file all or nothing.
//
// Bytes are gathered in memory and written by commit(). A commit that fails (a full file system,
// an I/O error) is cut back off the file, so the file always ends where the last good commit
// ended: at a capture block boundary, since the writer commits only between blocks. For gzip,
// every commit ends with a deflate sync flush: the compressed bytes of each commit end on a byte
// boundary where everything given so far decompresses, so the file's prefix decompresses exactly
// up to that block. finish() ends a good file with the gzip trailer; after a failure it still
// tries to end the stream cleanly at the last good commit (an empty final block and a trailer,
// ten bytes), and when even those do not fit it leaves the stream without its trailer: readers
// then get every block up to the cut and an "unexpected end of file".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace scap {

class file_sink {
  public:
    file_sink() = default;
    ~file_sink();
    file_sink(const file_sink&) = delete;
    file_sink& operator=(const file_sink&) = delete;

    // Creates (or truncates) path. False and error() on failure.
    bool open(const std::string& path, bool gzip);

    // Adds bytes to the next commit (memory only; no allocation once the buffer has grown).
    void append(const void* data, size_t len) {
        const auto* b = static_cast<const uint8_t*>(data);
        m_pending.insert(m_pending.end(), b, b + len);
    }
    size_t pending_bytes() const { return m_pending.size(); }

    // Writes what append() gathered. False and error() on failure; the file then ends at the
    // previous commit and every later commit fails with the same error.
    bool commit();
    // Commits what is pending, ends the stream (gzip trailer) and closes the file. After a failed
    // commit it only ends the file at the last good commit (see above). False and error() when
    // the file is not complete.
    bool finish();

    bool failed() const { return !m_error.empty(); }
    const std::string& error() const { return m_error; }
    // Bytes in the file (compressed, for gzip) as of the last good commit.
    uint64_t file_bytes() const { return m_good_file_bytes; }
    // Capture bytes (uncompressed) the file holds as of the last good commit.
    uint64_t data_bytes() const { return m_good_data_bytes; }
    // After finish(): whether the gzip stream has its trailer (always true for plain files).
    bool ended_cleanly() const { return m_ended_cleanly; }

  private:
    bool write_all(const uint8_t* data, size_t len);
    bool deflate_pending(int flush);
    bool fail(int errnum, const char* what);
    void cut_back();
    void end_after_failure();

    std::string m_path;
    int m_fd = -1;
    bool m_regular = false;  // only regular files can be cut back with ftruncate
    bool m_gzip = false;
    void* m_zs = nullptr;  // z_stream
    std::vector<uint8_t> m_pending;
    std::vector<uint8_t> m_out;  // compressed bytes on their way to the file
    uint64_t m_file_bytes = 0;   // bytes write(2) accepted, including a commit in progress
    uint64_t m_good_file_bytes = 0;
    uint64_t m_good_data_bytes = 0;
    uint32_t m_good_crc = 0;  // gzip: CRC-32 of the data up to the last good commit
    bool m_ended_cleanly = false;
    std::string m_error;
};

}  // namespace scap
