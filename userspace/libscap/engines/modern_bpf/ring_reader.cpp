#include "engines/modern_bpf/ring_reader.h"

#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "scap/event.h"

namespace scap::modern_bpf {
namespace {

// Record header flags (kernel ABI: include/uapi/linux/bpf.h).
constexpr uint32_t k_busy = 1u << 31;
constexpr uint32_t k_discard = 1u << 30;
constexpr uint32_t k_record_header = 8;

uint64_t load_acquire(const uint8_t* p) {
    return __atomic_load_n(reinterpret_cast<const uint64_t*>(p), __ATOMIC_ACQUIRE);
}

}  // namespace

ring_reader::~ring_reader() {
    for (ring& r : m_rings) {
        if (r.consumer_page) munmap(r.consumer_page, m_page);
        if (r.producer_page) munmap(r.producer_page, r.map_len);
    }
    if (m_epoll >= 0) close(m_epoll);
}

bool ring_reader::add(int fd, uint64_t size, std::string& error) {
    m_page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    if (m_epoll < 0) m_epoll = epoll_create1(EPOLL_CLOEXEC);
    ring r;
    r.fd = fd;
    r.mask = size - 1;
    void* c = mmap(nullptr, m_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (c == MAP_FAILED)
        return error = std::string("mmap of ring buffer consumer page: ") + strerror(errno), false;
    r.consumer_page = static_cast<uint8_t*>(c);
    // The data area is mapped twice in a row, so a record that wraps reads as contiguous.
    r.map_len = m_page + 2 * size;
    void* p = mmap(nullptr, r.map_len, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(m_page));
    if (p == MAP_FAILED) {
        munmap(c, m_page);
        return error = std::string("mmap of ring buffer data: ") + strerror(errno), false;
    }
    r.producer_page = static_cast<uint8_t*>(p);
    r.cons = r.published = load_acquire(r.consumer_page);
    // Small against the wake-up threshold (a quarter of the buffer), large against one event.
    r.batch = std::min<uint64_t>(size / 16, 256 * 1024);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(m_rings.size());
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    m_rings.push_back(r);
    return true;
}

void ring_reader::publish(ring& r) {
    if (r.published == r.cons) return;
    __atomic_store_n(reinterpret_cast<uint64_t*>(r.consumer_page), r.cons, __ATOMIC_RELEASE);
    r.published = r.cons;
}

const uint8_t* ring_reader::head_of(ring& r) {
    if (r.head) return r.head;
    const uint8_t* data = r.producer_page + m_page;
    for (;;) {
        if (r.cons >= r.prod) {
            r.prod = load_acquire(r.producer_page);
            if (r.cons >= r.prod) {
                publish(r);  // drained: give the producer all the space back
                return nullptr;
            }
        }
        const uint8_t* rec = data + (r.cons & r.mask);
        const uint32_t len = __atomic_load_n(reinterpret_cast<const uint32_t*>(rec), __ATOMIC_ACQUIRE);
        if (len & k_busy) {  // reserved, not yet committed
            publish(r);
            return nullptr;
        }
        const uint64_t total =
            (static_cast<uint64_t>(len & ~(k_busy | k_discard)) + k_record_header + 7) & ~7ull;
        if (len & k_discard) {
            r.cons += total;
            continue;
        }
        r.head = rec + k_record_header;
        r.head_len = total;
        return r.head;
    }
}

const uint8_t* ring_reader::peek_oldest(uint32_t& which) {
    const uint8_t* best = nullptr;
    uint64_t best_ts = UINT64_MAX;
    bool some_empty = false;
    const auto consider = [&](uint32_t i) {
        const uint8_t* h = head_of(m_rings[i]);
        if (!h) return false;
        uint64_t ts;
        std::memcpy(&ts, h + offsetof(event_header, ts), sizeof ts);
        if (ts < best_ts) {
            best_ts = ts;
            best = h;
            which = i;
        }
        return true;
    };
    for (uint32_t i = 0; i < m_rings.size(); ++i) some_empty |= !consider(i);
    // The rings are looked at one after the other: a ring found empty may have received an
    // event since, older than the best one found later in another ring. A thread that moved to
    // another CPU is the case that matters: its event in the first ring was committed before
    // its next event in the second one began, so looking again now, after that second event
    // was seen, finds it. Without this the reader could hand out a thread's procexit before its
    // last syscall, and the state would make the thread up again (a leak of "incomplete"
    // threads). Only rings found empty are looked at again: with every ring busy this costs
    // nothing.
    if (some_empty && best)
        for (uint32_t i = 0; i < m_rings.size(); ++i)
            if (!m_rings[i].head) consider(i);
    return best;
}

void ring_reader::consume(uint32_t which) {
    ring& r = m_rings[which];
    if (!r.head) return;
    r.cons += r.head_len;
    if (r.cons - r.published >= r.batch) publish(r);
    r.head = nullptr;
    r.head_len = 0;
}

void ring_reader::wait(int timeout_ms) {
    for (ring& r : m_rings) publish(r);
    epoll_event evs[8];
    epoll_wait(m_epoll, evs, 8, timeout_ms);
}

}  // namespace scap::modern_bpf
