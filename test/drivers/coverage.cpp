// Prints "event | emitted | tested" and the coverage summary after the last test, then closes
// the shared session (its reader thread must stop before static destructors run).
#include "coverage.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engines/shared/fill_specs.h"
#include "live_session.h"
#include "scap_schema.h"

namespace drvtest {
namespace {

std::array<std::atomic<bool>, PPM_EVENT_MAX> g_tested{};
std::atomic<int> g_generated_run{0};
std::atomic<int> g_generated_denied{0};
std::vector<std::string> g_denied;  // filled before the tests run (test instantiation)

class coverage_report : public ::testing::Environment {
  public:
    void TearDown() override {
        live_session* s = live_session::opened();
        if (s) print(s->emitted_counts());
        live_session::shutdown();
    }

  private:
    static void print(const std::vector<uint64_t>& emitted) {
        scap::drivers::driver_tables t;
        std::string error;
        if (!scap::drivers::build_driver_tables(t, error)) {
            std::printf("coverage: driver tables: %s\n", error.c_str());
            return;
        }
        // Reachable: exit events the x86_64 syscall table names (what this machine can produce).
        std::vector<bool> reachable(PPM_EVENT_MAX, false);
        for (uint32_t nr = 0; nr < SCAP_SYSCALL_TABLE_SIZE_X86_64; ++nr)
            if (scap_syscall_table_x86_64[nr].ppm_sc)
                reachable[scap_syscall_table_x86_64[nr].exit_event] = true;
        int n_reachable = 0, n_driver = 0, n_both = 0;
        std::printf("\n%-28s | %8s | %s\n", "event", "emitted", "tested");
        for (int c = 0; c < PPM_EVENT_MAX; ++c) {
            const bool in_driver = t.has_row[c];
            const bool tested = g_tested[c].load();
            if (!in_driver && !reachable[c] && emitted[c] == 0 && !tested) continue;
            n_reachable += reachable[c];
            n_driver += in_driver;
            const bool both = emitted[c] > 0 && tested;
            n_both += both && in_driver;
            std::printf("%-24s %3d | %8llu | %s\n", scap_event_table[c].name, c,
                        static_cast<unsigned long long>(emitted[c]), tested ? "yes" : "no");
        }
        std::printf("generated syscall cases: %d run, %d denied\n", g_generated_run.load(),
                    g_generated_denied.load());
        for (const auto& d : g_denied) std::printf("  not run with zero arguments: %s\n", d.c_str());
        std::printf(
            "driver coverage: %d of %d exit events emitted and tested (%d in the schema reachable on "
            "x86_64)\n",
            n_both, n_driver, n_reachable);
    }
};

// Registered before main() runs RUN_ALL_TESTS (gtest_main gives us no other hook).
[[maybe_unused]] ::testing::Environment* const g_env =
    ::testing::AddGlobalTestEnvironment(new coverage_report);

}  // namespace

void note_tested(uint16_t type) {
    if (type < PPM_EVENT_MAX) g_tested[type] = true;
}

void note_generated(bool ran) {
    (ran ? g_generated_run : g_generated_denied)++;
}

void note_denied(const std::string& name, const char* reason) {
    ++g_generated_denied;
    g_denied.push_back(name + " (" + reason + ")");
}

}  // namespace drvtest
