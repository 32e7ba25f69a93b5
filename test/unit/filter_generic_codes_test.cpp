// Syscalls without a dedicated event arrive as generic events whose evt.type is the syscall's own
// name: the event code alone cannot decide `evt.type = syncfs`. These tests pin down both the
// event-type derivation (reference name resolution, superset under negation) and the evaluation
// fast path (generic codes fall back to the name comparison).
#include <gtest/gtest.h>

#include <set>

#include "filter_test_fields.h"

using namespace filter_test;

namespace {

std::set<size_t> set_bits(const std::vector<bool>& v) {
    std::set<size_t> out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i]) out.insert(i);
    }
    return out;
}

std::set<size_t> event_codes(const std::string& filter) {
    mock_fields fields;
    return set_bits(compile(filter, fields)->event_codes());
}

std::set<size_t> sc_codes(const std::string& filter) {
    mock_fields fields;
    return set_bits(compile(filter, fields)->syscall_codes());
}

const std::set<size_t> k_generic = {PPME_GENERIC_E, PPME_GENERIC_X};

mock_event generic_event(const char* syscall) {
    mock_event e;
    e.type = PPME_GENERIC_X;
    e.generic_syscall = syscall;
    return e;
}

}  // namespace

TEST(FilterGenericCodes, SyscallWithoutEventResolvesToTheGenericPair) {
    EXPECT_EQ(event_codes("evt.type = syncfs"), k_generic);
    EXPECT_EQ(event_codes("evt.type in (madvise, syncfs)"), k_generic);
    auto mixed = event_codes("evt.type in (openat, syncfs)");
    EXPECT_TRUE(mixed.count(PPME_GENERIC_X));
    EXPECT_TRUE(mixed.count(PPME_SYSCALL_OPENAT_2_X));
}

TEST(FilterGenericCodes, NamedEventsDoNotBringTheGenericPair) {
    auto open = event_codes("evt.type = open");
    EXPECT_FALSE(open.count(PPME_GENERIC_E));
    EXPECT_FALSE(open.count(PPME_GENERIC_X));
    EXPECT_TRUE(open.count(PPME_SYSCALL_OPEN_X));
    // The generic pair's table name is never what evt.type shows, and no syscall is called that.
    EXPECT_TRUE(event_codes("evt.type = syscall").empty());
}

TEST(FilterGenericCodes, ComplementKeepsTheGenericPair) {
    // A generic event for any other syscall passes `!= syncfs`.
    auto ne = event_codes("evt.type != syncfs");
    EXPECT_TRUE(ne.count(PPME_GENERIC_X));
    EXPECT_EQ(ne.size(), size_t{PPM_EVENT_MAX});
    auto not_in = event_codes("not evt.type in (open, syncfs)");
    EXPECT_TRUE(not_in.count(PPME_GENERIC_X));
    EXPECT_FALSE(not_in.count(PPME_SYSCALL_OPEN_X));
    // Not complemented: still exact.
    EXPECT_FALSE(event_codes("evt.type = open and not evt.type = syncfs").count(PPME_GENERIC_X));
}

TEST(FilterGenericCodes, FastPathComparesTheNameOfGenericEvents) {
    for (bool fast : {true, false}) {
        SCOPED_TRACE(fast ? "code fast path" : "name comparison");
        EXPECT_TRUE(eval("evt.type = syncfs", generic_event("syncfs"), fast));
        EXPECT_FALSE(eval("evt.type = syncfs", generic_event("madvise"), fast));
        EXPECT_TRUE(eval("evt.type != syncfs", generic_event("madvise"), fast));
        EXPECT_FALSE(eval("evt.type != madvise", generic_event("madvise"), fast));
        EXPECT_TRUE(eval("evt.type in (open, madvise)", generic_event("madvise"), fast));
        EXPECT_FALSE(eval("evt.type in (open, openat)", generic_event("madvise"), fast));
        EXPECT_FALSE(eval("evt.type = syncfs", mock_event{}, fast));  // an openat exit
        EXPECT_TRUE(eval("evt.type != syncfs", mock_event{}, fast));
    }
}

TEST(FilterGenericCodes, SyscallDomain) {
    // A syscall name maps to its own code.
    EXPECT_EQ(sc_codes("evt.type = syncfs"), std::set<size_t>{PPM_SC_SYNCFS});
    // An event whose syscall bears another name ("pread" is pread64's event).
    EXPECT_TRUE(sc_codes("evt.type = pread").count(PPM_SC_PREAD64));
    // Tracepoint events map to their tracepoints.
    EXPECT_EQ(sc_codes("evt.type = switch"), std::set<size_t>{PPM_SC_SCHED_SWITCH});
    EXPECT_EQ(sc_codes("evt.type = procexit"), std::set<size_t>{PPM_SC_SCHED_PROCESS_EXIT});
    EXPECT_TRUE(sc_codes("evt.type = nonexistent").empty());
}

// evt.num counts events from 1 (the mock declares min_value = 1): comparisons that no event
// number can satisfy match no event type, tautologies match all, and both complement exactly.
TEST(FilterBoundedFields, ImpossibleAndCertainComparisons) {
    const std::set<size_t> none;
    const size_t all = PPM_EVENT_MAX;
    EXPECT_EQ(event_codes("evt.num = 0"), none);
    EXPECT_EQ(event_codes("evt.num < 1"), none);
    EXPECT_EQ(event_codes("evt.num <= 0"), none);
    EXPECT_EQ(event_codes("evt.num in (0, 0)"), none);
    EXPECT_EQ(event_codes("evt.num in ()"), none);
    EXPECT_EQ(event_codes("evt.num = 0 or evt.type = open"), event_codes("evt.type = open"));
    EXPECT_EQ(event_codes("not evt.num = 0 and evt.type = open"), event_codes("evt.type = open"));
    EXPECT_EQ(event_codes("not evt.num > 0"), none);
    EXPECT_EQ(event_codes("not evt.num >= 1"), none);
    EXPECT_EQ(event_codes("evt.num != 0 and not evt.num != 0"), none);
    EXPECT_EQ(event_codes("evt.num != 0").size(), all);
    // Undecided: reachable values, wrapped negative literals, other operators.
    EXPECT_EQ(event_codes("not evt.num = 1").size(), all);
    EXPECT_EQ(event_codes("not evt.num < 2").size(), all);
    EXPECT_EQ(event_codes("evt.num in (0, 5)").size(), all);
    EXPECT_EQ(event_codes("evt.num = -1").size(), all);
    EXPECT_EQ(event_codes("not evt.num exists").size(), all);
    // Fields without a bound stay neutral.
    EXPECT_EQ(event_codes("fd.sport = 0").size(), all);
    EXPECT_EQ(event_codes("not fd.sport = 0").size(), all);
}
