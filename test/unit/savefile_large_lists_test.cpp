// Process and fd lists far larger than one read chunk (1 MiB) are read entry by entry
// (savefile/list_stream.cpp): written with scap::dumper, read back, every field of every process
// and fd must survive, whichever entries straddle chunk boundaries, gzip or not.
#include <gtest/gtest.h>

#include <string>

#include "scap/savefile.h"
#include "scap/snapshot.h"
#include "test_paths.h"

namespace {

scap::snapshot many_processes(size_t n) {
    scap::snapshot snap;
    for (size_t i = 0; i < n; ++i) {
        scap::process_info p;
        p.tid = p.pid = 100 + i;
        p.ptid = 1;
        p.comm = "proc" + std::to_string(i);
        p.exe = "/usr/bin/" + p.comm;
        p.exepath = p.exe;
        // Sizes vary so entries end at every offset modulo the chunk size.
        p.env = std::string(700 + (i * 37) % 900, static_cast<char>('a' + i % 26));
        p.args = std::string("--n") + '\0' + std::to_string(i);
        p.cgroups = std::string("cpu=/x") + std::to_string(i);
        p.cwd = "/";
        p.root = "/";
        for (int f = 0; f < 3; ++f) {
            scap::fd_info fd;
            fd.fd = 3 + f;
            fd.type = scap::fd_type::file_v2;
            fd.name = "/tmp/f" + std::to_string(i) + "_" + std::to_string(f) + std::string(i % 50, 'x');
            fd.ino = i * 10 + f;
            p.fds.push_back(fd);
        }
        snap.upsert_process(std::move(p));
    }
    return snap;
}

void round_trip(bool gzip) {
    const scap::snapshot in = many_processes(4000);  // a ~5 MB process list
    const std::string path = scap_test::temp_dir(gzip ? "large_lists_gz" : "large_lists") + "/c.scap";
    std::string err;
    {
        auto d = scap::dumper::open(path, gzip, in, err);
        ASSERT_TRUE(d) << err;
        ASSERT_EQ(d->close(), scap::status::ok) << d->last_error();
    }
    auto eng = scap::open_savefile({path, true, true}, err);
    ASSERT_TRUE(eng) << err;
    scap::event_ref ref;
    EXPECT_EQ(eng->next(ref), scap::status::eof) << eng->last_error();
    const scap::snapshot& out = eng->get_snapshot();
    ASSERT_EQ(out.processes.size(), in.processes.size());
    EXPECT_EQ(out.fd_count(), in.fd_count());
    for (const auto& a : in.processes) {
        const scap::process_info* b = out.find_process(a.tid);
        ASSERT_TRUE(b) << a.tid;
        ASSERT_EQ(b->pid, a.pid);
        ASSERT_EQ(b->comm, a.comm);
        ASSERT_EQ(b->exe, a.exe);
        ASSERT_EQ(b->env, a.env) << a.tid;
        ASSERT_EQ(b->args, a.args);
        ASSERT_EQ(b->cgroups, a.cgroups);
        ASSERT_EQ(b->fds.size(), a.fds.size());
        for (size_t f = 0; f < a.fds.size(); ++f) {
            ASSERT_EQ(b->fds[f].fd, a.fds[f].fd);
            ASSERT_EQ(b->fds[f].name, a.fds[f].name);
            ASSERT_EQ(b->fds[f].ino, a.fds[f].ino);
        }
    }
}

TEST(SavefileLargeLists, PlainRoundTrip) {
    round_trip(false);
}

TEST(SavefileLargeLists, GzipRoundTrip) {
    round_trip(true);
}

// A list cut short inside an entry is an error that says so, not a crash or a silent stop.
TEST(SavefileLargeLists, TruncatedListIsAnError) {
    const scap::snapshot in = many_processes(2000);
    const std::string dir = scap_test::temp_dir("large_lists_cut");
    std::string err;
    {
        auto d = scap::dumper::open(dir + "/full.scap", false, in, err);
        ASSERT_TRUE(d) << err;
        ASSERT_EQ(d->close(), scap::status::ok);
    }
    FILE* f = std::fopen((dir + "/full.scap").c_str(), "rb");
    ASSERT_TRUE(f);
    std::string bytes;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
    std::fclose(f);
    ASSERT_GT(bytes.size(), 2000000u);
    // Cut in the middle of the process list (the first large block).
    const std::string cut = bytes.substr(0, bytes.size() / 2);
    f = std::fopen((dir + "/cut.scap").c_str(), "wb");
    ASSERT_TRUE(f);
    std::fwrite(cut.data(), 1, cut.size(), f);
    std::fclose(f);
    auto eng = scap::open_savefile({dir + "/cut.scap", true, true}, err);
    EXPECT_FALSE(eng);
    EXPECT_NE(err.find("truncated"), std::string::npos) << err;
    EXPECT_NE(err.find("offset"), std::string::npos) << err;
}

}  // namespace
