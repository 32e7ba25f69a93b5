// Plain-text rendering of parameters (scap-open's printing and libsinsp's evt.args).
#include "scap/param_format.h"

#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace {

std::string render(const scap_param_info& info, const std::string& bytes) {
    std::string out;
    scap::append_param(out, info,
                       scap::param_view{reinterpret_cast<const uint8_t*>(bytes.data()),
                                        static_cast<uint32_t>(bytes.size())});
    return out;
}

template <typename T>
std::string dyn(uint8_t index, T value) {
    std::string out(1, static_cast<char>(index));
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
    return out;
}

// setsockopt's "val" is a PT_DYN: its first byte picks the type among sockopt_dynamic_param.
TEST(ParamFormat, DynamicParametersRenderAsTheTypeTheirIndexNames) {
    const scap_param_info& val = scap_event_table[PPME_SOCKET_SETSOCKOPT_X].params[4];
    ASSERT_EQ(val.type, PT_DYN);
    EXPECT_EQ(render(val, dyn<uint32_t>(2, 1)), "1");                       // uint32
    EXPECT_EQ(render(val, dyn<uint64_t>(3, 1ull << 40)), "1099511627776");  // uint64
    EXPECT_EQ(render(val, dyn<int64_t>(4, 2500000000)), "2500000000");      // reltime, ns
    EXPECT_EQ(render(val, dyn<int64_t>(1, -11)), "-11(EAGAIN)");            // errno
    EXPECT_EQ(render(val, std::string("\0ab", 3)), "ab");                   // bytes
    // An index outside the set is shown as the raw bytes, not as a guess.
    EXPECT_EQ(render(val, std::string("\x09z", 2)), render(scap_param_info{"", PT_BYTEBUF}, "\x09z"));
    EXPECT_EQ(render(val, ""), "");
}

}  // namespace
