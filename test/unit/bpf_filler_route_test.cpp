// The legacy probe has one table filler per group of source families (driver/bpf/fillers.def):
// every event with a fill_table.def row must reach one that has the code for all of its sources.
#include <string>

#include <gtest/gtest.h>

#include "engines/bpf/filler_route.h"
#include "engines/shared/fill_specs.h"

namespace {

std::string filler_name(uint32_t code, const scap::drivers::driver_tables& t) {
    uint32_t n = 0;
    const scap::bpf::filler_info* f = scap::bpf::fillers(n);
    std::string why;
    const int i = scap::bpf::filler_for(t.specs[code], why);
    return i < 0 ? "refused: " + why : f[i].name;
}

TEST(BpfFillerRoute, EveryRowReachesAFillerCoveringAllItsSources) {
    scap::drivers::driver_tables t;
    std::string error;
    ASSERT_TRUE(scap::drivers::build_driver_tables(t, error)) << error;
    uint32_t n = 0;
    const scap::bpf::filler_info* f = scap::bpf::fillers(n);
    int rows = 0;
    for (uint32_t code = 0; code < t.specs.size(); ++code) {
        if (!t.has_row[code]) continue;
        ++rows;
        std::string why;
        const int i = scap::bpf::filler_for(t.specs[code], why);
        ASSERT_GE(i, 0) << "event " << code << ": " << why;
        const uint32_t need = scap::bpf::row_families(t.specs[code]);
        EXPECT_EQ(f[i].families & need, need) << "event " << code;
    }
    EXPECT_GT(rows, 100);
}

TEST(BpfFillerRoute, EventsGoToTheSmallestFillerOfTheirFamilies) {
    scap::drivers::driver_tables t;
    std::string error;
    ASSERT_TRUE(scap::drivers::build_driver_tables(t, error)) << error;
    EXPECT_EQ(filler_name(PPME_SYSCALL_READ_X, t), "core");
    EXPECT_EQ(filler_name(PPME_SOCKET_CONNECT_X, t), "net");
    EXPECT_EQ(filler_name(PPME_SOCKET_RECVMMSG_X, t), "net");
    EXPECT_EQ(filler_name(PPME_SYSCALL_OPEN_BY_HANDLE_AT_X, t), "path");
    EXPECT_EQ(filler_name(PPME_SYSCALL_MMAP_X, t), "task");
    EXPECT_EQ(filler_name(PPME_SYSCALL_EXECVE_19_X, t), "proc");
    EXPECT_EQ(filler_name(PPME_SYSCALL_CLONE_20_X, t), "proc");
}

TEST(BpfFillerRoute, ARowNoFillerCoversIsRefusedNamingItsFamilies) {
    mbpf_fill_spec spec = {};
    spec.nparams = 2;
    spec.params[0].kind = MBPF_SRC_FD_TUPLE;  // net
    spec.params[1].kind = MBPF_SRC_FD_PATH;   // path: no filler has both
    std::string why;
    EXPECT_EQ(scap::bpf::filler_for(spec, why), -1);
    EXPECT_NE(why.find("net+path"), std::string::npos) << why;
    EXPECT_EQ(scap::bpf::row_families(spec), uint32_t{MBPF_FAM_NET | MBPF_FAM_PATH});
}

}  // namespace
