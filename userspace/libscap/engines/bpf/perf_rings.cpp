#include "engines/bpf/perf_rings.h"

#include <bpf/bpf.h>
#include <linux/perf_event.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "scap/event.h"

namespace scap::bpf {
namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

// CPUs the kernel has online ("0-3,6"): the perf events of offline CPUs cannot be opened.
std::vector<uint32_t> online_cpus() {
    std::vector<uint32_t> out;
    std::ifstream in("/sys/devices/system/cpu/online");
    std::string list;
    std::getline(in, list);
    size_t pos = 0;
    while (pos < list.size()) {
        size_t end = list.find(',', pos);
        if (end == std::string::npos) end = list.size();
        const std::string part = list.substr(pos, end - pos);
        const size_t dash = part.find('-');
        try {
            const uint32_t lo = static_cast<uint32_t>(std::stoul(part.substr(0, dash)));
            const uint32_t hi =
                dash == std::string::npos ? lo : static_cast<uint32_t>(std::stoul(part.substr(dash + 1)));
            for (uint32_t c = lo; c <= hi && c < 4096; ++c) out.push_back(c);
        } catch (...) {
            return {};
        }
        pos = end + 1;
    }
    return out;
}

constexpr uint32_t k_stage_bytes = 64 * 1024;  // the largest event the probe sends (MBPF_SCRATCH_HALF) fits

}  // namespace

perf_rings::~perf_rings() {
    for (ring& r : m_rings) {
        if (r.base) munmap(r.base, r.map_len);
        if (r.fd >= 0) close(r.fd);
    }
    if (m_epoll >= 0) close(m_epoll);
}

bool perf_rings::open(int map_fd, uint64_t data_bytes, std::string& error) {
    m_page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    if (data_bytes < m_page || (data_bytes & (data_bytes - 1)) != 0)
        return error = "perf buffer size must be a power of two of at least one page", false;
    const std::vector<uint32_t> cpus = online_cpus();
    if (cpus.empty()) return error = "cannot read the online CPUs (/sys/devices/system/cpu/online)", false;
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) return error = "epoll_create1: " + errno_text(errno), false;
    m_rings.reserve(cpus.size());
    for (uint32_t cpu : cpus) {
        perf_event_attr attr{};
        attr.size = sizeof attr;
        attr.type = PERF_TYPE_SOFTWARE;
        attr.config = PERF_COUNT_SW_BPF_OUTPUT;
        attr.sample_type = PERF_SAMPLE_RAW;
        attr.sample_period = 1;
        // Woken when a quarter is full, not per event; next() also polls every few ms.
        attr.watermark = 1;
        attr.wakeup_watermark = static_cast<uint32_t>(data_bytes / 4);
        const int fd = static_cast<int>(
            syscall(__NR_perf_event_open, &attr, -1, static_cast<int>(cpu), -1, PERF_FLAG_FD_CLOEXEC));
        if (fd < 0)
            return error =
                       "perf_event_open (BPF output, cpu " + std::to_string(cpu) + "): " + errno_text(errno),
                   false;
        ring r;
        r.fd = fd;
        r.cpu = cpu;
        r.map_len = m_page + data_bytes;
        void* p = mmap(nullptr, r.map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            close(fd);
            return error =
                       "cannot map the perf buffer of cpu " + std::to_string(cpu) + ": " + errno_text(err) +
                       (err == EPERM ? " (over the perf_event_mlock_kb allowance; the engine never raises "
                                       "RLIMIT_MEMLOCK: use smaller buffers or CAP_IPC_LOCK)"
                                     : ""),
                   false;
        }
        r.base = static_cast<uint8_t*>(p);
        r.mask = data_bytes - 1;
        r.stage.resize(k_stage_bytes);
        m_rings.push_back(std::move(r));
        ring& added = m_rings.back();
        if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0)
            return error = "cannot enable the perf event: " + errno_text(errno), false;
        int key = static_cast<int>(cpu);
        if (bpf_map_update_elem(map_fd, &key, &fd, BPF_ANY) != 0)
            return error = "cannot store the perf buffer of cpu " + std::to_string(cpu) + ": " +
                           errno_text(errno),
                   false;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = static_cast<uint32_t>(m_rings.size() - 1);
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, added.fd, &ev) != 0)
            return error = "epoll_ctl: " + errno_text(errno), false;
    }
    return true;
}

