// Closing a process scan's files in batches (proc/proc_close_batch.h): what the worker's
// private fd table keeps and closes, that the rest of the process never sees it, and that the
// whole /proc snapshot comes out the same whether its workers batch their closes or not.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "proc/proc_close_batch.h"
#include "proc/proc_io.h"
#include "scap/proc_snapshot.h"

namespace {

// The descriptors in this process's table (the thread-group leader's, which /proc/self/fd
// shows; the test thread is the leader).
std::vector<int> own_fds() {
    std::vector<int> out;
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return out;
    const int skip = ::dirfd(d);
    while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        const int fd = std::atoi(e->d_name);
        if (fd != skip) out.push_back(fd);
    }
    ::closedir(d);
    return out;
}

bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) >= 0;
}

TEST(ProcCloseBatch, KeepsFilesUntilCloseAllInAPrivateTable) {
    const int proc_dir = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(proc_dir, 0);
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(devnull, 0);
    const std::vector<int> before = own_fds();
    bool entered = false, kept_root = false, others_gone = false, left_open = false, closed_all = false;
    bool high_closed_at_once = false;
    std::thread worker([&] {
        entered = scap::proc::close_batch::enter(proc_dir);
        if (!entered) return;
        // Only the kept directory is in the thread's table now, renumbered.
        const int kept = scap::proc::close_batch::k_kept_fd;
        kept_root = is_open(kept) && ::faccessat(kept, "self/stat", R_OK, 0) == 0;
        others_gone = !is_open(devnull) && (proc_dir == kept || !is_open(proc_dir));
        int last = -1;
        {
            scap::proc::buffer buf;
            for (int i = 0; i < 3; ++i) {
                scap::proc::unique_fd f = scap::proc::open_dir_at(kept, "self");
                last = f.get();
                if (buf.read_at(kept, "self/stat") != scap::proc::io_result::ok) return;
            }
        }
        // The unique_fds are gone, their files are not: each open took a new number.
        left_open = last > kept && is_open(last) && is_open(last - 1);
        // Past the bound a file is closed when its owner goes, or a process with thousands of
        // files would run the thread out of descriptors.
        const int high = ::fcntl(kept, F_DUPFD_CLOEXEC, scap::proc::close_batch::k_max_deferred_fd + 10);
        { scap::proc::unique_fd f(high); }
        high_closed_at_once = high > 0 && !is_open(high);
        scap::proc::close_batch::close_all();
        closed_all = !is_open(last) && !is_open(kept + 1) && is_open(kept);
    });
    worker.join();
    if (!entered) GTEST_SKIP() << "unshare(CLONE_FILES) or close_range refused here";
    EXPECT_TRUE(kept_root);
    EXPECT_TRUE(others_gone);
    EXPECT_TRUE(left_open);
    EXPECT_TRUE(high_closed_at_once);
    EXPECT_TRUE(closed_all);
    // The rest of the process kept every descriptor it had, and saw none of the worker's.
    EXPECT_TRUE(is_open(devnull));
    EXPECT_TRUE(is_open(proc_dir));
    EXPECT_EQ(own_fds(), before);
    ::close(devnull);
    ::close(proc_dir);
}

// Children holding many files: one with more than the batch bound (its fdinfo reads go past
// it), the others a few each.
class children_with_files {
  public:
    explicit children_with_files(int n) {
        int ready[2];
        if (::pipe2(ready, O_CLOEXEC) != 0) return;
        for (int i = 0; i < n; ++i) {
            const pid_t p = ::fork();
            if (p == 0) {
                const int files = i == 0 ? scap::proc::close_batch::k_max_deferred_fd + 200 : 1 + i % 4;
                for (int f = 0; f < files; ++f)
                    if (::open("/dev/null", f % 2 ? O_RDONLY : O_WRONLY | O_APPEND) < 0) ::_exit(1);
                const char c = 1;
                if (::write(ready[1], &c, 1) != 1) ::_exit(1);
                for (;;) ::pause();
            }
            if (p > 0) m_pids.push_back(p);
        }
        ::close(ready[1]);
        char c;
        for (size_t got = 0; got < m_pids.size() && ::read(ready[0], &c, 1) == 1;) ++got;
        ::close(ready[0]);
    }
    ~children_with_files() {
        for (pid_t p : m_pids) ::kill(p, SIGKILL);
        for (pid_t p : m_pids) ::waitpid(p, nullptr, 0);
    }
    const std::vector<pid_t>& pids() const { return m_pids; }

  private:
    std::vector<pid_t> m_pids;
};

TEST(ProcCloseBatch, SnapshotEqualsFileByFileCloses) {
    // More children than a chunk of pids, so the scan runs on worker threads.
    children_with_files kids(80);
    ASSERT_EQ(kids.pids().size(), 80u);
    auto scan = [](bool batch) {
        scap::proc_snapshot_options o;
        o.scan_threads = 2;
        o.batch_closes = batch;
        o.read_users = o.read_interfaces = o.read_machine = false;
        scap::snapshot snap;
        std::string err;
        EXPECT_EQ(scap::read_proc_snapshot(o, snap, err), scap::status::ok) << err;
        return snap;
    };
    const std::vector<int> before = own_fds();
    const scap::snapshot batched = scan(true);
    EXPECT_EQ(own_fds(), before) << "the batched scan left descriptors in the process";
    const scap::snapshot single = scan(false);
    EXPECT_EQ(own_fds(), before);

    for (pid_t k : kids.pids()) {
        const auto* a = batched.find_process(static_cast<uint64_t>(k));
        const auto* b = single.find_process(static_cast<uint64_t>(k));
        ASSERT_NE(a, nullptr) << k;
        ASSERT_NE(b, nullptr) << k;
        EXPECT_EQ(a->comm, b->comm);
        EXPECT_EQ(a->exepath, b->exepath);
        EXPECT_EQ(a->args, b->args);
        EXPECT_EQ(a->env, b->env);
        EXPECT_EQ(a->cwd, b->cwd);
        EXPECT_EQ(a->root, b->root);
        EXPECT_EQ(a->cgroups, b->cgroups);
        EXPECT_EQ(a->loginuid, b->loginuid);
        EXPECT_EQ(a->exe_ino, b->exe_ino);
        EXPECT_EQ(a->fdlimit, b->fdlimit);
        ASSERT_EQ(a->fds.size(), b->fds.size()) << k;
        size_t null_files = 0;
        for (size_t f = 0; f < a->fds.size(); ++f) {
            EXPECT_EQ(a->fds[f].fd, b->fds[f].fd) << k;
            EXPECT_EQ(a->fds[f].name, b->fds[f].name) << k;
            EXPECT_EQ(a->fds[f].type, b->fds[f].type) << k;
            EXPECT_EQ(a->fds[f].ino, b->fds[f].ino) << k;
            EXPECT_EQ(a->fds[f].dev, b->fds[f].dev) << k;
            EXPECT_EQ(a->fds[f].open_flags, b->fds[f].open_flags) << k;
            if (a->fds[f].name == "/dev/null" && a->fds[f].open_flags != 0) ++null_files;
        }
        // Every file the child opened came with its flags, past the bound too.
        const size_t opened = k == kids.pids()[0] ? scap::proc::close_batch::k_max_deferred_fd + 200 : 0;
        EXPECT_GE(null_files, opened) << k;
        EXPECT_GE(null_files, 1u) << k;
    }
}

}  // namespace
