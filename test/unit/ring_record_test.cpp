// read_ring_record: the live reader's check of each BPF ring record, on rings laid out by hand
// as the kernel writes them (8-byte record headers, 8-byte alignment, the data area twice).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "engines/modern_bpf/ring_record.h"
#include "event_builder.h"

namespace mb = scap::modern_bpf;
using scap::test::bytes;
using scap::test::event_builder;

namespace {

constexpr uint64_t k_size = 256;

// A ring of k_size bytes, its data area mapped twice in a row like the kernel's.
struct fake_ring {
    std::vector<uint8_t> area = std::vector<uint8_t>(2 * k_size);
    uint64_t prod = 0;

    // Writes a record at the producer position (length word with flags, payload), returns its start.
    uint64_t put(const bytes& payload, uint32_t flags = 0, uint32_t reserve = 0) {
        const uint64_t at = prod;
        const uint32_t plen = reserve ? reserve : static_cast<uint32_t>(payload.size());
        const uint32_t word = plen | flags;
        bytes rec((plen + 8 + 7) & ~7u);
        std::memcpy(rec.data(), &word, 4);
        std::memcpy(rec.data() + 8, payload.data(), payload.size());
        for (size_t i = 0; i < rec.size(); ++i) area[(at + i) % k_size] = rec[i];
        std::memcpy(area.data() + k_size, area.data(), k_size);
        prod += rec.size();
        return at;
    }
    mb::ring_record read(uint64_t cons) const {
        return mb::read_ring_record(area.data(), k_size, cons, prod);
    }
};

bytes close_event() {
    return event_builder(PPME_SYSCALL_CLOSE_X, 7).num<int64_t>(0).num<int64_t>(3).build();
}

}  // namespace

TEST(RingRecord, EmptyWhenConsumerCaughtUp) {
    fake_ring r;
    EXPECT_EQ(r.read(0).kind, mb::record_kind::empty);
    r.put(close_event());
    EXPECT_EQ(r.read(r.prod).kind, mb::record_kind::empty);
}

TEST(RingRecord, EventAndItsLength) {
    fake_ring r;
    const bytes ev = close_event();
    r.put(ev);
    const mb::ring_record rec = r.read(0);
    ASSERT_EQ(rec.kind, mb::record_kind::event);
    EXPECT_EQ(rec.event_len, ev.size());
    EXPECT_EQ(rec.total, (ev.size() + 8 + 7) & ~size_t{7});
    EXPECT_EQ(std::memcmp(rec.event, ev.data(), ev.size()), 0);
}

TEST(RingRecord, FixedSizeReservationLargerThanTheEvent) {
    fake_ring r;
    const bytes ev = close_event();
    r.put(ev, 0, 96);
    const mb::ring_record rec = r.read(0);
    ASSERT_EQ(rec.kind, mb::record_kind::event);
    EXPECT_EQ(rec.event_len, ev.size());
    EXPECT_EQ(rec.total, 104u);
}

TEST(RingRecord, DiscardedRecordIsSkippedWhole) {
    fake_ring r;
    r.put(bytes(100), mb::k_ring_discard);
    const mb::ring_record rec = r.read(0);
    EXPECT_EQ(rec.kind, mb::record_kind::discarded);
    EXPECT_EQ(rec.total, 112u);
}

TEST(RingRecord, WrappingRecordReadsContiguously) {
    fake_ring r;
    r.prod = 232;  // the consumer has read up to here: the next record wraps at 256
    const bytes ev = close_event();
    const uint64_t at = r.put(ev);
    ASSERT_GT(at % k_size + ev.size(), k_size);
    const mb::ring_record rec = r.read(at);
    ASSERT_EQ(rec.kind, mb::record_kind::event);
    EXPECT_EQ(std::memcmp(rec.event, ev.data(), ev.size()), 0);
}

TEST(RingRecord, BusyRecordIsNotReadYet) {
    fake_ring r;
    r.put(close_event(), mb::k_ring_busy);
    EXPECT_EQ(r.read(0).kind, mb::record_kind::busy);
}

TEST(RingRecord, GarbageLengthPastTheProducerIsCorrupt) {
    fake_ring r;
    r.put(close_event());
    const uint32_t garbage = 0x3fffff00;
    std::memcpy(r.area.data(), &garbage, 4);
    const mb::ring_record rec = r.read(0);
    EXPECT_EQ(rec.kind, mb::record_kind::corrupt);
    EXPECT_STREQ(rec.error, "record length runs past the producer position");
}

TEST(RingRecord, ProducerMoreThanOneRingAheadIsCorrupt) {
    fake_ring r;
    r.put(close_event());
    const mb::ring_record rec = mb::read_ring_record(r.area.data(), k_size, 0, k_size + 8);
    EXPECT_EQ(rec.kind, mb::record_kind::corrupt);
    EXPECT_EQ(mb::read_ring_record(r.area.data(), k_size, 0, 12).kind,
              mb::record_kind::corrupt);  // unaligned
}

TEST(RingRecord, PayloadThatIsNoEventIsSkippedWithItsReason) {
    fake_ring r;
    bytes ev = close_event();
    const uint32_t too_long = static_cast<uint32_t>(ev.size() + 40);  // event length past its record
    std::memcpy(ev.data() + offsetof(scap::event_header, len), &too_long, 4);
    r.put(ev);
    const mb::ring_record rec = r.read(0);
    EXPECT_EQ(rec.kind, mb::record_kind::bad_event);
    EXPECT_STREQ(rec.error, "event length runs past the end of its buffer");
    EXPECT_EQ(rec.total, (ev.size() + 8 + 7) & ~size_t{7});  // the next record is still reachable

    fake_ring tiny;
    tiny.put(bytes(4));
    EXPECT_EQ(tiny.read(0).kind, mb::record_kind::bad_event);
    EXPECT_STREQ(tiny.read(0).error, "event header truncated");
}
