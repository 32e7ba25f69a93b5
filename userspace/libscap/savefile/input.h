// A forward-only byte source over a capture (gzip or plain file via zlib, or memory) that hands
// out views into one internal buffer: a block is parsed where it lies, with no copy per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace scap {

class savefile_input {
  public:
    ~savefile_input();

    // Returns false and sets `error` if the file cannot be opened.
    bool open_file(const std::string& path, std::string& error);
    void open_memory(const uint8_t* data, size_t size);

    // Makes at least n bytes available at data(); returns how many are available (less than n
    // only at end of input or on a read error: see read_error()). Views from earlier calls become
    // invalid.
    size_t ensure(size_t n);
    uint8_t* data() { return m_buf.data() + m_pos; }
    size_t available() const { return m_end - m_pos; }
    // Consumes n bytes (n <= available()).
    void consume(size_t n) {
        m_pos += n;
        m_offset += n;
    }
    // Offset in the (decompressed) stream of data().
    uint64_t offset() const { return m_offset; }
    const std::string& read_error() const { return m_read_error; }
    // Compressed bytes read so far (file size for plain files).
    uint64_t raw_bytes_read() const;

  private:
    size_t fill(size_t want);

    void* m_gz = nullptr;  // gzFile, when reading a file
    const uint8_t* m_mem = nullptr;
    size_t m_mem_size = 0, m_mem_pos = 0;
    std::vector<uint8_t> m_buf;
    size_t m_pos = 0, m_end = 0;
    uint64_t m_offset = 0;
    bool m_eof = false;
    std::string m_read_error;
};

}  // namespace scap
