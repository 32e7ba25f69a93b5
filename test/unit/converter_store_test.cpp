// The per-thread enter store: replacement, clearing and the thread cap.
#include <gtest/gtest.h>

#include "converter/enter_store.h"
#include "converter/param_sizes.h"
#include "event_builder.h"

using namespace scap::test;

TEST(ConverterEnterStore, NewerEnterReplacesOlderAndClearKeepsSlot) {
    scap::conv::enter_store s;
    const bytes a = event_builder(PPME_SYSCALL_READ_E, 4).num<int64_t>(1).num<uint32_t>(1).build();
    const bytes b = event_builder(PPME_SYSCALL_CLOSE_E, 4).num<int64_t>(2).build();
    s.put(hdr(a));
    s.put(hdr(b));
    ASSERT_NE(s.get(4), nullptr);
    EXPECT_EQ(scap::event_view(s.get(4)).type(), PPME_SYSCALL_CLOSE_E);
    s.clear(4);
    EXPECT_EQ(s.get(4), nullptr);
    EXPECT_EQ(s.stored(), 0u);
}

TEST(ConverterEnterStore, CapEvictsAndCounts) {
    scap::conv::enter_store s(2);
    for (uint64_t tid = 1; tid <= 3; ++tid)
        s.put(hdr(event_builder(PPME_SYSCALL_CLOSE_E, tid).num<int64_t>(1).build()));
    EXPECT_EQ(s.stored(), 2u);
    EXPECT_EQ(s.evictions(), 1u);
    EXPECT_NE(s.get(3), nullptr);  // the newest one is always kept
    // A cleared slot is reclaimed before anything is evicted.
    s.clear(3);
    s.put(hdr(event_builder(PPME_SYSCALL_CLOSE_E, 9).num<int64_t>(1).build()));
    EXPECT_EQ(s.evictions(), 1u);
}

TEST(ConverterParamSizes, DefaultsMatchTheReference) {
    uint8_t buf[8] = {};
    scap::conv::write_default(PT_UID, buf);
    EXPECT_EQ(val<uint32_t>(0xffffffffu), bytes(buf, buf + 4));  // uid/gid default to "unknown"
    scap::conv::write_default(PT_INT64, buf);
    EXPECT_EQ(val<int64_t>(0), bytes(buf, buf + 8));
    EXPECT_EQ(scap::conv::fixed_size(PT_CHARBUF), 0);
    EXPECT_EQ(scap::conv::max_len(PT_CHARBUF, 2), 65535);
    EXPECT_EQ(scap::conv::max_len(PT_ENUMFLAGS32, 4), 4);
}
