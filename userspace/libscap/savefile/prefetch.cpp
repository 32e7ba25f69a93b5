#include "savefile/prefetch.h"

#include <pthread.h>

namespace scap {

prefetcher::prefetcher(std::unique_ptr<byte_source> source, bool background, cpu_list worker_cpus)
    : m_source(std::move(source)),
      m_background(background),
      m_check_ahead(background && !m_source->inflates()),
      m_worker_cpus(std::move(worker_cpus)) {
    add_chunks(k_pool);
    for (chunk& c : m_pool) m_free.push_back(&c);
    if (m_background) m_worker = std::thread([this] { run(); });
}

void prefetcher::add_chunks(size_t n) {
    static_assert(huge_region::k_huge_page % (k_headroom + k_chunk) == 0, "chunks tile huge pages");
    huge_region& r = m_regions.emplace_back(n * (k_headroom + k_chunk));
    for (size_t i = 0; i < n; ++i) m_pool.emplace_back().mem = r.data() + i * (k_headroom + k_chunk);
}

prefetcher::~prefetcher() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_free_cv.notify_all();
    if (m_worker.joinable()) m_worker.join();
}

bool prefetcher::read_into(chunk* c) {
    const long n = m_source->read(c->data(), k_chunk);
    m_raw_offset.store(m_source->raw_offset(), std::memory_order_relaxed);
    std::string error;
    if (n < 0) error = m_source->error();
    std::lock_guard<std::mutex> lock(m_mutex);
    if (n > 0) {
        c->size = static_cast<size_t>(n);
        c->checked = {};
        return true;
    }
    m_free.push_back(c);
    m_error = std::move(error);
    m_done = true;
    return false;
}

void prefetcher::run() {
    pthread_setname_np(pthread_self(), "scap-prefetch");  // shows in top, perf, gdb
    std::string ignored;  // the opener chose the CPUs (and checks them): unpinned otherwise
    pin_current_thread(m_worker_cpus, ignored);
    for (;;) {
        chunk* c;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_free_cv.wait(lock, [this] { return m_stop || !m_free.empty(); });
            if (m_stop) return;
            c = m_free.front();
            m_free.pop_front();
        }
        const bool more = read_into(c);
        if (more) {
            // Checked before the hand-over, so the reader can skip its own checks of these blocks.
            if (m_check_ahead) c->checked = m_walker.walk(c->data(), c->size);
            std::lock_guard<std::mutex> lock(m_mutex);
            m_filled.push_back(c);
        }
        m_filled_cv.notify_one();
        if (!more) return;
    }
}

prefetcher::chunk* prefetcher::take() {
    if (!m_background) {
        chunk* c;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            if (m_done) return nullptr;
            // Without batches the reader holds at most 2 chunks and one is always free; with
            // them, the consumer frees one when it releases a batch.
            m_free_cv.wait(lock, [this] { return !m_free.empty(); });
            c = m_free.front();
            m_free.pop_front();
        }
        return read_into(c) ? c : nullptr;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_filled_cv.wait(lock, [this] { return m_done || !m_filled.empty(); });
    if (m_filled.empty()) return nullptr;
    chunk* c = m_filled.front();
    m_filled.pop_front();
    return c;
}

void prefetcher::release(chunk* c) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_free.push_back(c);
    }
    // notify_all: in foreground mode the reader also waits on this (the worker does not run).
    m_free_cv.notify_all();
}

void prefetcher::grow_pool(size_t n) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const size_t first = m_pool.size();
        add_chunks(n);
        for (size_t i = first; i < m_pool.size(); ++i) m_free.push_back(&m_pool[i]);
    }
    m_free_cv.notify_all();
}

std::string prefetcher::error() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_error;
}

}  // namespace scap
