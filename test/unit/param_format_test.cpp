// Plain-text rendering of parameters (scap-open's printing and libsinsp's evt.args).
#include "scap/param_format.h"

#include <cstdlib>
#include <cstring>
#include <ctime>
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
    EXPECT_EQ(render(val, ""), "NULL");  // empty: the reference's text for dynamic values
}

scap_param_info typed(uint8_t type) {
    return scap_param_info{"p", type};
}

// A parameter of length 0 (the driver had no value, or the converter added it for an old event)
// reads as the reference prints it: NULL for buffers, tuples and lists, <NA> for the rest.
TEST(ParamFormat, EmptyParametersSayWhatTheReferenceSays) {
    for (uint8_t t : {PT_BYTEBUF, PT_SOCKTUPLE, PT_FDLIST, PT_CHARBUFARRAY, PT_CHARBUF_PAIR_ARRAY})
        EXPECT_EQ(render(typed(t), ""), "NULL") << int(t);
    for (uint8_t t : {PT_CHARBUF, PT_FSPATH, PT_FSRELPATH, PT_SOCKADDR, PT_INT64, PT_UINT32, PT_FD, PT_ERRNO})
        EXPECT_EQ(render(typed(t), ""), "<NA>") << int(t);
    // Old drivers wrote "(NULL)" for a string they could not read.
    EXPECT_EQ(render(typed(PT_CHARBUF), std::string("(NULL)\0", 7)), "<NA>");
    EXPECT_EQ(render(typed(PT_CHARBUF), std::string("\0", 1)), "");  // an empty string is not absent
}

// Buffers are shown whole (no cut at 80 bytes): execve's argument and cgroup lists are long.
TEST(ParamFormat, LongBuffersAreShownWhole) {
    const std::string cgroups =
        std::string("cpuset=/") + std::string(1, '\0') + "memory=/" + std::string(200, 'a');
    const std::string shown = render(typed(PT_BYTEBUF), cgroups);
    EXPECT_EQ(shown, "cpuset=/.memory=/" + std::string(200, 'a'));
}

std::string sockaddr_v6(const uint8_t (&ip)[16], uint16_t port) {
    std::string b(1, '\x0a');
    b.append(reinterpret_cast<const char*>(ip), 16);
    b.append(reinterpret_cast<const char*>(&port), 2);
    return b;
}

// IPv6 endpoints without brackets and unix paths without their NUL, as the reference prints them.
TEST(ParamFormat, AddressesAsTheReferencePrintsThem) {
    const uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
    EXPECT_EQ(render(typed(PT_SOCKADDR), sockaddr_v6(ip, 1234)), "2001:db8::3:1234");
    std::string unix_tuple(1, '\x01');
    const uint64_t src = 0, dst = 0xffff88003c420800ull;
    unix_tuple.append(reinterpret_cast<const char*>(&src), 8);
    unix_tuple.append(reinterpret_cast<const char*>(&dst), 8);
    unix_tuple.append("/var/run/nscd/socket", 21);  // with its NUL
    EXPECT_EQ(render(typed(PT_SOCKTUPLE), unix_tuple), "0->ffff88003c420800 /var/run/nscd/socket");
}

// Absolute times (execve's exe_ino_ctime) are dates in local time with nanoseconds.
TEST(ParamFormat, AbsoluteTimesAreDates) {
    setenv("TZ", "UTC", 1);
    tzset();
    const uint64_t ns = 1700000000ull * 1000000000ull + 42;
    EXPECT_EQ(render(typed(PT_ABSTIME), std::string(reinterpret_cast<const char*>(&ns), 8)),
              "2023-11-14 22:13:20.000000042");
}

std::string fdlist(std::initializer_list<std::pair<int64_t, int16_t>> entries) {
    const uint16_t n = static_cast<uint16_t>(entries.size());
    std::string b(reinterpret_cast<const char*>(&n), 2);
    for (const auto& [fd, flags] : entries) {
        b.append(reinterpret_cast<const char*>(&fd), 8);
        b.append(reinterpret_cast<const char*>(&flags), 2);
    }
    return b;
}

// poll's fd list: "fd:flags" in hex per entry, as numbers, never as raw bytes; an ignored entry
// (-1) prints unsigned, as in the reference.
TEST(ParamFormat, PollListsAreFdsAndFlags) {
    EXPECT_EQ(render(typed(PT_FDLIST), fdlist({{4, 0x41}, {7, 1}})), "4:41 7:1");
    EXPECT_EQ(render(typed(PT_FDLIST), fdlist({{-1, 0}})), "18446744073709551615:0");
    EXPECT_EQ(render(typed(PT_FDLIST), fdlist({})), "");
    // A count larger than the bytes that follow stops at the last whole entry.
    std::string cut = fdlist({{3, 1}, {5, 4}});
    cut.resize(cut.size() - 3);
    cut[0] = 9;
    EXPECT_EQ(render(typed(PT_FDLIST), cut), "3:1");
}

}  // namespace