void perf_rings::publish(ring& r) {
    auto* meta = reinterpret_cast<perf_event_mmap_page*>(r.base);
    __atomic_store_n(&meta->data_tail, r.tail, __ATOMIC_RELEASE);
    r.published = r.tail;
}

// The head event of `r`, skipping lost-record notes and other record types; nullptr when empty.
const uint8_t* perf_rings::head_of(ring& r) {
    if (r.evt) return r.evt;
    if (r.broken) return nullptr;
    auto* meta = reinterpret_cast<perf_event_mmap_page*>(r.base);
    const uint8_t* data = r.base + m_page;
    const uint64_t size = r.mask + 1;
    for (;;) {
        if (r.tail == r.head) {
            r.head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
            if (r.tail == r.head) {
                if (r.published != r.tail) publish(r);
                return nullptr;
            }
        }
        const uint64_t avail = r.head - r.tail;
        perf_event_header h{};
        const uint64_t off = r.tail & r.mask;
        // Record headers are 8-byte aligned in a power-of-two buffer: never split.
        std::memcpy(&h, data + off, sizeof h);
        if (h.size < sizeof h || (h.size & 7) != 0 || h.size > avail) {
            r.broken = true;
            m_error = "perf buffer of cpu " + std::to_string(r.cpu) + ": record of " +
                      std::to_string(h.size) + " bytes at position " + std::to_string(r.tail) +
                      " does not fit the framing";
            return nullptr;
        }
        if (h.type != PERF_RECORD_SAMPLE) {
            if (h.type == PERF_RECORD_LOST && h.size >= sizeof h + 16) {
                uint64_t lost = 0;
                const uint64_t at = (off + sizeof h + 8) & r.mask;
                if (at + 8 <= size) std::memcpy(&lost, data + at, 8);
                m_lost += lost;
            }
            r.tail += h.size;
            continue;
        }
        // PERF_SAMPLE_RAW: u32 size, then the bytes the probe sent (padded to 8-byte alignment).
        const uint8_t* rec = data + off;
        if (off + h.size > size) {
            // Wraps around the end: one copy into the staging area.
            if (h.size > r.stage.size()) {
                r.tail += h.size;
                ++m_bad;
                continue;
            }
            const uint64_t first = size - off;
            std::memcpy(r.stage.data(), data + off, first);
            std::memcpy(r.stage.data() + first, data, h.size - first);
            rec = r.stage.data();
        }
        uint32_t raw = 0;
        std::memcpy(&raw, rec + sizeof h, sizeof raw);
        const uint8_t* evt = rec + sizeof h + sizeof raw;
        uint32_t len = 0;
        if (raw >= k_event_header_size && raw <= h.size - sizeof h - sizeof raw)
            std::memcpy(&len, evt + offsetof(event_header, len), sizeof len);
        if (len < k_event_header_size || len > raw) {
            r.tail += h.size;
            ++m_bad;
            continue;
        }
        r.evt = evt;
        r.rec_len = h.size;
        return evt;
    }
}

const uint8_t* perf_rings::peek_oldest(uint32_t& ring_index) {
    const uint8_t* best = nullptr;
    uint64_t best_ts = 0;
    for (uint32_t i = 0; i < m_rings.size(); ++i) {
        const uint8_t* e = head_of(m_rings[i]);
        if (!e) continue;
        uint64_t ts = 0;
        std::memcpy(&ts, e + offsetof(event_header, ts), sizeof ts);
        if (!best || ts < best_ts) {
            best = e;
            best_ts = ts;
            ring_index = i;
        }
    }
    return best;
}

void perf_rings::consume(uint32_t ring_index) {
    if (ring_index >= m_rings.size()) return;
    ring& r = m_rings[ring_index];
    if (!r.evt) return;
    r.tail += r.rec_len;
    r.evt = nullptr;
    r.rec_len = 0;
    // Published in batches (the producer reads data_tail on every event); always when drained.
    if (r.tail - r.published >= (r.mask + 1) / 16) publish(r);
}

void perf_rings::wait(int timeout_ms) {
    for (ring& r : m_rings)
        if (r.published != r.tail) publish(r);
    epoll_event evs[16];
    epoll_wait(m_epoll, evs, 16, timeout_ms);
}

}  // namespace scap::bpf
