// The health report's shape: every documented key present with its JSON type, so support
// bundles and monitoring can rely on it. Live figures are checked by the driver tests.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scap/diagnostics.h"
#include "sinsp/diagnostics.h"
#include "sinsp/diagnostics_run.h"
#include "sinsp/inspector.h"
#include "test_paths.h"

namespace {

using json = nlohmann::json;

void expect_program_shape(const json& p) {
    EXPECT_TRUE(p.at("id").is_number_unsigned());
    EXPECT_TRUE(p.at("name").is_string());
    EXPECT_TRUE(p.at("type").is_string());
    EXPECT_TRUE(p.at("verified_insns").is_number_unsigned());
    EXPECT_TRUE(p.at("run_cnt").is_number_unsigned());
    EXPECT_TRUE(p.at("run_time_ns").is_number_unsigned());
}

void expect_host_shape(const json& h) {
    ASSERT_TRUE(h.is_object());
    EXPECT_TRUE(h.at("kernel_release").is_string());
    EXPECT_FALSE(h.at("kernel_release").get<std::string>().empty());
    EXPECT_TRUE(h.at("kernel_version").is_string());
    EXPECT_TRUE(h.at("machine").is_string());
    EXPECT_TRUE(h.at("btf").is_boolean());
    EXPECT_TRUE(h.at("tracefs").is_boolean());
    const json& m = h.at("modules");
    EXPECT_TRUE(m.at("supported").is_boolean());
    EXPECT_TRUE(m.at("disabled").is_boolean());
    EXPECT_TRUE(m.at("kernel_headers").is_boolean());
    const json& b = h.at("bpf_permissions");
    EXPECT_TRUE(b.at("euid").is_number_unsigned());
    for (const char* k : {"cap_sys_admin", "cap_bpf", "cap_perfmon"}) EXPECT_TRUE(b.at(k).is_boolean()) << k;
    EXPECT_TRUE(b.at("unprivileged_bpf_disabled").is_number_integer());
    for (const char* k : {"memlock_soft", "memlock_hard"})
        EXPECT_TRUE(b.at(k).is_number_unsigned() || b.at(k) == "unlimited") << k;
    EXPECT_TRUE(b.at("ring_buffer_probe").is_string());
    const json& engines = h.at("engines");
    ASSERT_TRUE(engines.is_array());
    std::vector<std::string> names;
    for (const json& e : engines) {
        names.push_back(e.at("name").get<std::string>());
        EXPECT_TRUE(e.at("can_run").is_boolean());
        ASSERT_TRUE(e.at("why_not").is_array());
        // An engine that cannot run always says why; one that can has nothing to say.
        EXPECT_EQ(e.at("can_run").get<bool>(), e.at("why_not").empty()) << e.dump();
    }
    EXPECT_EQ(names, (std::vector<std::string>{"savefile", "modern_bpf", "bpf", "kmod"}));
    ASSERT_TRUE(h.at("bpf_programs_loaded").is_array());
    for (const json& p : h.at("bpf_programs_loaded")) expect_program_shape(p);
    EXPECT_TRUE(h.at("bpf_programs_error").is_null() || h.at("bpf_programs_error").is_string());
}

TEST(DiagnosticsShape, HostOnlyDocument) {
    const json doc = json::parse(sinsp::diagnostics_json(nullptr));
    EXPECT_EQ(doc.at("format"), sinsp::k_diagnostics_format);
    EXPECT_EQ(doc.at("library_version"), scap::library_version());
    EXPECT_TRUE(doc.at("schema_version").is_string());
    EXPECT_NE(doc.at("schema_version").get<std::string>().find('.'), std::string::npos);
    expect_host_shape(doc.at("host"));
    EXPECT_TRUE(doc.at("engine").is_null());
    EXPECT_TRUE(doc.at("state").is_null());
    EXPECT_TRUE(doc.at("engine_error").is_null());
}

// Through the tools' code path, over a capture file: engine and state sections filled with the
// file's figures.
TEST(DiagnosticsShape, FileEngineAndStateSections) {
    sinsp::diagnostics_run_options o;
    o.explicit_engine = true;
    o.open.file.path = scap_test::capture("falco_cat_write.scap");
    const json doc = json::parse(sinsp::run_diagnostics(o));
    EXPECT_TRUE(doc.at("engine_error").is_null()) << doc.at("engine_error");
    const json& e = doc.at("engine");
    ASSERT_TRUE(e.is_object());
    EXPECT_EQ(e.at("name"), "savefile");
    EXPECT_GT(e.at("events").get<uint64_t>(), 0u);
    for (const char* k : {"ring_buffers", "ring_buffer_bytes", "cpus_for_each_buffer"})
        EXPECT_TRUE(e.at(k).is_number_unsigned()) << k;
    const json& d = e.at("drops");
    for (const char* k : {"total", "buffer_full", "scratch_space", "page_faults", "driver_bug"})
        EXPECT_TRUE(d.at(k).is_number_unsigned()) << k;
    EXPECT_TRUE(e.at("programs").is_array());
    EXPECT_TRUE(e.at("programs").empty());  // a file runs nothing in the kernel
    EXPECT_TRUE(e.at("notes").is_array());
    EXPECT_TRUE(e.at("counters").is_object());
    const json& s = doc.at("state");
    ASSERT_TRUE(s.is_object());
    EXPECT_EQ(s.at("events"), e.at("events"));
    EXPECT_GT(s.at("threads").get<uint64_t>(), 0u);
    for (const char* k :
         {"max_threads", "threads_created", "threads_incomplete", "threads_child_first", "threads_removed",
          "threads_evicted", "threads_evicted_for_memory", "fds_evicted", "state_bytes", "state_bytes_peak",
          "state_bytes_evicted", "fds_added", "fds_removed", "parse_errors"})
        EXPECT_TRUE(s.at(k).is_number_unsigned()) << k;
    const json& m = s.at("memory");
    for (const char* k : {"total_bytes", "thread_bytes", "fd_tables", "fd_bytes", "strings", "string_bytes"})
        EXPECT_TRUE(m.at(k).is_number_unsigned()) << k;
    EXPECT_GT(m.at("total_bytes").get<uint64_t>(), 0u);
    EXPECT_GT(s.at("state_bytes_peak").get<uint64_t>(), 0u);
}

TEST(DiagnosticsShape, UnopenableEngineIsReportedNotFatal) {
    sinsp::diagnostics_run_options o;
    o.explicit_engine = true;
    o.open.file.path = "/nonexistent/capture.scap";
    const json doc = json::parse(sinsp::run_diagnostics(o));
    ASSERT_TRUE(doc.at("engine_error").is_string());
    EXPECT_NE(doc.at("engine_error").get<std::string>().find("/nonexistent/capture.scap"), std::string::npos)
        << doc.at("engine_error");
    EXPECT_TRUE(doc.at("engine").is_null());
    expect_host_shape(doc.at("host"));
}

}  // namespace
