#include "scap/batch_reader.h"

#include <pthread.h>

namespace scap {

batch_reader::batch_reader(engine& eng, batch_reader_options opts) : m_engine(eng), m_opts(opts) {
    if (m_opts.ring < 2) m_opts.ring = 2;
    if (m_opts.events_per_batch == 0 || m_opts.events_per_batch > event_batch::k_capacity)
        m_opts.events_per_batch = event_batch::k_capacity;
    m_slots = std::make_unique<event_batch[]>(m_opts.ring);
    m_thread = std::thread([this] { run(); });
}

batch_reader::~batch_reader() {
    stop();
}

// Waits until at most `max_out` batches are published and not yet released (or stop). The
// worker sleeps until the consumer has made real room, not one slot at a time: fewer wake-ups.
bool batch_reader::wait_for_room(uint64_t max_out) {
    const uint64_t published = m_published.load();
    const uint64_t want = published > max_out ? published - max_out : 0;
    if (m_released.load() >= want) return !m_stop.load();
    std::unique_lock<std::mutex> lock(m_mutex);
    m_worker_wants = want;
    m_worker_waiting = true;
    m_worker_cv.wait(lock, [&] { return m_stop.load() || m_released.load() >= want; });
    m_worker_waiting = false;
    return !m_stop.load();
}

void batch_reader::run() {
    pthread_setname_np(pthread_self(), "scap-reader");  // shows in top, perf, gdb
    std::string ignored;  // the caller chose the CPUs (and checks them): unpinned otherwise
    pin_current_thread(m_opts.worker_cpus, ignored);
    const uint64_t ring = m_opts.ring;
    for (;;) {
        // A free slot; when the ring is full, wait for half of it to drain.
        if (m_published.load() - m_released.load() >= ring && !wait_for_room(ring / 2)) break;
        if (m_stop.load()) break;
        event_batch& b = m_slots[m_published.load() % ring];
        b.clear();
        b.limit = m_opts.events_per_batch;
        // Quiescent when the consumer has given back everything: it reads nothing of ours.
        const bool quiescent = m_released.load() == m_published.load();
        m_engine.next_batch(b, quiescent);
        const bool last = b.result == status::eof || b.result == status::error;
        // An empty timeout batch is published: the consumer's next() then returns timeout, as on
        // one thread, and gets to check for its own reasons to stop (Ctrl-C).
        if (b.count == 0 && !last && b.result != status::timeout) {
            // Nothing to hand over: a barrier before any event of this batch. Wait for the
            // consumer to catch up, then go on (quiescent).
            m_engine.release_batch(b);
            if (b.barrier && !wait_for_room(0)) break;
            continue;
        }
        const bool barrier = b.barrier;
        m_published.fetch_add(1);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_consumer_waiting) m_consumer_cv.notify_one();
        }
        if (last) break;
        if (barrier && !wait_for_room(0)) break;
    }
    m_finished.store(true);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_consumer_cv.notify_all();
}

const event_batch* batch_reader::acquire() {
    if (m_published.load() == m_taken) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_consumer_waiting = true;
        m_consumer_cv.wait(lock, [&] { return m_published.load() != m_taken || m_finished.load(); });
        m_consumer_waiting = false;
        if (m_published.load() == m_taken) {
            // The worker stopped without a last batch (stop() raced with us): say so as the end.
            event_batch& b = m_slots[m_taken % m_opts.ring];
            b.clear();
            b.result = status::error;
            b.error = "reader stopped";
            m_published.fetch_add(1);
        }
    }
    return &m_slots[m_taken++ % m_opts.ring];
}

void batch_reader::release(const event_batch* batch) {
    event_batch& b = const_cast<event_batch&>(*batch);
    m_engine.release_batch(b);
    const uint64_t released = m_released.fetch_add(1) + 1;
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_worker_waiting && released >= m_worker_wants) m_worker_cv.notify_one();
}

void batch_reader::stop() {
    if (!m_thread.joinable()) return;
    m_stop.store(true);
    // The batch the consumer holds, if any (it has taken one more than it released).
    if (m_taken > m_released.load()) release(&m_slots[(m_taken - 1) % m_opts.ring]);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_worker_cv.notify_all();
    }
    // The worker may be waiting on the engine for a buffer that only a release frees: give back
    // whatever is published but not taken until it has finished.
    while (!m_finished.load()) {
        while (m_taken < m_published.load()) release(&m_slots[m_taken++ % m_opts.ring]);
        std::unique_lock<std::mutex> lock(m_mutex);
        m_consumer_waiting = true;
        m_consumer_cv.wait_for(lock, std::chrono::milliseconds(10),
                               [&] { return m_finished.load() || m_taken < m_published.load(); });
        m_consumer_waiting = false;
    }
    m_thread.join();
    while (m_taken < m_published.load()) release(&m_slots[m_taken++ % m_opts.ring]);
}

}  // namespace scap
