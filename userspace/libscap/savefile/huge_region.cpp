#include "savefile/huge_region.h"

#include <sys/mman.h>

#include <new>
#include <utility>

namespace scap {

huge_region::huge_region(size_t bytes) {
    const size_t page = 4096;
    m_size = (bytes + page - 1) / page * page;
    if (m_size == 0) return;
    // Over-allocate by one huge page so a 2 MiB-aligned start fits; the slack is never touched,
    // so it costs address space only.
    m_map_size = m_size + k_huge_page;
    m_map = mmap(nullptr, m_map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m_map == MAP_FAILED) {
        m_map = nullptr;
        throw std::bad_alloc();
    }
    const uintptr_t start = reinterpret_cast<uintptr_t>(m_map);
    const uintptr_t aligned = (start + k_huge_page - 1) & ~(uintptr_t{k_huge_page} - 1);
    m_data = reinterpret_cast<uint8_t*>(aligned);
    // Best effort: EINVAL (a kernel without THP) leaves ordinary pages, which still work.
    madvise(m_data, m_size, MADV_HUGEPAGE);
}

huge_region::~huge_region() {
    release();
}

huge_region::huge_region(huge_region&& o) noexcept
    : m_data(std::exchange(o.m_data, nullptr)),
      m_size(std::exchange(o.m_size, 0)),
      m_map(std::exchange(o.m_map, nullptr)),
      m_map_size(std::exchange(o.m_map_size, 0)) {}

huge_region& huge_region::operator=(huge_region&& o) noexcept {
    if (this != &o) {
        release();
        m_data = std::exchange(o.m_data, nullptr);
        m_size = std::exchange(o.m_size, 0);
        m_map = std::exchange(o.m_map, nullptr);
        m_map_size = std::exchange(o.m_map_size, 0);
    }
    return *this;
}

void huge_region::release() {
    if (m_map) munmap(m_map, m_map_size);
    m_map = nullptr;
    m_data = nullptr;
    m_size = m_map_size = 0;
}

}  // namespace scap
