// The modern_bpf engine: a loaded driver plus zero-copy reading of its ring buffers, always
// handing out the oldest event across buffers.
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "engines/modern_bpf/driver.h"
#include "engines/modern_bpf/ring_reader.h"
#include "engines/modern_bpf/start_buffer.h"
#include "scap/diagnostics.h"
#include "scap/engine.h"
#include "scap/modern_bpf.h"
#include "scap/proc_snapshot.h"
#include "scap/snapshot.h"

namespace scap {
namespace {

// How long next() waits for the kernel when every buffer is empty before reporting timeout.
constexpr int k_wait_ms = 10;
// How long the drain during the /proc scan sleeps when the buffers are empty: short, so a burst
// never fills a buffer between two looks (8 MiB at ~100 MB/s of events is 80 ms).
constexpr int k_drain_wait_ms = 2;

class modern_bpf_engine final : public engine {
  public:
    bool open(const modern_bpf_options& opts, std::string& error) {
        m_want_snapshot = opts.proc_snapshot;
        m_snapshot_fds = opts.proc_snapshot_fds;
        m_processes_to = opts.processes_to;
        m_start = modern_bpf::start_buffer(opts.start_buffer_bytes);
        return m_driver.load(opts, m_rings, error);
    }

    std::string_view name() const override { return "modern_bpf"; }

    // Starting without drops and without a gap in the state (proposal 0006, "Starting without
    // drops"): the programs are attached first, so every event from then on is captured, and
    // the snapshot is read afterwards, so nothing that happens before the scan reaches it is
    // missed by both. While the scan runs, a thread drains the buffers into userspace memory
    // (the scan of a busy machine takes seconds, the buffers fill in a fraction of that), and
    // the kernel skips this process's own syscalls (the scan makes hundreds of thousands).
    // next() then hands out the drained events first: the state layer applies them on top of
    // the snapshot, where events the scan already reflects change nothing.
    status start() override {
        if (!m_want_snapshot || m_snapshot_taken) {
            if (!m_driver.attach(m_last_error)) return status::error;
            m_notes = m_driver.notes();
            return status::ok;
        }
        m_driver.ignore_process(static_cast<uint32_t>(getpid()));
        if (!m_driver.attach(m_last_error)) {
            m_driver.ignore_process(0);
            return status::error;
        }
        m_notes = m_driver.notes();
        proc_snapshot_options o;
        o.scan_fds = m_snapshot_fds;
        o.processes_to = m_processes_to;
        std::atomic<bool> scanning{true};
        std::thread drain([&] {
            while (scanning.load(std::memory_order_acquire)) {
                if (!drain_rings()) m_rings.wait(k_drain_wait_ms);
            }
        });
        const status st = read_proc_snapshot(o, m_snap, m_last_error, m_snap_summary);
        scanning.store(false, std::memory_order_release);
        drain.join();
        m_driver.ignore_process(0);
        if (st != status::ok) return status::error;
        m_snapshot_taken = true;
        return status::ok;
    }

    status stop() override {
        m_driver.detach();
        return status::ok;
    }

    status next(event_ref& out) override {
        if (!m_start.empty()) {
            uint16_t ring = 0;
            if (const uint8_t* evt = m_start.pop(ring)) {
                out.hdr = reinterpret_cast<const event_header*>(evt);
                out.cpu = ring;
                out.flags = 0;
                ++m_delivered;
                return status::ok;
            }
        }
        if (m_has_current) {
            m_rings.consume(m_current_ring);
            m_has_current = false;
        }
        uint32_t ring = 0;
        const uint8_t* evt = m_rings.peek_oldest(ring);
        if (!evt) {
            if (!m_rings.error().empty()) return fail_corrupt_ring();
            m_rings.wait(k_wait_ms);
            evt = m_rings.peek_oldest(ring);
            if (!evt) return m_rings.error().empty() ? status::timeout : fail_corrupt_ring();
        }
        m_has_current = true;
        m_current_ring = ring;
        out.hdr = reinterpret_cast<const event_header*>(evt);
        out.cpu = static_cast<uint16_t>(ring);  // the buffer index (== CPU with one CPU per buffer)
        out.flags = 0;
        ++m_delivered;
        return status::ok;
    }

    void get_stats(engine_stats& out) const override {
        out = engine_stats{};
        m_driver.read_stats(out);
        out.n_evts = m_delivered;
        // Records holding no valid event were written by a driver bug: drops of that cause.
        out.n_drops_bug += m_rings.bad_events();
        out.n_drops += m_rings.bad_events();
        out.extra.emplace_back("invalid_ring_records", m_rings.bad_events());
        // Events the start buffer could not hold are lost like a full ring's.
        out.n_drops_buffer += m_start.drops();
        out.n_drops += m_start.drops();
        out.extra.emplace_back("start_buffer_events", m_start.events());
        out.extra.emplace_back("start_buffer_drops", m_start.drops());
        out.extra.emplace_back("start_buffer_peak_bytes", m_start.peak_bytes());
        if (m_snapshot_taken) {
            out.extra.emplace_back("snapshot_processes", m_snap_summary.processes);
            out.extra.emplace_back("snapshot_threads", m_snap_summary.threads);
            out.extra.emplace_back("snapshot_fds", m_snap_summary.fds);
            out.extra.emplace_back("snapshot_vanished", m_snap_summary.vanished);
            out.extra.emplace_back("snapshot_duration_ns", m_snap_summary.duration_ns);
        }
    }

    status set_selection(const std::vector<bool>& ppm_sc_selected) override {
        return m_driver.set_selection(ppm_sc_selected, m_last_error) ? status::ok : status::error;
    }

    status set_prefilter(const prefilter& pf) override {
        return m_driver.set_prefilter(pf, m_last_error) ? status::ok : status::error;
    }

    const snapshot& get_snapshot() const override { return m_snap; }
    snapshot* snapshot_to_consume() override { return &m_snap; }
    void release_snapshot_processes() override { m_snap.release_processes(); }

    void get_report(engine_report& out) const override {
        engine::get_report(out);
        m_driver.report(out);
    }

  private:
    status fail_corrupt_ring() {
        m_last_error = m_rings.error();
        return status::error;
    }

    // Moves every event the buffers hold into the start buffer; false when there was none.
    bool drain_rings() {
        bool any = false;
        uint32_t ring = 0;
        while (const uint8_t* evt = m_rings.peek_oldest(ring)) {
            const auto* h = reinterpret_cast<const event_header*>(evt);
            m_start.push(evt, h->len, static_cast<uint16_t>(ring));
            m_rings.consume(ring);
            any = true;
        }
        return any;
    }

    // Declared first so it is destroyed last: the driver closes the ring fds its mappings use.
    modern_bpf::ring_reader m_rings;
    modern_bpf::driver m_driver;
    snapshot m_snap;
    proc_snapshot_summary m_snap_summary;
    bool m_want_snapshot = true;
    bool m_snapshot_fds = true;
    snapshot_sink* m_processes_to = nullptr;
    bool m_snapshot_taken = false;
    modern_bpf::start_buffer m_start{0};
    bool m_has_current = false;
    uint32_t m_current_ring = 0;
    uint64_t m_delivered = 0;
};

}  // namespace

std::unique_ptr<engine> open_modern_bpf(const modern_bpf_options& opts, std::string& error) {
    auto e = std::make_unique<modern_bpf_engine>();
    if (!e->open(opts, error)) return nullptr;
    return e;
}

}  // namespace scap
