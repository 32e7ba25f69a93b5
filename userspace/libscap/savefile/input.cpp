#include "savefile/input.h"

#include <cerrno>
#include <cstring>

namespace scap {
namespace {
// Memory input is copied in pieces of this size (events are rewritten in place, and the
// caller's buffer is read-only).
constexpr size_t k_memory_piece = 1 << 20;
// A spill buffer larger than this is freed once reading is back on chunks.
constexpr size_t k_spill_keep = 4 << 20;
}  // namespace

savefile_input::savefile_input() = default;

savefile_input::~savefile_input() {
    if (m_chunk) drop(m_chunk);
}

bool savefile_input::open_file(const std::string& path, bool background, const cpu_list& worker_cpus,
                               gzip_decoder decoder, std::string& error) {
    std::unique_ptr<byte_source> source = open_byte_source(path, decoder, error);
    if (!source) return false;
    m_pf = std::make_unique<prefetcher>(std::move(source), background, worker_cpus);
    return true;
}

void savefile_input::open_memory(const uint8_t* data, size_t size) {
    m_mem = data;
    m_mem_size = size;
}

uint64_t savefile_input::raw_bytes_read() const {
    return m_pf ? m_pf->raw_bytes_read() : m_mem_pos;
}

void savefile_input::spill_unread() {
    const size_t unread = m_end - m_pos;
    if (unread == 0) {
        m_spill.clear();
    } else if (m_base == m_spill.data()) {
        std::memmove(m_spill.data(), m_spill.data() + m_pos, unread);
        m_spill.resize(unread);
    } else {
        m_spill.assign(m_base + m_pos, m_base + m_end);
    }
    m_base = m_spill.data();
    m_pos = 0;
    m_end = unread;
    m_checked_next = m_checked_end = 0;
}

size_t savefile_input::fill_from_memory(size_t want) {
    spill_unread();
    while (m_end < want && m_mem_pos < m_mem_size) {
        size_t n = m_mem_size - m_mem_pos;
        const size_t piece = want - m_end > k_memory_piece ? want - m_end : k_memory_piece;
        if (n > piece) n = piece;
        m_spill.insert(m_spill.end(), m_mem + m_mem_pos, m_mem + m_mem_pos + n);
        m_mem_pos += n;
        m_base = m_spill.data();
        m_end = m_spill.size();
    }
    return m_end - m_pos;
}

size_t savefile_input::fill_from_file(size_t want) {
    while (m_end - m_pos < want && !m_eof) {
        prefetcher::chunk* next = m_pf->take();
        if (!next) {
            m_eof = true;
            m_read_error = m_pf->error();
            break;
        }
        const size_t unread = m_end - m_pos;
        if (unread <= prefetcher::k_headroom && unread + next->size >= want) {
            // Common case: the unread end of this region goes in front of the next chunk's data,
            // and the request is complete there without copying the new chunk.
            uint8_t* dst = next->data() - unread;
            if (unread) std::memcpy(dst, m_base + m_pos, unread);
            if (m_chunk) drop(m_chunk);
            next->refs.store(1, std::memory_order_relaxed);
            m_chunk = next;
            // Back on chunks after gathering a large block: give its memory back.
            if (m_spill.capacity() > k_spill_keep) std::vector<uint8_t>().swap(m_spill);
            m_base = next->base();
            m_pos = prefetcher::k_headroom - unread;
            m_end = prefetcher::k_headroom + next->size;
            m_checked_next = prefetcher::k_headroom + next->checked.from;
            m_checked_end = prefetcher::k_headroom + next->checked.to;
        } else {
            // A block longer than what fits: gather it in the spill buffer.
            spill_unread();
            if (m_chunk) drop(m_chunk);
            m_chunk = nullptr;
            m_spill.insert(m_spill.end(), next->data(), next->data() + next->size);
            m_pf->release(next);
            m_base = m_spill.data();
            m_end = m_spill.size();
        }
    }
    return m_end - m_pos;
}

}  // namespace scap
