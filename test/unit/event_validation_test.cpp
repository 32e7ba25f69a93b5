// scap::validate_event runs on every event a capture file or ring delivers; it sums the
// parameter lengths in one pass with the length size (2 bytes, or 4 for large-payload events)
// fixed outside the loop. These cases pin down what it must accept and reject for both sizes.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "event_builder.h"
#include "scap/event.h"

namespace {

using scap::test::bytes;
using scap::test::event_builder;

// The first event type whose lengths array has 4-byte entries.
uint16_t large_payload_type() {
    for (uint16_t t = 0; t < PPM_EVENT_MAX; ++t)
        if (scap::param_len_size(t) == 4 && scap_event_table[t].nparams >= 2) return t;
    return 0;
}

std::string why(const bytes& e, size_t avail) {
    const char* w = scap::validate_event(e.data(), avail);
    return w ? w : "";
}

void set_len_entry(bytes& e, uint32_t i, uint32_t lsz, uint32_t value) {
    std::memcpy(e.data() + scap::k_event_header_size + lsz * i, &value, lsz);
}

TEST(EventValidation, TwoByteLengthsMustFitTheEvent) {
    bytes e = event_builder(PPME_SYSCALL_WRITE_X)
                  .num<int64_t>(5)
                  .param(bytes(300, 7))
                  .num<int64_t>(1)
                  .num<uint32_t>(0)
                  .build();
    EXPECT_EQ(why(e, e.size()), "");
    // Trailing room past the event in its buffer is fine.
    bytes roomy = e;
    roomy.resize(e.size() + 40);
    EXPECT_EQ(why(roomy, roomy.size()), "");
    // One byte more in any entry overruns the event.
    for (uint32_t i = 0; i < 4; ++i) {
        bytes bad = e;
        uint16_t l;
        std::memcpy(&l, bad.data() + scap::k_event_header_size + 2 * i, 2);
        set_len_entry(bad, i, 2, l + 1u);
        EXPECT_EQ(why(bad, bad.size()), "parameters run past the event length") << "entry " << i;
    }
    EXPECT_EQ(why(e, e.size() - 1), "event length runs past the end of its buffer");
}

TEST(EventValidation, FourByteLengthsAreReadWhole) {
    const uint16_t type = large_payload_type();
    ASSERT_NE(type, 0) << "no large-payload event type in the schema";
    event_builder b(type);
    for (uint32_t i = 0; i < scap_event_table[type].nparams; ++i) b.param(bytes(i == 1 ? 70000 : 8, 1));
    bytes e = b.build();
    EXPECT_EQ(why(e, e.size()), "");
    // A length whose high half is set must count whole: 0x10008 is not 8.
    bytes bad = e;
    set_len_entry(bad, 0, 4, 0x10008);
    EXPECT_EQ(why(bad, bad.size()), "parameters run past the event length");
    set_len_entry(bad, 0, 4, 8);
    set_len_entry(bad, 1, 4, 70001);
    EXPECT_EQ(why(bad, bad.size()), "parameters run past the event length");
}

TEST(EventValidation, HeaderAndArrayBounds) {
    bytes e = event_builder(PPME_SYSCALL_CLOSE_X).num<int64_t>(0).num<int64_t>(3).build();
    EXPECT_EQ(why(e, scap::k_event_header_size - 1), "event header truncated");
    bytes many = e;
    uint32_t n = SCAP_MAX_EVENT_PARAMS + 1;
    std::memcpy(many.data() + offsetof(scap::event_header, nparams), &n, 4);
    EXPECT_EQ(why(many, many.size()), "too many parameters");
    bytes long_array = e;
    n = 30;  // 60 bytes of lengths in a 46-byte event
    std::memcpy(long_array.data() + offsetof(scap::event_header, nparams), &n, 4);
    EXPECT_EQ(why(long_array, long_array.size()), "parameter lengths array runs past the event");
}

}  // namespace
