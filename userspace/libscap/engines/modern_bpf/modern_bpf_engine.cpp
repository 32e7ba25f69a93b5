// The modern_bpf engine: a loaded driver plus zero-copy reading of its ring buffers, always
// handing out the oldest event across buffers.
#include <string>

#include "engines/modern_bpf/driver.h"
#include "engines/modern_bpf/ring_reader.h"
#include "scap/engine.h"
#include "scap/modern_bpf.h"
#include "scap/proc_snapshot.h"
#include "scap/snapshot.h"

namespace scap {
namespace {

// How long next() waits for the kernel when every buffer is empty before reporting timeout.
constexpr int k_wait_ms = 10;

class modern_bpf_engine final : public engine {
  public:
    bool open(const modern_bpf_options& opts, std::string& error) {
        m_want_snapshot = opts.proc_snapshot;
        m_snapshot_fds = opts.proc_snapshot_fds;
        return m_driver.load(opts, m_rings, error);
    }

    std::string_view name() const override { return "modern_bpf"; }

    status start() override {
        if (!m_driver.attach(m_last_error)) return status::error;
        m_notes = m_driver.notes();
        // The snapshot is read after the programs are attached: a process that starts during the
        // scan is then seen by both (harmless: the state layer replaces it), never by neither.
        if (m_want_snapshot && !m_snapshot_taken) {
            proc_snapshot_options o;
            o.scan_fds = m_snapshot_fds;
            if (read_proc_snapshot(o, m_snap, m_last_error, m_snap_summary) != status::ok)
                return status::error;
            m_snapshot_taken = true;
        }
        return status::ok;
    }

    status stop() override {
        m_driver.detach();
        return status::ok;
    }

    status next(event_ref& out) override {
        if (m_has_current) {
            m_rings.consume(m_current_ring);
            m_has_current = false;
        }
        uint32_t ring = 0;
        const uint8_t* evt = m_rings.peek_oldest(ring);
        if (!evt) {
            m_rings.wait(k_wait_ms);
            evt = m_rings.peek_oldest(ring);
            if (!evt) return status::timeout;
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

    const snapshot& get_snapshot() const override { return m_snap; }
    snapshot* snapshot_to_consume() override { return &m_snap; }
    void release_snapshot_processes() override { m_snap.release_processes(); }

  private:
    // Declared first so it is destroyed last: the driver closes the ring fds its mappings use.
    modern_bpf::ring_reader m_rings;
    modern_bpf::driver m_driver;
    snapshot m_snap;
    proc_snapshot_summary m_snap_summary;
    bool m_want_snapshot = true;
    bool m_snapshot_fds = true;
    bool m_snapshot_taken = false;
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
