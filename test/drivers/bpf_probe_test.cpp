// The legacy eBPF engine refuses a probe built for another kernel (its structure offsets would be
// wrong), with a message naming both releases; the capture running meanwhile is unharmed. The VM
// harness ships another guest kernel's probe as SCAP_BPF_OTHER_PROBE.
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "engines/bpf/probe_file.h"
#include "event_asserts.h"
#include "scap/scap.h"

namespace drvtest {
namespace {

TEST(BpfProbe, ProbeOfAnotherKernelIsRefusedNamingBothReleases) {
    if (std::string(selected_engine()) != "bpf")
        GTEST_SKIP() << "legacy probe checks: run with SCAP_TEST_ENGINE=bpf (guests)";
    const char* other = std::getenv("SCAP_BPF_OTHER_PROBE");
    if (!other || !*other)
        GTEST_SKIP() << "SCAP_BPF_OTHER_PROBE not set (test/vm/run.sh ships another kernel's probe)";
    if (!scap::bpf_available()) GTEST_SKIP() << "libscap was built without the bpf engine";
    std::vector<uint8_t> img;
    {
        FILE* f = std::fopen(other, "rb");
        ASSERT_NE(f, nullptr) << other;
        uint8_t buf[65536];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) img.insert(img.end(), buf, buf + n);
        std::fclose(f);
    }
    std::string other_release, why;
    ASSERT_TRUE(scap::bpf::probe_release_from_image(img, other_release, why)) << why;
    utsname u{};
    ASSERT_EQ(uname(&u), 0);
    ASSERT_NE(other_release, u.release) << "SCAP_BPF_OTHER_PROBE must be built for another kernel";

    scap::open_options opts;
    opts.kind = scap::engine_kind::bpf;
    opts.bpf.probe_path = other;
    opts.bpf.buffer_bytes = 1u << 20;
    std::string error;
    auto e = scap::open_engine(opts, error);
    EXPECT_EQ(e, nullptr) << "a probe built for kernel " << other_release << " was loaded on " << u.release;
    EXPECT_NE(error.find("built for kernel " + other_release), std::string::npos) << error;
    EXPECT_NE(error.find("this kernel is " + std::string(u.release)), std::string::npos) << error;
    std::printf("refused as expected: %s\n", error.c_str());

    // The suite's own capture (this kernel's probe) still delivers events.
    DRV_SESSION_OR_SKIP(s);
    run_result r = s->run_here([] { syscall(SYS_getppid); });
    ASSERT_TRUE(r.complete) << "the capture stopped delivering events";
    EXPECT_NE(r.first(PPME_GENERIC_X), nullptr);
}

}  // namespace
}  // namespace drvtest
