// The bpf (legacy eBPF) engine: a probe built for this kernel, loaded by probe_loader, its
// per-CPU perf buffers read in place by perf_rings, oldest event first across CPUs. Starting
// follows the modern engine (proposal 0006, "Starting without drops"): attach, then read the
// /proc snapshot while a thread drains the buffers into the start buffer.
#include <unistd.h>

#include <atomic>
#include <string>
#include <cstring>
#include <thread>

#include "engines/bpf/perf_rings.h"
#include "engines/bpf/probe_loader.h"
#include "engines/modern_bpf/start_buffer.h"
#include "scap/bpf.h"
#include "scap/engine.h"
#include "scap/proc_snapshot.h"
#include "scap/snapshot.h"

namespace scap {
namespace {

constexpr int k_wait_ms = 10;       // next(): wait for the kernel when every buffer is empty
constexpr int k_drain_wait_ms = 2;  // the drain during the /proc scan

class bpf_engine final : public engine {
  public:
    bool open(const bpf_options& opts, std::string& error) {
        m_want_snapshot = opts.proc_snapshot;
        m_snapshot_fds = opts.proc_snapshot_fds;
        m_processes_to = opts.processes_to;
        m_start = modern_bpf::start_buffer(opts.start_buffer_bytes);
        return m_probe.load(opts, m_rings, error);
    }

    std::string_view name() const override { return "bpf"; }

    status start() override {
        if (!m_want_snapshot || m_snapshot_taken)
            return m_probe.attach(m_last_error) ? status::ok : status::error;
        m_probe.ignore_process(static_cast<uint32_t>(getpid()));
        if (!m_probe.attach(m_last_error)) {
            m_probe.ignore_process(0);
            return status::error;
        }
        proc_snapshot_options o;
        o.scan_fds = m_snapshot_fds;
        o.processes_to = m_processes_to;
        std::atomic<bool> scanning{true};
        std::thread drain([&] {
            while (scanning.load(std::memory_order_acquire))
                if (!drain_rings()) m_rings.wait(k_drain_wait_ms);
        });
        const status st = read_proc_snapshot(o, m_snap, m_last_error, m_snap_summary);
        scanning.store(false, std::memory_order_release);
        drain.join();
        m_probe.ignore_process(0);
        if (st != status::ok) return status::error;
        m_snapshot_taken = true;
        return status::ok;
    }

    status stop() override {
        m_probe.detach();
        return status::ok;
    }

    status next(event_ref& out) override {
        if (!m_start.empty()) {
            uint16_t ring = 0;
            if (const uint8_t* evt = m_start.pop(ring)) return deliver(out, evt, ring);
        }
        if (m_has_current) {
            m_rings.consume(m_current_ring);
            m_has_current = false;
        }
        uint32_t ring = 0;
        const uint8_t* evt = m_rings.peek_oldest(ring);
        if (!evt) {
            if (!m_rings.error().empty()) return fail_corrupt();
            m_rings.wait(k_wait_ms);
            evt = m_rings.peek_oldest(ring);
            if (!evt) return m_rings.error().empty() ? status::timeout : fail_corrupt();
        }
        m_has_current = true;
        m_current_ring = ring;
        return deliver(out, evt, static_cast<uint16_t>(ring));
    }

    void get_stats(engine_stats& out) const override {
        out = engine_stats{};
        m_probe.read_stats(out);
        out.n_evts = m_delivered;
        out.n_drops_bug += m_rings.bad_events();
        out.n_drops += m_rings.bad_events();
        out.extra.emplace_back("invalid_perf_samples", m_rings.bad_events());
        // The kernel's own count of samples it could not write (the probe counts them as buffer drops).
        out.extra.emplace_back("perf_lost_samples", m_rings.lost_records());
        out.n_drops_buffer += m_start.drops();
        out.n_drops += m_start.drops();
        out.extra.emplace_back("start_buffer_events", m_start.events());
        out.extra.emplace_back("start_buffer_drops", m_start.drops());
        if (m_snapshot_taken) {
            out.extra.emplace_back("snapshot_processes", m_snap_summary.processes);
            out.extra.emplace_back("snapshot_threads", m_snap_summary.threads);
            out.extra.emplace_back("snapshot_fds", m_snap_summary.fds);
        }
    }

    status set_selection(const std::vector<bool>& ppm_sc_selected) override {
        return m_probe.set_selection(ppm_sc_selected, m_last_error) ? status::ok : status::error;
    }

    const snapshot& get_snapshot() const override { return m_snap; }
    snapshot* snapshot_to_consume() override { return &m_snap; }
    void release_snapshot_processes() override { m_snap.release_processes(); }

    void get_report(engine_report& out) const override {
        engine::get_report(out);
        out.ring_buffers = static_cast<uint32_t>(m_rings.size());
        m_probe.report(out);
    }

  private:
    status deliver(event_ref& out, const uint8_t* evt, uint16_t ring) {
        out.hdr = reinterpret_cast<const event_header*>(evt);
        out.cpu = ring;
        out.flags = 0;
        ++m_delivered;
        return status::ok;
    }

    status fail_corrupt() {
        m_last_error = m_rings.error();
        return status::error;
    }

    bool drain_rings() {
        bool any = false;
        uint32_t ring = 0;
        while (const uint8_t* evt = m_rings.peek_oldest(ring)) {
            const auto* h = reinterpret_cast<const event_header*>(evt);
            uint32_t len = 0;
            std::memcpy(&len, &h->len, sizeof len);
            m_start.push(evt, len, static_cast<uint16_t>(ring));
            m_rings.consume(ring);
            any = true;
        }
        return any;
    }

    // Declared first so it is destroyed last: the probe's perf event array holds the rings' fds.
    bpf::perf_rings m_rings;
    bpf::probe_loader m_probe;
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

std::unique_ptr<engine> open_bpf(const bpf_options& opts, std::string& error) {
    auto e = std::make_unique<bpf_engine>();
    if (!e->open(opts, error)) return nullptr;
    return e;
}

}  // namespace scap
