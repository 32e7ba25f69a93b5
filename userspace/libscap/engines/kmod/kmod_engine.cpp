// The kmod engine: the scap_kmod device configured through its ioctls (the shared rows compiled
// by engines/shared/fill_specs, the selection, the config), its per-CPU rings mapped and read in
// place by ring_reader, oldest event first across CPUs.
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "engines/kmod/module_loader.h"
#include "engines/kmod/ring_reader.h"
#include "engines/shared/fill_specs.h"
#include "kmod_abi.h"
#include "schema_version.h"
#include "scap/engine.h"
#include "scap/kmod.h"
#include "scap/proc_snapshot.h"
#include "scap/snapshot.h"

namespace scap {
namespace {

// How long next() waits for the kernel when every ring is empty before reporting timeout.
constexpr int k_wait_ms = 10;

std::string errno_text(int err) {
    return std::strerror(err);
}

// Non-syscall "syscalls" (tracepoints with a ppm_sc code): their own switches decide, whatever
// the selection (the engine contract always delivers non-syscall events).
bool is_tracepoint_sc(uint32_t sc) {
    return sc == PPM_SC_SCHED_PROCESS_EXIT || sc == PPM_SC_SCHED_SWITCH || sc == PPM_SC_PAGE_FAULT_USER ||
           sc == PPM_SC_PAGE_FAULT_KERNEL || sc == PPM_SC_SIGNAL_DELIVER;
}

class kmod_engine final : public engine {
  public:
    ~kmod_engine() override {
        for (const auto& m : m_maps) munmap(m.first, m.second);
        if (m_fd >= 0) close(m_fd);  // the module stops and frees everything on the last close
    }

    bool open(const kmod_options& opts, std::string& error) {
        m_opts = opts;
        if (!open_device(error)) return false;
        kmod_info info{};
        if (ioctl(m_fd, KMOD_IOCTL_GET_INFO, &info) != 0)
            return error = "KMOD_IOCTL_GET_INFO: " + errno_text(errno), false;
        if (info.api_version != KMOD_API_VERSION || info.event_max != PPM_EVENT_MAX ||
            info.ppm_sc_max != PPM_SC_MAX || info.schema_major != SCAP_SCHEMA_VERSION_MAJOR ||
            info.schema_minor != SCAP_SCHEMA_VERSION_MINOR)
            return error = "the loaded scap_kmod (api " + std::to_string(info.api_version) + ", schema " +
                           std::to_string(info.schema_major) + "." + std::to_string(info.schema_minor) +
                           ") does not match this libscap (api " + std::to_string(KMOD_API_VERSION) +
                           ", schema " SCAP_SCHEMA_VERSION_STRING
                           "): unload it (rmmod scap_kmod) and load the one "
                           "built from this tree",
                   false;
        kmod_config cfg{};
        cfg.buffer_bytes = opts.buffer_bytes;
        cfg.snaplen = opts.snaplen;
        if (opts.proc_exit) cfg.tracepoints |= KMOD_TP_PROC_EXIT;
        if (opts.sched_switch) cfg.tracepoints |= KMOD_TP_SCHED_SWITCH;
        if (opts.page_faults) cfg.tracepoints |= KMOD_TP_PAGE_FAULT;
        if (opts.signal_deliver) cfg.tracepoints |= KMOD_TP_SIGNAL_DELIVER;
        if (ioctl(m_fd, KMOD_IOCTL_SET_CONFIG, &cfg) != 0)
            return error =
                       "KMOD_IOCTL_SET_CONFIG (buffer_bytes " + std::to_string(opts.buffer_bytes) +
                       ": a power of two from 256 KiB to 1 GiB; snaplen at most 65000): " + errno_text(errno),
                   false;
        if (!send_tables(error)) return false;
        if (set_selection(opts.ppm_sc_selected) != status::ok) return error = m_last_error, false;
        if (ioctl(m_fd, KMOD_IOCTL_GET_INFO, &info) != 0)
            return error = "KMOD_IOCTL_GET_INFO: " + errno_text(errno), false;
        return map_rings(info, error);
    }

    std::string_view name() const override { return "kmod"; }

    status start() override {
        if (ioctl(m_fd, KMOD_IOCTL_START, 0) != 0) {
            m_last_error = "KMOD_IOCTL_START: " + errno_text(errno) + " (dmesg says which tracepoint failed)";
            return status::error;
        }
        // After the probes are in: a process that starts during the scan is seen by both
        // (harmless, the state layer replaces it), never by neither.
        if (m_opts.proc_snapshot && !m_snapshot_taken) {
            proc_snapshot_options o;
            o.scan_fds = m_opts.proc_snapshot_fds;
            o.processes_to = m_opts.processes_to;
            if (read_proc_snapshot(o, m_snap, m_last_error, m_snap_summary) != status::ok)
                return status::error;
            m_snapshot_taken = true;
        }
        return status::ok;
    }

