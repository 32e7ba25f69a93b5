// The kmod engine's ring reader against rings laid out in plain memory, written by a test-side
// producer that follows the protocol of driver/kmod/kmod_abi.h (records 8-byte aligned, never
// wrapping; a pad record or, below KMOD_MIN_RECORD bytes, an implicit pad before the end).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "engines/kmod/ring_reader.h"
#include "scap/event.h"

namespace {

struct fake_ring {
    explicit fake_ring(uint64_t size) : data(size, 0xee), size(size) {}
    kmod_ring_prod prod{};
    kmod_ring_cons cons{};
    std::vector<uint8_t> data;
    uint64_t size;

    // Writes an event of `len` bytes (header included) with this timestamp; false when full.
    bool write(uint64_t ts, uint32_t len, uint64_t tid = 1) {
        const uint64_t rec = (len + 7) & ~7ull;
        uint64_t off = prod.head & (size - 1);
        uint64_t pad = size - off < rec ? size - off : 0;
        if (prod.head + pad + rec - cons.tail > size) return false;
        if (pad >= KMOD_MIN_RECORD) put_header(off, 0, static_cast<uint32_t>(pad), KMOD_PAD_TYPE, 0);
        if (pad) off = 0;
        put_header(off, ts, len, PPME_GENERIC_X, tid);
        prod.head += pad + rec;
        return true;
    }
    void put_header(uint64_t off, uint64_t ts, uint32_t len, uint16_t type, uint64_t tid) {
        uint8_t* p = data.data() + off;
        const uint32_t nparams = 0;
        std::memcpy(p, &ts, 8);
        std::memcpy(p + 8, &tid, 8);
        std::memcpy(p + 16, &len, 4);
        std::memcpy(p + 20, &type, 2);
        std::memcpy(p + 22, &nparams, 4);
    }
};

uint64_t ts_of(const uint8_t* e) {
    return scap::event_view(e).ts();
}

TEST(KmodRingReader, EmptyRingsGiveNothingAndNoError) {
    fake_ring a(4096), b(4096);
    scap::kmod::ring_reader r;
    r.add(&a.prod, &a.cons, a.data.data(), a.size);
    r.add(&b.prod, &b.cons, b.data.data(), b.size);
    uint32_t ring = 99;
    EXPECT_EQ(r.peek_oldest(ring), nullptr);
    EXPECT_TRUE(r.error().empty());
}

TEST(KmodRingReader, OldestFirstAcrossRingsInPlace) {
    fake_ring a(4096), b(4096);
    ASSERT_TRUE(a.write(10, 40));
    ASSERT_TRUE(a.write(30, 26));
    ASSERT_TRUE(b.write(20, 64));
    ASSERT_TRUE(b.write(40, 30));
    scap::kmod::ring_reader r;
    r.add(&a.prod, &a.cons, a.data.data(), a.size);
    r.add(&b.prod, &b.cons, b.data.data(), b.size);
    std::vector<uint64_t> seen;
    std::vector<uint32_t> rings;
    uint32_t ring = 0;
    const uint8_t* first = r.peek_oldest(ring);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first, a.data.data()) << "the event is handed out where the producer wrote it";
    for (const uint8_t* e = first; e; e = r.peek_oldest(ring)) {
        seen.push_back(ts_of(e));
        rings.push_back(ring);
        r.consume(ring);
    }
    EXPECT_EQ(seen, (std::vector<uint64_t>{10, 20, 30, 40}));
    EXPECT_EQ(rings, (std::vector<uint32_t>{0, 1, 0, 1}));
    // Drained: every byte is given back to the producers.
    EXPECT_EQ(a.cons.tail, a.prod.head);
    EXPECT_EQ(b.cons.tail, b.prod.head);
    EXPECT_TRUE(r.error().empty());
}

TEST(KmodRingReader, HeadStaysValidUntilTheNextConsume) {
    fake_ring a(4096);
    ASSERT_TRUE(a.write(1, 32));
    scap::kmod::ring_reader r;
    r.add(&a.prod, &a.cons, a.data.data(), a.size);
    uint32_t ring = 0;
    const uint8_t* e1 = r.peek_oldest(ring);
    const uint8_t* e2 = r.peek_oldest(ring);
    EXPECT_EQ(e1, e2);
    EXPECT_EQ(a.cons.tail, 0u) << "not released before consume()";
}

// Many laps over a small ring with sizes that leave every kind of gap before the end: explicit
// pad records, implicit pads (< KMOD_MIN_RECORD bytes) and exact fits. Nothing lost, in order.
TEST(KmodRingReader, WrapsOverPadsForManyLaps) {
    fake_ring a(1024);
    scap::kmod::ring_reader r;
    r.add(&a.prod, &a.cons, a.data.data(), a.size);
    const uint32_t sizes[] = {26, 100, 200, 33, 250, 61, 500, 40};
    uint64_t next_ts = 1, expect_ts = 1;
    size_t written = 0, read = 0;
    uint32_t ring = 0;
    for (int step = 0; step < 4000; ++step) {
        // Fill until full, then drain a few.
        while (a.write(next_ts, sizes[next_ts % 8])) {
            ++next_ts;
            ++written;
        }
        for (int k = 0; k < 3; ++k) {
            const uint8_t* e = r.peek_oldest(ring);
            if (!e) break;
            ASSERT_EQ(ts_of(e), expect_ts);
            ASSERT_EQ(scap::event_view(e).len(), sizes[expect_ts % 8]);
            ++expect_ts;
            ++read;
            r.consume(ring);
        }
        r.publish_all();
    }
    ASSERT_TRUE(r.error().empty()) << r.error();
    EXPECT_GT(read, 8000u);
    EXPECT_GT(a.prod.head, 100 * a.size) << "the test must wrap many times";
    EXPECT_LE(written - read, a.size / 32);
}

TEST(KmodRingReader, CorruptRecordIsAnErrorNotARead) {
    fake_ring a(4096);
    ASSERT_TRUE(a.write(5, 40));
    const uint32_t bad = 5000;  // longer than the ring
    std::memcpy(a.data.data() + 16, &bad, 4);
    scap::kmod::ring_reader r;
    r.add(&a.prod, &a.cons, a.data.data(), a.size);
    uint32_t ring = 0;
    EXPECT_EQ(r.peek_oldest(ring), nullptr);
    EXPECT_NE(r.error().find("does not fit"), std::string::npos) << r.error();
}

TEST(KmodRingReader, ProducerTooFarAheadIsAnError) {
    fake_ring a(4096);
    a.prod.head = 3 * a.size;
    scap::kmod::ring_reader r;
    r.add(&a.prod, &a.cons, a.data.data(), a.size);
    uint32_t ring = 0;
    EXPECT_EQ(r.peek_oldest(ring), nullptr);
    EXPECT_NE(r.error().find("more than a ring ahead"), std::string::npos) << r.error();
}

}  // namespace
