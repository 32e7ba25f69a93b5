// A capture's process and fd lists streamed into their consumer as they are read
// (scap::savefile_options::processes_to, inspector::process_loader): the engine keeps none of
// them, and the state built that way is the state built from the engine's whole snapshot.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "scap/savefile.h"
#include "scap/snapshot.h"
#include "sinsp/inspector.h"
#include "test_paths.h"

namespace {

// What reached the sink, in order.
struct recording_sink final : scap::snapshot_sink {
    std::vector<scap::process_info> processes;
    std::vector<std::pair<uint64_t, scap::fd_info>> fds;
    uint64_t fd_owner = 0;
    void add_process(scap::process_info&& p) override { processes.push_back(std::move(p)); }
    bool begin_fds(uint64_t tid) override {
        fd_owner = tid;
        for (const auto& p : processes)
            if (p.tid == tid) return true;
        return false;
    }
    void add_fd(scap::fd_info&& fd) override { fds.emplace_back(fd_owner, std::move(fd)); }
};

scap::fd_info ipv4_socket(int64_t num, scap::fd_type type, uint32_t sip, uint16_t sport, uint32_t dip,
                          uint16_t dport) {
    scap::fd_info f;
    f.fd = num;
    f.type = type;
    f.sip = sip;
    f.sport = sport;
    f.dip = dip;
    f.dport = dport;
    f.l4proto = 3;  // TCP
    return f;
}

// Processes of two threads each (fds listed on the main thread), a server listening on 8080 with
// an accepted connection, a client of it, files and a user.
scap::snapshot small_host() {
    scap::snapshot snap;
    for (uint64_t i = 0; i < 40; ++i) {
        const uint64_t pid = 1000 + 10 * i;
        for (uint64_t k = 0; k < 2; ++k) {
            scap::process_info p;
            p.tid = pid + k;
            p.pid = pid;
            p.ptid = 1;
            p.comm = "proc" + std::to_string(i);
            p.exe = "/usr/bin/" + p.comm;
            p.exepath = p.exe;
            p.args = std::string("-n") + '\0';
            p.cgroups = std::string("cpu=/svc") + std::to_string(i % 3) + '\0';
            p.cwd = "/srv/" + std::to_string(i) + "/";
            p.root = "/";
            p.uid = static_cast<uint32_t>(i % 2);
            if (k == 0) {
                scap::fd_info f;
                f.fd = 3;
                f.type = scap::fd_type::file_v2;
                f.name = "/var/log/p" + std::to_string(i);
                f.ino = 500 + i;
                p.fds.push_back(f);
            }
            snap.upsert_process(std::move(p));
        }
    }
    const uint32_t local = 0x0100007f;  // 127.0.0.1, network order as stored
    snap.find_process(1000)->fds.push_back(ipv4_socket(4, scap::fd_type::ipv4_servsock, 0, 8080, 0, 0));
    snap.find_process(1000)->fds.push_back(
        ipv4_socket(5, scap::fd_type::ipv4_sock, local, 8080, local, 41000));
    snap.find_process(1010)->fds.push_back(
        ipv4_socket(4, scap::fd_type::ipv4_sock, local, 41000, local, 8080));
    snap.users.push_back({0, 0, "root", "/root", "/bin/sh"});
    snap.groups.push_back({0, "root"});
    snap.has_userlist = true;
    return snap;
}

std::string write_capture(const scap::snapshot& snap, const std::string& name) {
    const std::string path = scap_test::temp_dir(name) + "/c.scap";
    std::string err;
    auto d = scap::dumper::open(path, false, snap, err);
    EXPECT_TRUE(d) << err;
    if (d) {
        EXPECT_EQ(d->close(), scap::status::ok) << d->last_error();
    }
    return path;
}

TEST(SnapshotStreaming, EngineHandsItsListsToTheSinkAndKeepsNone) {
    const scap::snapshot in = small_host();
    const std::string path = write_capture(in, "stream_sink");
    recording_sink sink;
    scap::savefile_options opts;
    opts.path = path;
    opts.processes_to = &sink;
    std::string err;
    auto eng = scap::open_savefile(opts, err);
    ASSERT_TRUE(eng) << err;
    ASSERT_EQ(sink.processes.size(), in.processes.size());
    EXPECT_EQ(sink.fds.size(), in.fd_count());
    for (const auto& [tid, fd] : sink.fds) {
        const scap::process_info* owner = in.find_process(tid);
        ASSERT_NE(owner, nullptr) << tid;
        bool listed = false;
        for (const auto& f : owner->fds) listed |= f.fd == fd.fd && f.name == fd.name && f.sport == fd.sport;
        EXPECT_TRUE(listed) << "fd " << fd.fd << " of " << tid;
    }
    EXPECT_EQ(sink.processes[5].comm, in.processes[5].comm);
    EXPECT_EQ(sink.processes[5].cwd, in.processes[5].cwd);
    // The engine's snapshot has the rest, not the processes.
    const scap::snapshot& kept = eng->get_snapshot();
    EXPECT_TRUE(kept.processes.empty());
    ASSERT_EQ(kept.users.size(), 1u);
    EXPECT_EQ(kept.users[0].name, "root");
    scap::engine_stats st;
    eng->get_stats(st);
    bool counted = false;
    for (const auto& [name, value] : st.extra)
        if (name == "snapshot_processes") counted = value == in.processes.size();
    EXPECT_TRUE(counted) << "snapshot_processes counts the processes handed to the sink";
    scap::event_ref ref;
    EXPECT_EQ(eng->next(ref), scap::status::eof);
}

// Thread by thread, fd by fd: what the state holds after its first event.
void expect_same_state(sinsp::inspector& whole, sinsp::inspector& streamed, const std::string& what) {
    ASSERT_EQ(whole.threads().size(), streamed.threads().size()) << what;
    size_t fds_compared = 0;
    whole.threads().for_each([&](const sinsp::thread_info& a) {
        const sinsp::thread_info* b = streamed.threads().find(a.tid);
        ASSERT_NE(b, nullptr) << what << " tid " << a.tid;
        EXPECT_EQ(a.pid, b->pid) << what << " tid " << a.tid;
        EXPECT_EQ(a.ptid, b->ptid);
        EXPECT_EQ(whole.str(a.comm), streamed.str(b->comm)) << what << " tid " << a.tid;
        EXPECT_EQ(whole.str(a.exepath), streamed.str(b->exepath));
        EXPECT_EQ(whole.str(a.args), streamed.str(b->args));
        EXPECT_EQ(whole.str(a.cgroups), streamed.str(b->cgroups));
        EXPECT_EQ(whole.str(a.container_id), streamed.str(b->container_id));
        EXPECT_EQ(whole.cwd(a), streamed.cwd(*b)) << what << " tid " << a.tid;
        EXPECT_EQ(a.uid, b->uid);
        EXPECT_EQ(a.live_threads, b->live_threads) << what << " tid " << a.tid;
        EXPECT_EQ(a.state, b->state);
        // Threads share their process's fd table and fs context in both, or in neither.
        const sinsp::thread_info* ma = whole.threads().find(a.pid);
        const sinsp::thread_info* mb = streamed.threads().find(b->pid);
        ASSERT_EQ(ma != nullptr, mb != nullptr);
        if (ma) {
            EXPECT_EQ(a.fds == ma->fds, b->fds == mb->fds) << what << " tid " << a.tid;
            EXPECT_EQ(a.fs == ma->fs, b->fs == mb->fs) << what << " tid " << a.tid;
        }
        ASSERT_EQ(a.fds != nullptr, b->fds != nullptr);
        if (!a.fds) return;
        ASSERT_EQ(a.fds->size(), b->fds->size()) << what << " tid " << a.tid;
        a.fds->for_each([&](int64_t num, const sinsp::fd_info& fa) {
            const sinsp::fd_info* fb = b->fds->find(num);
            ASSERT_NE(fb, nullptr) << what << " tid " << a.tid << " fd " << num;
            EXPECT_EQ(fa.name, fb->name);
            EXPECT_EQ(fa.kind, fb->kind);
            EXPECT_EQ(fa.role, fb->role) << what << " tid " << a.tid << " fd " << num;
            EXPECT_EQ(std::memcmp(&fa.tuple, &fb->tuple, sizeof fa.tuple), 0) << what << " fd " << num;
            EXPECT_EQ(fa.ino, fb->ino);
            ++fds_compared;
        });
    });
    EXPECT_EQ(whole.stats().state_bytes, streamed.stats().state_bytes) << what;
    // Every shared capture has a snapshot with fds: a comparison that saw none compared nothing.
    EXPECT_GT(fds_compared, 0u) << what;
}

void compare_loads(const std::string& path, const std::string& what) {
    sinsp::inspector_options keep;
    keep.keep_engine_processes = true;  // the engine keeps its snapshot: loaded whole
    sinsp::inspector whole(keep);
    sinsp::inspector streamed;
    std::string err;
    ASSERT_EQ(whole.open_file(path, err), scap::status::ok) << err;
    ASSERT_EQ(streamed.open_file(path, err), scap::status::ok) << err;
    EXPECT_FALSE(whole.engine()->get_snapshot().processes.empty()) << what;
    EXPECT_TRUE(streamed.engine()->get_snapshot().processes.empty()) << what;
    const sinsp::event* e = nullptr;
    const scap::status sa = whole.next(e);
    const scap::status sb = streamed.next(e);
    ASSERT_EQ(sa, sb) << what;
    expect_same_state(whole, streamed, what);
}

TEST(SnapshotStreaming, StateEqualsTheWholeLoadOnAMadeUpHost) {
    const std::string path = write_capture(small_host(), "stream_state");
    compare_loads(path, "made-up host");
    // The server's accepted connection is turned around (client -> server), the client's is not.
    sinsp::inspector insp;
    std::string err;
    ASSERT_EQ(insp.open_file(path, err), scap::status::ok) << err;
    const sinsp::event* e = nullptr;
    insp.next(e);
    const sinsp::thread_info* server = insp.threads().find(1000);
    ASSERT_NE(server, nullptr);
    const sinsp::fd_info* accepted = server->fds->find(5);
    ASSERT_NE(accepted, nullptr);
    EXPECT_EQ(accepted->role, sinsp::sock_role::server);
    EXPECT_EQ(accepted->tuple.sport, 41000);
    EXPECT_EQ(accepted->tuple.dport, 8080);
    const sinsp::thread_info* second = insp.threads().find(1001);
    ASSERT_NE(second, nullptr);
    EXPECT_EQ(second->fds, server->fds);
    EXPECT_EQ(server->live_threads, 2u);
}

TEST(SnapshotStreaming, StateEqualsTheWholeLoadOnTheSharedCaptures) {
    size_t captures = 0;
    for (const std::string& path : scap_test::shared_captures()) {
        compare_loads(path, path);
        ++captures;
    }
    EXPECT_GE(captures, 10u);
}

}  // namespace