    status stop() override {
        if (ioctl(m_fd, KMOD_IOCTL_STOP, 0) != 0) {
            m_last_error = "KMOD_IOCTL_STOP: " + errno_text(errno);
            return status::error;
        }
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
            if (!m_rings.error().empty()) {
                m_last_error = m_rings.error();
                return status::error;
            }
            m_rings.publish_all();
            pollfd p{m_fd, POLLIN, 0};
            poll(&p, 1, k_wait_ms);
            evt = m_rings.peek_oldest(ring);
            if (!evt)
                return m_rings.error().empty() ? status::timeout
                                               : (m_last_error = m_rings.error(), status::error);
        }
        m_has_current = true;
        m_current_ring = ring;
        out.hdr = reinterpret_cast<const event_header*>(evt);
        out.cpu = static_cast<uint16_t>(ring);
        out.flags = 0;
        ++m_delivered;
        return status::ok;
    }

    void get_stats(engine_stats& out) const override {
        out = engine_stats{};
        kmod_ring_prod sum{};
        for (const kmod_ring_prod* p : m_prods) {
            sum.n_evts += p->n_evts;
            sum.n_drops_buffer += p->n_drops_buffer;
            sum.n_drops_scratch += p->n_drops_scratch;
            sum.n_drops_pf += p->n_drops_pf;
            sum.n_drops_bug += p->n_drops_bug;
            sum.n_toctou_misses += p->n_toctou_misses;
            sum.n_compat += p->n_compat;
            sum.n_saved_full += p->n_saved_full;
            sum.n_bad_tail += p->n_bad_tail;
        }
        out.n_evts = m_delivered;
        out.n_drops_buffer = sum.n_drops_buffer;
        out.n_drops_scratch_map = sum.n_drops_scratch;
        out.n_drops_page_faults = sum.n_drops_pf;
        out.n_drops_bug = sum.n_drops_bug;
        // Page faults do not drop the event (the parameter is left empty): not in n_drops.
        out.n_drops = sum.n_drops_buffer + sum.n_drops_scratch + sum.n_drops_bug;
        out.extra.emplace_back("kernel_events", sum.n_evts);
        out.extra.emplace_back("toctou_exit_without_entry", sum.n_toctou_misses);
        out.extra.emplace_back("toctou_pool_full", sum.n_saved_full);
        out.extra.emplace_back("compat_syscalls_not_reported", sum.n_compat);
        out.extra.emplace_back("bad_consumer_positions", sum.n_bad_tail);
        for (size_t i = 0; i < m_prods.size(); ++i) {
            const std::string cpu = "cpu" + std::to_string(i) + ".";
            out.extra.emplace_back(cpu + "events", m_prods[i]->n_evts);
            out.extra.emplace_back(cpu + "drops_buffer", m_prods[i]->n_drops_buffer);
        }
        if (m_snapshot_taken) {
            out.extra.emplace_back("snapshot_processes", m_snap_summary.processes);
            out.extra.emplace_back("snapshot_threads", m_snap_summary.threads);
            out.extra.emplace_back("snapshot_fds", m_snap_summary.fds);
            out.extra.emplace_back("snapshot_vanished", m_snap_summary.vanished);
            out.extra.emplace_back("snapshot_duration_ns", m_snap_summary.duration_ns);
        }
    }

    status set_selection(const std::vector<bool>& sel) override {
        std::vector<uint8_t> bytes(PPM_SC_MAX);
        for (uint32_t sc = 0; sc < PPM_SC_MAX; ++sc)
            bytes[sc] = sel.empty() || is_tracepoint_sc(sc) || (sc < sel.size() && sel[sc]) ? 1 : 0;
        kmod_selection s{};
        s.sel = reinterpret_cast<uint64_t>(bytes.data());
        s.count = PPM_SC_MAX;
        if (ioctl(m_fd, KMOD_IOCTL_SET_SELECTION, &s) != 0) {
            m_last_error = "KMOD_IOCTL_SET_SELECTION: " + errno_text(errno);
            return status::error;
        }
        return status::ok;
    }

    const snapshot& get_snapshot() const override { return m_snap; }

