// Anonymous memory for large, long-lived buffers (the prefetcher's chunk pool), backed by
// transparent huge pages where the kernel allows them.
//
// Why: the first touch of every 4 KiB page is a page fault, and on virtual machines a fault is
// expensive (about 20 us each on the paravirtualized VMs this project is tested on, against
// 0.3 us per 4 KiB when the same memory comes as one 2 MiB page). The chunk pool is about a
// thousand pages: faulting them in one by one delayed the first events of every replay by
// tens of milliseconds. The region is aligned to 2 MiB and advised MADV_HUGEPAGE, which works
// with the kernel's default THP policy ("madvise"); where THP is off the advice is ignored and
// the region behaves like any other allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace scap {

class huge_region {
  public:
    static constexpr size_t k_huge_page = 2 * 1024 * 1024;

    huge_region() = default;
    // Maps `bytes` (rounded up to whole 4 KiB pages), left uninitialised until first touched.
    // Throws std::bad_alloc when the mapping fails, as new[] would.
    explicit huge_region(size_t bytes);
    ~huge_region();
    huge_region(huge_region&& o) noexcept;
    huge_region& operator=(huge_region&& o) noexcept;
    huge_region(const huge_region&) = delete;
    huge_region& operator=(const huge_region&) = delete;

    uint8_t* data() const { return m_data; }
    size_t size() const { return m_size; }

  private:
    void release();
    uint8_t* m_data = nullptr;
    size_t m_size = 0;
    // The whole mapping, alignment slack included (what munmap needs).
    void* m_map = nullptr;
    size_t m_map_size = 0;
};

}  // namespace scap
