// The interface every capture source implements (capture file now; live engines later).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scap/event.h"
#include "scap/event_batch.h"
#include "scap/status.h"

namespace scap {

struct snapshot;
struct engine_report;
struct prefilter;

// Counters every engine reports. Drops are counted by cause; engine-specific figures
// (bytes read, converter actions, BPF program run times) go in `extra` as name/value pairs.
struct engine_stats {
    uint64_t n_evts = 0;               // events delivered by next()
    uint64_t n_drops = 0;              // total events lost, all causes
    uint64_t n_drops_buffer = 0;       // ring/per-cpu buffer full
    uint64_t n_drops_scratch_map = 0;  // event too large for the driver's scratch space
    uint64_t n_drops_page_faults = 0;  // user memory could not be read
    uint64_t n_drops_bug = 0;          // driver-side invariant violated
    uint64_t n_preemptions = 0;
    uint64_t n_suppressed = 0;
    // Events the in-kernel pre-filter dropped because the filter could not match them
    // (scap/prefilter.h): not a loss, so not in n_drops.
    uint64_t n_prefiltered = 0;
    std::vector<std::pair<std::string, uint64_t>> extra;
};

class engine {
  public:
    virtual ~engine() = default;
    engine() = default;
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    virtual std::string_view name() const = 0;

    // Next event. On status::ok, out.hdr points into the engine's own memory and stays valid
    // until the next call. status::eof / status::timeout carry no event; status::error sets
    // last_error() (what, and where: file offset, event number).
    virtual status next(event_ref& out) = 0;

    // The next events in order, appended to `batch` (cleared by the caller) until it is full or
    // the stream ends, for a consumer on another thread (see scap/batch_reader.h). Events stay
    // valid until release_batch(batch), whatever the engine reads meanwhile. `quiescent`: no
    // other batch of this engine is out, so the engine may change what consumers read (its
    // snapshot); when it needs that and `quiescent` is false, it ends the batch with `barrier`.
    // The default copies each event from next() into the batch.
    virtual void next_batch(event_batch& batch, bool quiescent);
    // Gives back the buffers a batch kept alive. Thread-safe against next_batch (the consumer
    // calls it while the reading thread goes on).
    virtual void release_batch(event_batch& batch) { batch.npins = 0; }

    virtual status start() { return status::not_supported; }
    virtual status stop() { return status::not_supported; }
    virtual void get_stats(engine_stats& out) const = 0;

    // Only deliver events whose ppm_sc code is selected (index = PPM_SC_*). An empty vector
    // selects everything. Non-syscall events (procexit, scheduler, meta events) are always
    // delivered.
    virtual status set_selection(const std::vector<bool>& ppm_sc_selected) = 0;

    // Drop, before they are built, the syscall exit events that fail `pf` (see scap/prefilter.h;
    // an empty one turns pre-filtering off). Engines that cannot return not_supported and
    // deliver everything the selection lets through.
    virtual status set_prefilter(const prefilter&) { return status::not_supported; }

    // Processes (with fds), users, groups, interfaces and machine info known when the capture
    // began. For files this is complete once the first event has been returned (snapshot
    // blocks precede events).
    virtual const snapshot& get_snapshot() const = 0;
    // Frees the snapshot's processes (threads with their fds) once a consumer has taken what it
    // needs from them (libsinsp's state, see inspector_options::keep_engine_processes): with
    // tens of thousands of processes they are the bulk of the engine's memory. Machine info,
    // users, groups and interfaces stay.
    virtual void release_snapshot_processes() {}
    // The snapshot for a consumer that frees its processes' strings as it loads them, then
    // calls release_snapshot_processes(); nullptr when the engine does not allow it.
    virtual snapshot* snapshot_to_consume() { return nullptr; }

    // Buffers, BPF programs, stats and notes, for the health report (scap/diagnostics.h). The
    // base fills the name, stats and notes; live engines add what they run in the kernel.
    virtual void get_report(engine_report& out) const;

    const std::string& last_error() const { return m_last_error; }

    // Things the engine works around rather than fails on (a missing tracepoint, tracefs not
    // mountable, a capture-file block of an unknown type skipped): each said once, for the caller
    // to show. Live engines add theirs by the end of start(); the capture-file engine adds one
    // the first time next() skips something it does not know, so callers check for new ones
    // as they read (the vector only grows).
    const std::vector<std::string>& notes() const { return m_notes; }

  protected:
    std::string m_last_error;
    std::vector<std::string> m_notes;
};

}  // namespace scap
