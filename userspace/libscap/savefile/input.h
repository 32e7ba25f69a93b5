// A forward-only byte source over a capture (gzip or plain file, or memory) that hands
// out views into its own buffers: a block is parsed where it lies, with no copy per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "savefile/prefetch.h"

namespace scap {

class savefile_input {
  public:
    savefile_input();
    ~savefile_input();

    // Returns false and sets `error` if the file cannot be opened. `background`: decompress on a
    // worker thread (see prefetch.h); `decoder`: see byte_source.h.
    // `worker_cpus`: where that worker may run (empty: anywhere the caller may).
    bool open_file(const std::string& path, bool background, const cpu_list& worker_cpus,
                   gzip_decoder decoder, std::string& error);
    void open_memory(const uint8_t* data, size_t size);

    // Makes at least n bytes available at data(); returns how many are available (less than n
    // only at end of input or on a read error: see read_error()). Views from earlier calls become
    // invalid. Bytes at data() may be modified in place by the caller.
    size_t ensure(size_t n) {
        if (m_end - m_pos >= n) return m_end - m_pos;
        return m_pf ? fill_from_file(n) : fill_from_memory(n);
    }
    uint8_t* data() { return m_base + m_pos; }
    size_t available() const { return m_end - m_pos; }
    // Consumes n bytes (n <= available()).
    void consume(size_t n) {
        m_pos += n;
        m_offset += n;
    }
    // Offset in the (decompressed) stream of data().
    uint64_t offset() const { return m_offset; }
    const std::string& read_error() const { return m_read_error; }
    // Compressed bytes read so far (input size for plain files and memory).
    uint64_t raw_bytes_read() const;

    // Whether the `len`-byte block at data() was checked by the prefetch worker (block_walk.h):
    // the next of an unbroken run of checked blocks in the current chunk, so the caller may skip
    // its own checks of it. Call at most once per block, before consuming it.
    bool take_checked(size_t len) {
        if (m_pos != m_checked_next || m_checked_end - m_pos < len) return false;
        m_checked_next += len;
        return true;
    }

    // Keeps the buffer holding `p` (bytes just read at data()) alive after the input moves on,
    // until unpin(). nullptr when that buffer cannot be kept (memory input, the spill buffer):
    // the caller copies the bytes instead. Each pin() needs one unpin().
    void* pin(const void* p) {
        if (!m_chunk || !m_chunk->holds(p)) return nullptr;
        m_chunk->refs.fetch_add(1, std::memory_order_relaxed);
        return m_chunk;
    }
    // Thread-safe: the consumer of a batch calls it while the input goes on reading.
    void unpin(void* pinned) { drop(static_cast<prefetcher::chunk*>(pinned)); }
    // Lets the prefetcher read ahead while pinned chunks are out (called once, before pins).
    void reserve_for_pins(size_t chunks) {
        if (m_pf) m_pf->grow_pool(chunks);
    }

  private:
    size_t fill_from_file(size_t want);
    size_t fill_from_memory(size_t want);
    // Moves the unread bytes to the front of m_spill and makes it the current region.
    void spill_unread();
    // Lets go of a taken chunk; the last holder hands it back to the prefetcher.
    void drop(prefetcher::chunk* c) {
        if (c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) m_pf->release(c);
    }

    // The current region: unread bytes are m_base[m_pos, m_end). It is the current prefetched
    // chunk, or m_spill (memory input, or a block larger than what one chunk can complete).
    uint8_t* m_base = nullptr;
    size_t m_pos = 0, m_end = 0;
    // The worker-checked blocks of the current chunk still ahead: [m_checked_next, m_checked_end)
    // in m_base's offsets (empty for the spill buffer and memory input).
    size_t m_checked_next = 0, m_checked_end = 0;
    std::vector<uint8_t> m_spill;  // only grows

    std::unique_ptr<prefetcher> m_pf;  // file input
    prefetcher::chunk* m_chunk = nullptr;

    const uint8_t* m_mem = nullptr;  // memory input
    size_t m_mem_size = 0, m_mem_pos = 0;

    uint64_t m_offset = 0;
    bool m_eof = false;
    std::string m_read_error;
};

}  // namespace scap
