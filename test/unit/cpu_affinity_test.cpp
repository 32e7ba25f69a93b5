// Worker threads run where the caller says (scap/cpu_affinity.h): the prefetch worker of a
// capture file and the reading thread of a two-thread inspector, each checked in its
// /proc/self/task/*/status while it runs.
#include "scap/cpu_affinity.h"

#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <string>
#include <vector>

#include "gzip_bytes.h"
#include "savefile_blocks.h"
#include "scap/savefile.h"
#include "sinsp/inspector.h"
#include "test_paths.h"

namespace {

// Cpus_allowed_list of this process's thread named `comm`; empty when there is none.
std::string allowed_cpus_of(const std::string& comm) {
    DIR* d = opendir("/proc/self/task");
    if (!d) return "";
    std::string found;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        const std::string task = std::string("/proc/self/task/") + e->d_name;
        std::string name;
        std::getline(std::ifstream(task + "/comm"), name);
        if (name != comm) continue;
        std::ifstream status(task + "/status");
        for (std::string line; std::getline(status, line);)
            if (line.rfind("Cpus_allowed_list:", 0) == 0)
                found = line.substr(line.find_first_not_of(" \t", 18));
    }
    closedir(d);
    return found;
}

std::string as_list(const scap::cpu_list& cpus) {
    // The kernel prints ranges ("0-1"); compare against single CPUs only.
    return cpus.size() == 1 ? std::to_string(cpus[0]) : "";
}

// A plain capture longer than the prefetcher's pool (4 chunks of 960 KiB), so its worker is
// still running, waiting for a free chunk, after the engine has opened: a shared capture
// repeated (a section header within a capture starts a new section, read as such).
std::string long_plain_capture() {
    const std::string path = scap_test::temp_dir("cpu_affinity") + "/long.scap";
    const scap_test::bytes one = scap_test::read_plain(scap_test::capture("libs_curl_google.scap"));
    scap_test::bytes all;
    while (all.size() < (8u << 20)) all.insert(all.end(), one.begin(), one.end());
    savefile_test::write_file(path, all);
    return path;
}

class CpuAffinity : public ::testing::Test {
  protected:
    void SetUp() override {
        allowed = scap::current_thread_cpus();
        if (allowed.size() < 2) GTEST_SKIP() << "needs two CPUs to tell a pinned thread from one that is not";
    }
    scap::cpu_list allowed;
};

TEST_F(CpuAffinity, PrefetchWorkerRunsOnTheCpusAskedFor) {
    const std::string path = long_plain_capture();
    for (const bool pin : {true, false}) {
        scap::savefile_options o;
        o.path = path;
        if (pin) o.worker_cpus = {allowed.back()};
        std::string error;
        auto eng = scap::open_savefile(o, error);
        ASSERT_TRUE(eng) << error;
        const std::string got = allowed_cpus_of("scap-prefetch");
        ASSERT_FALSE(got.empty()) << "no scap-prefetch thread";
        if (pin)
            EXPECT_EQ(got, as_list(o.worker_cpus));
        else
            EXPECT_NE(got, std::to_string(allowed.back())) << "unpinned worker has one CPU";
    }
}

TEST_F(CpuAffinity, ReadingThreadRunsOnTheCpusAskedFor) {
    sinsp::inspector_options io;
    io.threads = 2;
    io.worker_cpus = {allowed.front()};
    // Small batches and a short ring: the reading thread is still waiting for room when looked at.
    io.batch_events = 16;
    io.batch_ring = 2;
    sinsp::inspector insp(io);
    std::string error;
    ASSERT_EQ(insp.open_file(long_plain_capture(), error), scap::status::ok) << error;
    const sinsp::event* e = nullptr;
    ASSERT_EQ(insp.next(e), scap::status::ok);
    EXPECT_EQ(allowed_cpus_of("scap-reader"), as_list(io.worker_cpus));
}

TEST(CpuAffinityCalls, RefusesACpuOutOfRangeAndLeavesTheThreadAlone) {
    const scap::cpu_list before = scap::current_thread_cpus();
    std::string error;
    EXPECT_FALSE(scap::pin_current_thread({100000}, error));
    EXPECT_NE(error.find("out of range"), std::string::npos) << error;
    EXPECT_TRUE(scap::pin_current_thread({}, error));
    EXPECT_EQ(scap::current_thread_cpus(), before);
}

}  // namespace
