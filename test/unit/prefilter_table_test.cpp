// The driver's pre-filter entries (shared/abi.h mbpf_prefilter) built from scap::prefilter rules:
// what is kept, what is left out because the driver cannot check it as userspace sees it, and the
// comm masks, checked with the same word compare the BPF program does.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "engines/shared/fill_specs.h"
#include "engines/shared/prefilter_table.h"

namespace {

scap::drivers::driver_tables tables() {
    scap::drivers::driver_tables t;
    std::string error;
    EXPECT_TRUE(scap::drivers::build_driver_tables(t, error)) << error;
    return t;
}

// bpf/prefilter.h's comm_passes over a kernel comm (16 bytes, NUL-padded as the kernel keeps it).
bool comm_matches(const mbpf_prefilter& e, const char* comm) {
    uint8_t bytes[16] = {};
    std::strncpy(reinterpret_cast<char*>(bytes), comm, 15);
    uint64_t w[2];
    std::memcpy(w, bytes, sizeof w);
    for (uint32_t i = 0; i < e.n_comm; i++) {
        if (((w[0] ^ e.comm[i][0]) & e.comm_mask[i][0]) == 0 &&
            ((w[1] ^ e.comm[i][1]) & e.comm_mask[i][1]) == 0)
            return true;
    }
    return false;
}

TEST(PrefilterTable, DefaultRuleIsInactive) {
    const auto t = tables();
    EXPECT_EQ(scap::drivers::prefilter_entry(t, PPME_SYSCALL_READ_X, {}).flags, 0);
}

TEST(PrefilterTable, ReturnValueOnlyWhereTheFirstParameterIsIt) {
    const auto t = tables();
    scap::prefilter_rule r;
    r.ret_max = -1;
    const mbpf_prefilter read = scap::drivers::prefilter_entry(t, PPME_SYSCALL_READ_X, r);
    EXPECT_EQ(read.flags, MBPF_PF_ACTIVE | MBPF_PF_RET);
    EXPECT_EQ(read.ret_max, -1);
    // sendmmsg's res is each message's length, not the syscall's return value.
    EXPECT_EQ(scap::drivers::prefilter_entry(t, PPME_SOCKET_SENDMMSG_X, r).flags, 0);
    // Generic events carry no return value at all.
    EXPECT_EQ(scap::drivers::prefilter_entry(t, PPME_GENERIC_X, r).flags, 0);
}

TEST(PrefilterTable, NeverAndIds) {
    const auto t = tables();
    scap::prefilter_rule never;
    never.never = true;
    EXPECT_EQ(scap::drivers::prefilter_entry(t, PPME_SYSCALL_READ_X, never).flags,
              MBPF_PF_ACTIVE | MBPF_PF_NEVER);
    scap::prefilter_rule ids;
    ids.tids = {1, 2};
    ids.pids = {3};
    const mbpf_prefilter e = scap::drivers::prefilter_entry(t, PPME_SYSCALL_READ_X, ids);
    EXPECT_EQ(e.flags, MBPF_PF_ACTIVE);
    EXPECT_EQ(e.n_tid, 2);
    EXPECT_EQ(e.tids[1], 2u);
    EXPECT_EQ(e.n_pid, 1);
    ids.tids.assign(MBPF_PF_SET + 1, 5);  // more than the table holds: no tid condition
    EXPECT_EQ(scap::drivers::prefilter_entry(t, PPME_SYSCALL_READ_X, ids).n_tid, 0);
}

TEST(PrefilterTable, CommMasks) {
    const auto t = tables();
    scap::prefilter_rule r;
    r.comms = {{"nginx", false}, {"php-f", true}, {"abcdefghijklmno", false}};
    const mbpf_prefilter e = scap::drivers::prefilter_entry(t, PPME_SYSCALL_READ_X, r);
    ASSERT_EQ(e.n_comm, 3);
    EXPECT_TRUE(comm_matches(e, "nginx"));
    EXPECT_FALSE(comm_matches(e, "nginx2"));
    EXPECT_FALSE(comm_matches(e, "ngin"));
    EXPECT_TRUE(comm_matches(e, "php-fpm"));
    EXPECT_TRUE(comm_matches(e, "php-f"));
    EXPECT_FALSE(comm_matches(e, "php"));
    EXPECT_TRUE(comm_matches(e, "abcdefghijklmno"));  // 15 characters: the whole comm
    EXPECT_FALSE(comm_matches(e, "abcdefghijklmnz"));
    // A string the kernel's comm cannot hold: the comm condition is dropped, not truncated.
    r.comms.push_back({"abcdefghijklmnop", false});
    EXPECT_EQ(scap::drivers::prefilter_entry(t, PPME_SYSCALL_READ_X, r).n_comm, 0);
}

}  // namespace
