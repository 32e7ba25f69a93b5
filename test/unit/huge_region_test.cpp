// The prefetcher's chunk memory (savefile/huge_region.h): aligned to a huge page, advised for
// transparent huge pages, writable end to end, and handed over whole by a move.
#include "savefile/huge_region.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace {

// The smaps block of the mapping that contains `p` ("" when none does).
std::string smaps_of(const void* p) {
    std::ifstream in("/proc/self/smaps");
    const uintptr_t addr = reinterpret_cast<uintptr_t>(p);
    std::string line, block;
    bool inside = false;
    while (std::getline(in, line)) {
        uintptr_t lo = 0, hi = 0;
        char dash = 0;
        std::istringstream head(line);
        // A mapping's first line is "lo-hi perms ...": hex range, then fields.
        if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
            if (inside) return block;
            inside = addr >= lo && addr < hi;
            block.clear();
        }
        if (inside) block += line + "\n";
    }
    return inside ? block : std::string();
}

// The kernel's THP policy: "always", "madvise" or "never" (the bracketed word), "" if unknown.
std::string thp_policy() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string all;
    std::getline(in, all);
    const size_t open = all.find('['), close = all.find(']');
    return open == std::string::npos || close == std::string::npos ? ""
                                                                   : all.substr(open + 1, close - open - 1);
}

TEST(HugeRegion, IsAlignedToAHugePageAndWritableToItsEnd) {
    const size_t want = 4 * (1024 * 1024) + 100;
    scap::huge_region r(want);
    ASSERT_NE(r.data(), nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r.data()) % scap::huge_region::k_huge_page, 0u);
    EXPECT_EQ(r.size() % 4096, 0u);
    EXPECT_GE(r.size(), want);
    std::memset(r.data(), 0xa5, r.size());
    EXPECT_EQ(r.data()[0], 0xa5);
    EXPECT_EQ(r.data()[r.size() - 1], 0xa5);
}

TEST(HugeRegion, IsAdvisedForHugePagesWhereTheKernelOffersThem) {
    const std::string policy = thp_policy();
    if (policy != "madvise" && policy != "always")
        GTEST_SKIP() << "transparent huge pages are '" << policy << "' on this kernel: nothing to advise";
    scap::huge_region r(4 * 1024 * 1024);
    const std::string smaps = smaps_of(r.data());
    ASSERT_FALSE(smaps.empty()) << "the region's mapping is not in /proc/self/smaps";
    // "hg" in VmFlags is the MADV_HUGEPAGE advice itself; THPeligible says the mapping may get
    // huge pages. Whether the kernel finds free 2 MiB pages at fault time is up to its memory.
    const size_t flags = smaps.find("VmFlags:");
    ASSERT_NE(flags, std::string::npos) << smaps;
    EXPECT_NE(smaps.find(" hg", flags), std::string::npos) << smaps;
    const size_t eligible = smaps.find("THPeligible:");
    ASSERT_NE(eligible, std::string::npos) << smaps;
    EXPECT_EQ(std::stoi(smaps.substr(eligible + 12)), 1) << smaps;
}

TEST(HugeRegion, MoveHandsTheMappingOver) {
    scap::huge_region a(1024 * 1024);
    uint8_t* const p = a.data();
    a.data()[10] = 42;
    scap::huge_region b(std::move(a));
    EXPECT_EQ(a.data(), nullptr);
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(b.data(), p);
    EXPECT_EQ(b.data()[10], 42);
    scap::huge_region c;
    c = std::move(b);
    EXPECT_EQ(b.data(), nullptr);
    EXPECT_EQ(c.data()[10], 42);
}

}  // namespace
