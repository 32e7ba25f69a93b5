// The kernel module's lifecycle while the suite's capture is running (SCAP_TEST_ENGINE=kmod):
// one consumer at a time, rmmod refused while a capture is open, capture unharmed by both.
// (Release on close is checked by the VM harness: it runs rmmod after every kmod suite.)
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>

#include <gtest/gtest.h>

#include "event_asserts.h"
#include "scap/scap.h"

namespace drvtest {
namespace {

#define KMOD_ONLY()                                                                              \
    do {                                                                                         \
        if (std::string(selected_engine()) != "kmod")                                            \
            GTEST_SKIP() << "kernel-module lifecycle: runs with SCAP_TEST_ENGINE=kmod (guests)"; \
    } while (0)

// After the module refused something, the running capture must still deliver events.
void expect_capture_alive(live_session* s) {
    run_result r = s->run_here([] { syscall(SYS_getppid); });
    ASSERT_TRUE(r.complete) << "the capture stopped delivering events";
    EXPECT_NE(r.first(PPME_GENERIC_X), nullptr);
}

TEST(KmodLifecycle, SecondConsumerIsToldBusy) {
    KMOD_ONLY();
    DRV_SESSION_OR_SKIP(s);
    scap::open_options opts;
    opts.kind = scap::engine_kind::kmod;
    opts.kmod.buffer_bytes = 1u << 20;
    std::string error;
    auto second = scap::open_engine(opts, error);
    EXPECT_EQ(second, nullptr) << "two consumers must not share the module's rings";
    EXPECT_NE(error.find("busy"), std::string::npos) << error;
    expect_capture_alive(s);
}

TEST(KmodLifecycle, RmmodWhileCapturingIsRefused) {
    KMOD_ONLY();
    DRV_SESSION_OR_SKIP(s);
    // O_NONBLOCK: fail at once instead of waiting for the module's users to go away.
    const long rc = syscall(SYS_delete_module, "scap_kmod", O_NONBLOCK);
    const int err = errno;
    ASSERT_EQ(rc, -1) << "the module was removed under an open capture";
    EXPECT_TRUE(err == EWOULDBLOCK || err == EBUSY) << std::strerror(err);
    expect_capture_alive(s);
}

}  // namespace
}  // namespace drvtest
