// Reads an engine on a worker thread and hands its events, in order, to one consumer thread in
// batches (see proposals/0009-parallel-replay.md).
//
//   scap::batch_reader reader(*engine);
//   for (const scap::event_batch* b = reader.acquire();; b = reader.acquire()) {
//       for (uint32_t i = 0; i < b->count; ++i) use(b->events[i]);
//       const bool last = b->result == scap::status::eof || b->result == scap::status::error;
//       reader.release(b);
//       if (last) break;
//   }
//
// The hand-off is a ring of fixed batches: one mutex round trip per batch, none per event, and
// no allocation once the batches' arenas have grown to their working size. While the reader
// runs, only the consumer's batches may be read from the engine's side; the engine's own
// methods (stats, snapshot) are safe again after stop(), except get_snapshot() from the consumer,
// which the barrier protocol keeps stable while the consumer holds a batch.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "scap/cpu_affinity.h"
#include "scap/engine.h"
#include "scap/event_batch.h"

namespace scap {

struct batch_reader_options {
    uint32_t ring = 8;                                    // batches in flight, at least 2
    uint32_t events_per_batch = event_batch::k_capacity;  // 1..k_capacity (tests use small ones)
    cpu_list worker_cpus;                                 // where the worker runs (empty: anywhere)
};

class batch_reader {
  public:
    // Starts the worker thread. The engine must outlive the reader.
    explicit batch_reader(engine& eng, batch_reader_options opts = {});
    ~batch_reader();
    batch_reader(const batch_reader&) = delete;
    batch_reader& operator=(const batch_reader&) = delete;

    // The next batch in stream order, waiting for it if needed. Its result says whether more
    // follow (ok, timeout) or not (eof, error: acquire() must not be called again). Only one
    // batch is held at a time: release it before the next acquire().
    const event_batch* acquire();
    void release(const event_batch* batch);

    // Stops the worker and gives back every batch still out (those not acquired are dropped).
    // Idempotent; after it the engine is the caller's again.
    void stop();

  private:
    void run();
    bool wait_for_room(uint64_t max_out);

    engine& m_engine;
    batch_reader_options m_opts;
    std::unique_ptr<event_batch[]> m_slots;

    // Batches published by the worker, taken and released by the consumer (monotonic counts;
    // slot = count % ring).
    std::atomic<uint64_t> m_published{0};
    std::atomic<uint64_t> m_released{0};
    uint64_t m_taken = 0;  // consumer only
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_finished{false};  // the worker returned

    std::mutex m_mutex;
    std::condition_variable m_consumer_cv, m_worker_cv;
    bool m_consumer_waiting = false, m_worker_waiting = false;  // under m_mutex
    uint64_t m_worker_wants = 0;  // under m_mutex: released count the worker waits for

    std::thread m_thread;
};

}  // namespace scap
