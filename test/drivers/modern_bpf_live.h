// What the live modern eBPF test files share: why a live test cannot run on this machine, the
// skip macro built on it, and opening (and starting) an engine of their own.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "scap/scap.h"

namespace drvtest {

// Why a live modern eBPF test cannot run here, or empty.
inline std::string modern_bpf_skip_reason() {
    if (geteuid() != 0) return "needs root (CAP_BPF, CAP_PERFMON)";
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) return "kernel has no BTF (/sys/kernel/btf/vmlinux)";
    return "";
}

// A started modern eBPF engine with these options; nullptr (and a test failure) when it cannot.
inline std::unique_ptr<scap::engine> open_modern_bpf(scap::modern_bpf_options o = {}) {
    scap::open_options opts;
    opts.kind = scap::engine_kind::modern_bpf;
    opts.modern_bpf = std::move(o);
    std::string error;
    auto e = scap::open_engine(opts, error);
    EXPECT_NE(e, nullptr) << error;
    if (e) {
        EXPECT_EQ(e->start(), scap::status::ok) << e->last_error();
    }
    return e;
}

}  // namespace drvtest

#define SKIP_UNLESS_LIVE()                                         \
    do {                                                           \
        const std::string why = drvtest::modern_bpf_skip_reason(); \
        if (!why.empty()) GTEST_SKIP() << why;                     \
    } while (0)
