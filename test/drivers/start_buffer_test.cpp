// The modern eBPF engine's start buffer (events drained during the /proc scan): order, the
// ring each came from, alignment, the byte bound, and blocks released as they are handed out.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "engines/modern_bpf/start_buffer.h"

namespace {

using scap::modern_bpf::start_buffer;

// An event of len bytes whose every byte says which event it is.
std::vector<uint8_t> event(uint32_t len, uint8_t tag) {
    return std::vector<uint8_t>(len, tag);
}

TEST(StartBuffer, HandsEventsOutInOrderAcrossBlocks) {
    start_buffer b(64ull << 20);
    EXPECT_TRUE(b.empty());
    // Enough events, of sizes that do not divide a block, to fill several blocks; one larger
    // than a block gets its own.
    std::vector<uint32_t> lens;
    for (uint32_t i = 0; i < 3000; ++i) lens.push_back(100 + (i * 37) % 1900);
    lens[1500] = static_cast<uint32_t>(start_buffer::k_block_bytes + 123);
    for (uint32_t i = 0; i < lens.size(); ++i) {
        const auto e = event(lens[i], static_cast<uint8_t>(i));
        ASSERT_TRUE(b.push(e.data(), lens[i], static_cast<uint16_t>(i % 7)));
    }
    EXPECT_EQ(b.events(), lens.size());
    EXPECT_FALSE(b.empty());
    for (uint32_t i = 0; i < lens.size(); ++i) {
        uint16_t ring = 99;
        const uint8_t* got = b.pop(ring);
        ASSERT_NE(got, nullptr) << i;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(got) % 8, 0u) << i;
        EXPECT_EQ(ring, i % 7) << i;
        EXPECT_EQ(got[0], static_cast<uint8_t>(i)) << i;
        EXPECT_EQ(got[lens[i] - 1], static_cast<uint8_t>(i)) << i;
    }
    EXPECT_FALSE(b.empty());  // the last event stays valid until the next call
    uint16_t ring = 0;
    EXPECT_EQ(b.pop(ring), nullptr);
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.drops(), 0u);
    EXPECT_GT(b.peak_bytes(), start_buffer::k_block_bytes * 2);
}

TEST(StartBuffer, CountsDropsPastTheBound) {
    start_buffer b(4096);
    const auto e = event(1000, 1);
    int kept = 0;
    for (int i = 0; i < 10; ++i) kept += b.push(e.data(), 1000, 0) ? 1 : 0;
    // 8 bytes of record head and 8-byte rounding: four records of 1008 bytes fit in 4096.
    EXPECT_EQ(kept, 4);
    EXPECT_EQ(b.events(), 4u);
    EXPECT_EQ(b.drops(), 6u);
    EXPECT_LE(b.peak_bytes(), 4096u);
    uint16_t ring = 0;
    int popped = 0;
    while (b.pop(ring)) ++popped;
    EXPECT_EQ(popped, 4);
    // Once handed out and released, the bound applies to what is held again.
    EXPECT_TRUE(b.push(e.data(), 1000, 0));
}

}  // namespace