  private:
    bool open_device(std::string& error) {
        std::string ko = m_opts.module_path;
        if (ko.empty() && std::getenv("SCAP_KMOD_PATH")) ko = std::getenv("SCAP_KMOD_PATH");
        if (access(m_opts.device.c_str(), F_OK) != 0 && !ko.empty()) {
            if (!kmod::load_module(ko, "", error)) return false;
            m_notes.push_back("loaded " + ko);
        }
        if (!kmod::ensure_device_node(m_opts.device, error)) return false;
        m_fd = ::open(m_opts.device.c_str(), O_RDWR | O_CLOEXEC);
        if (m_fd >= 0) return true;
        const int err = errno;
        if (err == EBUSY)
            error = m_opts.device +
                    " is busy: another capture has it open (the module serves one consumer at a time)";
        else if (err == ENXIO || err == ENODEV)
            error = m_opts.device + " has no driver behind it: the scap_kmod module is not loaded";
        else if (err == EACCES || err == EPERM)
            error = "no permission to open " + m_opts.device + " (root only)";
        else
            error = "cannot open " + m_opts.device + ": " + errno_text(err);
        return false;
    }

    bool send_tables(std::string& error) {
        if (!drivers::build_driver_tables(m_tables, error)) return false;
        std::vector<mbpf_syscall_entry> syscalls(MBPF_SYSCALL_SLOTS);
        for (uint32_t nr = 0; nr < MBPF_SYSCALL_SLOTS; ++nr)
            syscalls[nr] = drivers::syscall_entry(m_tables, nr);
        kmod_tables t{};
        t.specs = reinterpret_cast<uint64_t>(m_tables.specs.data());
        t.n_specs = static_cast<uint32_t>(m_tables.specs.size());
        t.spec_size = sizeof(mbpf_fill_spec);
        t.conv = reinterpret_cast<uint64_t>(&m_tables.conv[0][0]);
        t.conv_size = sizeof m_tables.conv;
        t.syscalls = reinterpret_cast<uint64_t>(syscalls.data());
        t.sockopt_kinds = reinterpret_cast<uint64_t>(m_tables.sockopt_kinds);
        t.o_f_created = m_tables.o_f_created;
        if (ioctl(m_fd, KMOD_IOCTL_SET_TABLES, &t) != 0)
            return error = "KMOD_IOCTL_SET_TABLES: " + errno_text(errno) +
                           (errno == EPROTO ? " (the module was built from another schema)" : ""),
                   false;
        return true;
    }

    void* map(uint64_t off, uint64_t len, int prot, std::string& error) {
        void* p = mmap(nullptr, len, prot, MAP_SHARED, m_fd, static_cast<off_t>(off));
        if (p == MAP_FAILED) {
            error = "mmap of " + m_opts.device + " at " + std::to_string(off) + ": " + errno_text(errno);
            return nullptr;
        }
        m_maps.emplace_back(p, len);
        return p;
    }

    bool map_rings(const kmod_info& info, std::string& error) {
        if (info.n_rings == 0) return error = "the module reports no rings after SET_CONFIG", false;
        for (uint32_t i = 0; i < info.n_rings; ++i) {
            const uint64_t base = i * info.ring_stride;
            auto* prod = static_cast<kmod_ring_prod*>(map(base, info.page_size, PROT_READ, error));
            auto* cons = prod ? static_cast<kmod_ring_cons*>(
                                    map(base + info.page_size, info.page_size, PROT_READ | PROT_WRITE, error))
                              : nullptr;
            auto* data = cons ? static_cast<const uint8_t*>(
                                    map(base + 2ull * info.page_size, info.buffer_bytes, PROT_READ, error))
                              : nullptr;
            if (!data) return false;
            m_rings.add(prod, cons, data, info.buffer_bytes);
            m_prods.push_back(prod);
        }
        return true;
    }

    kmod_options m_opts;
    int m_fd = -1;
    drivers::driver_tables m_tables;
    std::vector<std::pair<void*, uint64_t>> m_maps;
    std::vector<const kmod_ring_prod*> m_prods;
    kmod::ring_reader m_rings;
    snapshot m_snap;
    proc_snapshot_summary m_snap_summary;
    bool m_snapshot_taken = false;
    bool m_has_current = false;
    uint32_t m_current_ring = 0;
    uint64_t m_delivered = 0;
};

}  // namespace

std::unique_ptr<engine> open_kmod(const kmod_options& opts, std::string& error) {
    auto e = std::make_unique<kmod_engine>();
    if (!e->open(opts, error)) return nullptr;
    return e;
}

}  // namespace scap
