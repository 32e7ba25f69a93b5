// The health report with the live engine: its own programs with their verified sizes and run
// counts, its buffers, and the host saying modern_bpf can run (these tests only run where it
// does).
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sinsp/diagnostics_run.h"

namespace {

TEST(DiagnosticsLive, ModernBpfSectionHasProgramsBuffersAndState) {
    if (geteuid() != 0 || access("/sys/kernel/btf/vmlinux", R_OK) != 0) GTEST_SKIP() << "needs root and BTF";
    sinsp::diagnostics_run_options o;  // no engine given: modern_bpf, since it can run here
    o.seconds = 0.5;
    const nlohmann::json doc = nlohmann::json::parse(sinsp::run_diagnostics(o));
    ASSERT_TRUE(doc.at("engine_error").is_null()) << doc.at("engine_error");
    bool can_run = false;
    for (const auto& e : doc.at("host").at("engines"))
        if (e.at("name") == "modern_bpf") can_run = e.at("can_run").get<bool>();
    EXPECT_TRUE(can_run);
    EXPECT_EQ(doc.at("host").at("bpf_permissions").at("ring_buffer_probe"), "ok");
    const auto& eng = doc.at("engine");
    EXPECT_EQ(eng.at("name"), "modern_bpf");
    EXPECT_GE(eng.at("ring_buffers").get<uint32_t>(), 1u);  // one per possible CPU by default
    EXPECT_EQ(eng.at("ring_buffer_bytes").get<uint64_t>(), 8ull << 20);
    bool dispatcher = false;
    for (const auto& p : eng.at("programs")) {
        EXPECT_GT(p.at("verified_insns").get<uint32_t>(), 0u) << p.dump();
        EXPECT_LT(p.at("verified_insns").get<uint32_t>(), 1000000u) << p.dump();
        if (p.at("name") == "sys_exit_dispatch") {
            dispatcher = true;
            EXPECT_GT(p.at("run_cnt").get<uint64_t>(), 0u);  // BPF stats are on by default
        }
    }
    EXPECT_TRUE(dispatcher);
    // The engine's programs are among those the host lists.
    size_t listed = 0;
    for (const auto& p : eng.at("programs"))
        for (const auto& h : doc.at("host").at("bpf_programs_loaded")) listed += h.at("id") == p.at("id");
    EXPECT_EQ(listed, eng.at("programs").size());
    EXPECT_GT(eng.at("events").get<uint64_t>(), 0u);
    EXPECT_GT(doc.at("state").at("threads").get<uint64_t>(), 0u);  // the snapshot
    EXPECT_TRUE(eng.at("counters").contains("start_buffer_events"));
}

}  // namespace
