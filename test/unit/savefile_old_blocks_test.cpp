// Synthetic captures in the oldest block formats: event blocks whose header has no nparams
// (0x204 and the events-with-flags 0x208), holding an enter+exit pair that must come out as one
// current exit event.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "event_builder.h"
#include "scap/savefile.h"

namespace {

using bytes = std::vector<uint8_t>;
using scap::test::event_builder;

// resize + memcpy rather than insert: GCC 12 at -O3 (Release) reports a false
// -Wstringop-overflow for vector::insert of a few bytes here.
void put(bytes& b, const void* p, size_t n) {
    const size_t at = b.size();
    b.resize(at + n);
    if (n) std::memcpy(b.data() + at, p, n);
}
template <typename T>
void put(bytes& b, T v) {
    put(b, &v, sizeof v);
}

void block(bytes& file, uint32_t type, const bytes& body) {
    const uint32_t padded = static_cast<uint32_t>((body.size() + 3) & ~size_t{3});
    const uint32_t total = 8 + padded + 4;
    put(file, type);
    put(file, total);
    put(file, body.data(), body.size());
    file.resize(file.size() + (padded - body.size()), 0);
    put(file, total);
}

bytes section_header() {
    bytes body;
    put(body, uint32_t{0x1A2B3C4D});
    put(body, uint16_t{1});
    put(body, uint16_t{0});
    put(body, uint64_t{~0ull});
    bytes file;
    block(file, 0x0A0D0D0A, body);
    return file;
}

// The event in the old on-disk form: the 26-byte header minus nparams.
bytes old_form(const bytes& ev) {
    bytes out(ev.begin(), ev.begin() + 22);
    out.insert(out.end(), ev.begin() + 26, ev.end());
    uint32_t len;
    std::memcpy(&len, out.data() + 16, 4);
    len -= 4;
    std::memcpy(out.data() + 16, &len, 4);
    return out;
}

bytes old_event_block_body(const bytes& ev, bool with_flags, uint32_t flags) {
    bytes body;
    put(body, uint16_t{3});  // cpu
    if (with_flags) put(body, flags);
    const bytes old = old_form(ev);
    put(body, old.data(), old.size());
    return body;
}

class OldEventBlocks : public ::testing::TestWithParam<bool> {};

TEST_P(OldEventBlocks, EnterAndExitBecomeOneCurrentExit) {
    const bool with_flags = GetParam();
    const uint32_t block_type = with_flags ? 0x208 : 0x204;
    bytes file = section_header();
    const bytes enter = event_builder(PPME_SYSCALL_CLOSE_E, 77, 1000).num<int64_t>(5).build();
    const bytes exit = event_builder(PPME_SYSCALL_CLOSE_X, 77, 2000).num<int64_t>(0).build();
    block(file, block_type, old_event_block_body(enter, with_flags, 9));
    block(file, block_type, old_event_block_body(exit, with_flags, 9));

    scap::savefile_options o;
    std::string error;
    auto eng = scap::open_savefile_memory(file.data(), file.size(), o, error);
    ASSERT_NE(eng, nullptr) << error;
    scap::event_ref ref;
    ASSERT_EQ(eng->next(ref), scap::status::ok) << eng->last_error();
    scap::event_view ev = ref.view();
    EXPECT_EQ(ev.type(), PPME_SYSCALL_CLOSE_X);
    EXPECT_EQ(ev.tid(), 77u);
    EXPECT_EQ(ev.ts(), 2000u);
    ASSERT_EQ(ev.nparams(), 2u);
    EXPECT_EQ(ev.param(0).as<int64_t>(), 0);  // res
    EXPECT_EQ(ev.param(1).as<int64_t>(), 5);  // fd, from the enter event
    EXPECT_EQ(ref.cpu, 3);
    EXPECT_EQ(ref.flags, with_flags ? 9u : 0u);
    EXPECT_EQ(eng->next(ref), scap::status::eof) << eng->last_error();
}

INSTANTIATE_TEST_SUITE_P(Both, OldEventBlocks, ::testing::Bool());

TEST(OldEventBlocks, InconsistentLengthsCannotHideTheParameterCount) {
    bytes file = section_header();
    bytes ev = event_builder(PPME_SYSCALL_CLOSE_X, 1).num<int64_t>(0).num<int64_t>(3).build();
    bytes body = old_event_block_body(ev, false, 0);
    // Claim 9 bytes for the first parameter: no parameter count makes the lengths add up.
    const uint16_t bad = 9;
    std::memcpy(body.data() + 2 + 22, &bad, 2);
    block(file, 0x204, body);
    scap::savefile_options o;
    std::string error;
    auto eng = scap::open_savefile_memory(file.data(), file.size(), o, error);
    ASSERT_NE(eng, nullptr) << error;
    scap::event_ref ref;
    EXPECT_EQ(eng->next(ref), scap::status::error);
    EXPECT_NE(eng->last_error().find("cannot infer the parameter count"), std::string::npos)
        << eng->last_error();
}

}  // namespace
