// Decompresses a capture file on a worker thread, one chunk ahead of the parser.
//
// Inflating a gzip capture costs about three times as much as parsing it, so the two run side by
// side: the worker fills fixed-size chunks from a byte_source while the engine parses the
// previous one.
// A small pool of chunks circulates between them (no allocation after open). Every chunk has
// free room in front of its data so the reader can put the unparsed end of the previous chunk
// there and keep a block contiguous without copying the new chunk. The pool lives in huge-page
// regions (huge_region.h): a chunk and its headroom are exactly 1 MiB, two to a huge page, so
// filling the pool the first time takes a few page faults instead of about a thousand.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "savefile/block_walk.h"
#include "savefile/byte_source.h"
#include "savefile/huge_region.h"
#include "scap/cpu_affinity.h"

namespace scap {

class prefetcher {
  public:
    // Bytes of free room in front of each chunk's data, and bytes of data per chunk.
    static constexpr size_t k_headroom = 64 * 1024;
    static constexpr size_t k_chunk = 1024 * 1024 - k_headroom;

    struct chunk {
        // k_headroom + k_chunk bytes in one of the pool's regions, left uninitialised: the
        // first write (the worker's, inflating into it) faults the pages in.
        uint8_t* mem = nullptr;
        size_t size = 0;  // data bytes, at data()
        // Offsets in data() of the whole blocks the worker has checked (block_walk.h); empty
        // when it has not (chunks read on the caller's thread).
        block_walker::span checked;
        // Holders of a taken chunk: the reader, and batches of events pointing into it (see
        // savefile_input::pin). The last one to let go hands it back with release().
        std::atomic<uint32_t> refs{0};
        uint8_t* base() { return mem; }
        uint8_t* data() { return mem + k_headroom; }
        bool holds(const void* p) const {
            const uint8_t* b = static_cast<const uint8_t*>(p);
            return b >= mem && b < mem + k_headroom + k_chunk;
        }
    };

    // Reads `source` and, when `background`, starts the worker; otherwise take() reads on the
    // caller's thread (for callers that must stay on one core). The worker runs on
    // `worker_cpus` (empty: wherever the caller may).
    prefetcher(std::unique_ptr<byte_source> source, bool background, cpu_list worker_cpus = {});
    ~prefetcher();
    prefetcher(const prefetcher&) = delete;
    prefetcher& operator=(const prefetcher&) = delete;

    // The next chunk in file order, waiting for the worker if needed; nullptr at the end of the
    // file or after a read error (then error() says what).
    chunk* take();
    // Hands a chunk from take() back to the worker for refilling. Thread-safe.
    void release(chunk* c);
    // Adds chunks to the pool, so the worker can read ahead while batches of events keep some
    // chunks alive. Called once, before batches are handed out.
    void grow_pool(size_t n);
    // Empty after a clean end of file.
    std::string error() const;
    // Compressed bytes consumed so far.
    uint64_t raw_bytes_read() const { return m_raw_offset.load(std::memory_order_relaxed); }
    const char* decoder() const { return m_source->decoder(); }

  private:
    static constexpr size_t k_pool = 4;
    void run();
    // Maps one region for n more chunks and appends them to m_pool (not to the free list).
    void add_chunks(size_t n);
    // Fills `c` from the file; false at the end of input or on an error (then c is back in the
    // free list and m_done / m_error are set). Called with m_mutex not held.
    bool read_into(chunk* c);

    std::unique_ptr<byte_source> m_source;
    std::vector<huge_region> m_regions;  // the chunks' memory
    std::deque<chunk> m_pool;            // a deque: chunks never move when the pool grows
    mutable std::mutex m_mutex;
    std::condition_variable m_filled_cv, m_free_cv;
    std::deque<chunk*> m_filled, m_free;
    bool m_done = false;  // the worker has nothing more to publish
    bool m_stop = false;  // the reader is going away
    std::string m_error;
    std::atomic<uint64_t> m_raw_offset{0};
    bool m_background;
    // The worker checks blocks ahead of the reader (block_walk.h) when reading is cheap: plain
    // files, where it mostly waits for free chunks. Inflating is already the slower side of the
    // two, and checks there would delay every chunk (measured: +17 % on a gzip replay).
    bool m_check_ahead;
    cpu_list m_worker_cpus;
    block_walker m_walker;
    std::thread m_worker;
};

}  // namespace scap
