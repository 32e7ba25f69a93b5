// Generated from the schema: every x86_64 syscall the driver reports is run once with six zero
// arguments in a child whose fds 0/1/2 are closed (fd-taking calls fail with EBADF, pointer
// arguments are NULL), and its exit event is checked against the schema and the fill table.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engines/shared/fill_specs.h"
#include "event_asserts.h"
#include "live_session.h"
#include "zero_args_deny_list.h"

namespace drvtest {
namespace {

#if defined(__x86_64__)
// The raw syscall instruction: the exact kernel return value, no libc errno folding (some
// syscalls legitimately return negative values).
long raw_zero_args_syscall(long nr) {
    long ret;
    register long r10 asm("r10") = 0;
    register long r8 asm("r8") = 0;
    register long r9 asm("r9") = 0;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(0L), "S"(0L), "d"(0L), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return ret;
}
#endif

struct syscall_case {
    uint32_t nr;
    std::string name;
    const char* deny_reason;
};

// Every x86_64 syscall the schema maps, except the deny-listed ones: those are not turned into
// test cases at all (a skipped case is not a test); they are counted and named in the summary
// the binary prints at its end.
std::vector<syscall_case> all_cases() {
    std::vector<syscall_case> out;
    std::vector<std::string> seen;
    for (uint32_t nr = 0; nr < SCAP_SYSCALL_TABLE_SIZE_X86_64; ++nr) {
        const scap_syscall_info& sc = scap_syscall_table_x86_64[nr];
        if (sc.ppm_sc == 0 || !scap_ppm_sc_names[sc.ppm_sc]) continue;
        std::string name = scap_ppm_sc_names[sc.ppm_sc];
        for (const std::string& s : seen)
            if (s == name) name += "_" + std::to_string(nr);  // gtest names must be unique
        seen.push_back(name);
        const char* deny = zero_args_deny_reason(scap_ppm_sc_names[sc.ppm_sc]);
        if (deny) {
            note_denied(name, deny);
            continue;
        }
        out.push_back({nr, name, nullptr});
    }
    return out;
}

// Keeps gtest from dumping the struct's bytes in failure messages.
void PrintTo(const syscall_case& c, std::ostream* os) {
    *os << c.name << " (nr " << c.nr << ")";
}

// The fd numbers the child reports on: far from 0/1/2, which it closes.
constexpr int k_report_fd = 200;
constexpr int64_t k_before_marker = -3000000;

class ZeroArgsSyscall : public ::testing::TestWithParam<syscall_case> {};

TEST_P(ZeroArgsSyscall, ExitEventMatchesSchema) {
    const syscall_case& c = GetParam();
#if !defined(__x86_64__)
    GTEST_SKIP() << "the syscall table is x86_64's";
#else
    DRV_SESSION_OR_SKIP(session);
    note_generated(true);
    scap::drivers::driver_tables tables;
    std::string error;
    ASSERT_TRUE(scap::drivers::build_driver_tables(tables, error)) << error;

    int report[2];
    ASSERT_EQ(pipe(report), 0);
    const int64_t marker = k_before_marker - c.nr;
    run_result r = session->run_in_child([&] {
        if (dup2(report[1], k_report_fd) < 0) return 1;
        for (int fd = 0; fd < 3; ++fd) close(fd);
        close(report[0]);
        close(report[1]);
        syscall(SYS_close, static_cast<unsigned int>(marker));
        const long ret = raw_zero_args_syscall(static_cast<long>(c.nr));
        (void)!write(k_report_fd, &ret, sizeof ret);
        // SYS_exit, not exit_group: the only way out under seccomp strict mode.
        syscall(SYS_exit, 0);
        return 0;
    });
    close(report[1]);
    long ret = 0;
    const bool reported = read(report[0], &ret, sizeof ret) == static_cast<ssize_t>(sizeof ret);
    close(report[0]);
    ASSERT_TRUE(reported) << "the child died before reporting (status " << r.wait_status << ")";
    ASSERT_TRUE(r.complete) << "no procexit of the child within the budget (" << r.events.size()
                            << " events collected, status " << r.wait_status << ")";

    // The event right after the marker is the syscall's.
    const std::vector<const owned_event*> mine = r.of_tid();
    size_t at = 0;
    while (at < mine.size() && !is_marker(mine[at]->view(), marker)) ++at;
    ASSERT_LT(at + 1, mine.size()) << "marker or the event after it missing";
    const scap::event_view v = mine[at + 1]->view();

    const scap_syscall_info& sc = scap_syscall_table_x86_64[c.nr];
    ASSERT_EQ(v.type(), sc.exit_event) << "got " << scap_event_table[v.type()].name << ", schema says "
                                       << scap_event_table[sc.exit_event].name;
    expect_shape(v);
    if (v.type() == PPME_GENERIC_X) {
        EXPECT_EQ(v.param(0).as<uint16_t>(), sc.ppm_sc);
        EXPECT_EQ(v.param(1).as<uint16_t>(), c.nr);
        return;
    }
    const mbpf_fill_spec& spec = tables.specs[v.type()];
    ASSERT_EQ(spec.nparams, v.nparams());
    for (uint32_t i = 0; i < v.nparams(); ++i) {
        const mbpf_param_src& src = spec.params[i];
        const scap::param_view p = v.param(i);
        const char* pname = scap_event_table[v.type()].params[i].name;
        if (src.kind == MBPF_SRC_RET) {
            // The return value truncated to the parameter's width (-errno on failure).
            ASSERT_EQ(p.len, src.size) << pname;
            const uint64_t mask = src.size >= 8 ? ~0ull : (1ull << (8 * src.size)) - 1;
            EXPECT_EQ(p.as<uint64_t>(), static_cast<uint64_t>(ret) & mask)
                << pname << ": the child saw " << ret;
        } else if (src.kind == MBPF_SRC_ARG && src.conv == 0) {
            EXPECT_EQ(p.as<uint64_t>(), 0u) << pname << " is ARG(" << int(src.arg) << "), which was 0";
        }
    }
#endif
}

INSTANTIATE_TEST_SUITE_P(Schema, ZeroArgsSyscall, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<syscall_case>& i) { return i.param.name; });

}  // namespace
}  // namespace drvtest
