// File syscalls with real paths: converted flags, modes, dirfds, the created fd's device and
// inode, and failures that still carry the path.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <cstring>
#include <algorithm>

#include <gtest/gtest.h>

#include "event_asserts.h"
#include "scratch_dir.h"

namespace drvtest {
namespace {

// "dev" is the exported (new_encode_dev) encoding, the one stat() gives userspace, not the
// kernel's internal major << 20 | minor.
uint32_t kernel_dev(dev_t d) {
    const uint32_t ma = major(d), mi = minor(d);
    return (mi & 0xffu) | (ma << 8) | ((mi & ~0xffu) << 12);
}

TEST(DriverFiles, OpenatCreatesWithConvertedFlagsDevAndInode) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    int fd = -1;
    struct stat st {};
    run_result r = s->run_here([&] {
        fd = static_cast<int>(
            syscall(SYS_openat, dir.fd(), "new", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
        fstat(fd, &st);
        close(fd);
    });
    ASSERT_GE(fd, 0);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_OPENAT_2_X, v));
    EXPECT_EQ(sint(v, "fd"), fd);
    EXPECT_EQ(sint(v, "dirfd"), dir.fd());
    EXPECT_EQ(str(v, "name"), "new");
    const uint64_t want = flag(scap_flags_file_flags, "O_WRONLY") | flag(scap_flags_file_flags, "O_CREAT") |
                          flag(scap_flags_file_flags, "O_EXCL") | flag(scap_flags_file_flags, "O_CLOEXEC");
    // O_F_CREATED (the file did not exist) is the one bit a driver may add on top.
    EXPECT_EQ(uint(v, "flags") & ~flag(scap_flags_file_flags, "O_F_CREATED"), want);
    EXPECT_EQ(uint(v, "mode"), 0640u);
    EXPECT_EQ(uint(v, "dev"), kernel_dev(st.st_dev));
    EXPECT_EQ(uint(v, "ino"), st.st_ino);
}

TEST(DriverFiles, OpenatFailureKeepsThePath) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    const std::string missing = dir / "missing/file";
    run_result r = s->run_here([&] { syscall(SYS_openat, AT_FDCWD, missing.c_str(), O_RDONLY); });
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_OPENAT_2_X, v));
    EXPECT_EQ(sint(v, "fd"), -ENOENT);
    EXPECT_EQ(sint(v, "dirfd"), AT_FDCWD);
    EXPECT_EQ(str(v, "name"), missing);
    EXPECT_EQ(uint(v, "flags"), flag(scap_flags_file_flags, "O_RDONLY"));
    EXPECT_EQ(uint(v, "dev"), 0u);
    EXPECT_EQ(uint(v, "ino"), 0u);
}

// Paths at and around the entry record's inline room (248 bytes with the NUL) and far beyond
// it: the long ones are saved in a second map and must come back whole, for a success and for
// a failure (a missing path is never created, so only the entry copy can report it).
TEST(DriverFiles, LongPathsSurviveTheEntryRecord) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    for (const size_t want_len : {size_t{247}, size_t{248}, size_t{600}, size_t{3000}}) {
        // dir/ddd.../ddd... made of 100-byte components, the last one trimmed to the length.
        std::string path = dir.path();
        while (path.size() + 101 < want_len) {
            path += "/" + std::string(100, 'd');
            ASSERT_TRUE(mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) << path.size();
        }
        ASSERT_LT(path.size() + 1, want_len);
        const std::string file = path + "/" + std::string(want_len - path.size() - 1, 'f');
        ASSERT_EQ(file.size(), want_len);
        const std::string missing = file + "x/y";
        long fd = -1;
        run_result r = s->run_here([&] {
            fd = syscall(SYS_openat, AT_FDCWD, file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (fd >= 0) close(static_cast<int>(fd));
            syscall(SYS_openat, AT_FDCWD, missing.c_str(), O_RDONLY);
        });
        ASSERT_GE(fd, 0) << want_len;
        std::vector<std::string> names;
        for (const owned_event* e : r.all(PPME_SYSCALL_OPENAT_2_X)) names.push_back(str(e->view(), "name"));
        ASSERT_EQ(names.size(), 2u) << want_len;
        EXPECT_EQ(names[0], file) << want_len;
        EXPECT_EQ(names[1], missing) << want_len;
    }
}

// The modern driver builds open, openat and creat in place in one of two record classes chosen by
// the path's length (64 bytes with the NUL, then the entry record's inline room) and leaves the
// rest to its table filler: every engine must give the same event either side of each boundary.
// Each path is created (O_F_CREATED, the new file's dev and inode), opened again (no
// O_F_CREATED) and opened below a missing directory (an error, no file facts).
TEST(DriverFiles, OpenFamilyPathsEitherSideOfTheRecordClasses) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    const uint64_t created_bit = flag(scap_flags_file_flags, "O_F_CREATED");
    const uint64_t rdwr_creat =
        flag(scap_flags_file_flags, "O_RDWR") | flag(scap_flags_file_flags, "O_CREAT");
    // A 100-byte directory level keeps every length reachable under the scratch directory.
    const std::string deep = dir / std::string(100, 'd');
    ASSERT_EQ(mkdir(deep.c_str(), 0700), 0);
    for (const size_t len : {size_t{62}, size_t{63}, size_t{64}, size_t{65}, size_t{180}, size_t{246},
                             size_t{247}, size_t{248}}) {
        const std::string& base = len > deep.size() + 1 ? deep : dir.path();
        ASSERT_LT(base.size() + 1, len);
        for (const int call : {SYS_open, SYS_openat, SYS_creat}) {
            const char tag = call == SYS_open ? 'o' : call == SYS_openat ? 'a' : 'c';
            const std::string file = base + "/" + std::string(len - base.size() - 2, 'f') + tag;
            ASSERT_EQ(file.size(), len);
            const std::string missing = file.substr(0, len - 3) + "/x";  // ".../fff/x": no such dir
            const auto open_it = [&](const std::string& p) {
                if (call == SYS_open) return syscall(SYS_open, p.c_str(), O_RDWR | O_CREAT, 0640);
                if (call == SYS_openat)
                    return syscall(SYS_openat, AT_FDCWD, p.c_str(), O_RDWR | O_CREAT, 0640);
                return syscall(SYS_creat, p.c_str(), 0640);
            };
            long fds[3] = {-1, -1, -1};
            struct stat st {};
            run_result r = s->run_here([&] {
                fds[0] = open_it(file);
                fds[1] = open_it(file);
                fds[2] = open_it(missing) < 0 ? -errno : -1;  // the event carries -errno
                fstat(static_cast<int>(fds[0]), &st);
                for (long fd : fds)
                    if (fd >= 0) close(static_cast<int>(fd));
            });
            const std::string what = std::string(1, tag) + " length " + std::to_string(len);
            ASSERT_GE(fds[0], 0) << what;
            ASSERT_GE(fds[1], 0) << what;
            ASSERT_EQ(fds[2], -ENOENT) << what;
            const uint16_t code = call == SYS_open     ? PPME_SYSCALL_OPEN_X
                                  : call == SYS_openat ? PPME_SYSCALL_OPENAT_2_X
                                                       : PPME_SYSCALL_CREAT_X;
            const std::vector<const owned_event*> evts = r.all(code);
            ASSERT_EQ(evts.size(), 3u) << what;
            for (size_t i = 0; i < 3; ++i) {
                const scap::event_view v = evts[i]->view();
                const std::string one = what + " call " + std::to_string(i);
                EXPECT_EQ(sint(v, "fd"), fds[i]) << one;
                EXPECT_EQ(str(v, "name"), i == 2 ? missing : file) << one;
                EXPECT_EQ(uint(v, "mode"), 0640u) << one;
                EXPECT_EQ(uint(v, "dev"), i == 2 ? 0u : kernel_dev(st.st_dev)) << one;
                EXPECT_EQ(uint(v, "ino"), i == 2 ? 0u : st.st_ino) << one;
                if (call == SYS_creat) continue;  // creat has no flags parameter
                EXPECT_EQ(uint(v, "flags") & ~created_bit, rdwr_creat) << one;
                EXPECT_EQ(uint(v, "flags") & created_bit, i == 0 ? created_bit : 0u) << one;
            }
            if (call == SYS_openat) {
                EXPECT_EQ(sint(evts[0]->view(), "dirfd"), AT_FDCWD) << what;
            }
        }
    }
}

// The point of the entry hooks: a path changed in user memory while openat sleeps is reported
// as the kernel read it at entry. The opener blocks on a FIFO until the other thread, having
// overwritten the path buffer, opens the write end. A short path (saved inline) and a long one
// (saved in the second map) both come back unchanged; read at exit they would be all 'Z'.
TEST(DriverFiles, OpenatReportsThePathAsItWasAtEntry) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    for (const size_t name_len : {size_t{8}, size_t{600}}) {
        std::string fifo = dir.path();
        while (fifo.size() + 101 < name_len) {
            fifo += "/" + std::string(100, 'd');
            ASSERT_TRUE(mkdir(fifo.c_str(), 0700) == 0 || errno == EEXIST);
        }
        fifo += "/" + std::string(std::max<size_t>(4, name_len - std::min(name_len, fifo.size() + 1)), 'p');
        ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << fifo.size();
        const std::string overwritten(fifo.size(), 'Z');
        run_result r = s->run_in_child([&] {
            static char buf[4096];
            std::memcpy(buf, fifo.c_str(), fifo.size() + 1);
            long fd = -1;
            std::thread opener([&] { fd = syscall(SYS_openat, AT_FDCWD, buf, O_RDONLY | O_CLOEXEC); });
            usleep(200 * 1000);  // the opener is asleep in openat, its path long read
            std::memset(buf, 'Z', fifo.size());
            const int w = open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
            opener.join();
            return fd >= 0 && w >= 0 ? 0 : 1;
        });
        ASSERT_TRUE(r.complete) << fifo.size();
        ASSERT_TRUE(WIFEXITED(r.wait_status) && WEXITSTATUS(r.wait_status) == 0) << fifo.size();
        int reader_events = 0;
        for (const owned_event* e : r.all(PPME_SYSCALL_OPENAT_2_X)) {
            const scap::event_view v = e->view();
            EXPECT_NE(str(v, "name"), overwritten) << fifo.size();
            if (str(v, "name") == fifo && sint(v, "fd") >= 0 &&
                (uint(v, "flags") & flag(scap_flags_file_flags, "O_RDONLY")))
                ++reader_events;
        }
        EXPECT_EQ(reader_events, 1) << fifo.size();
    }
}

// open_by_handle_at names no path: the driver reports the opened file's own path.
TEST(DriverFiles, OpenByHandleAtReportsTheFilesPath) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    const std::string file = dir / "handled";
    const int made = open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(made, 0);
    close(made);
    struct {
        file_handle h;
        unsigned char bytes[MAX_HANDLE_SZ];
    } handle{};
    handle.h.handle_bytes = MAX_HANDLE_SZ;
    int mount_id = 0;
    if (name_to_handle_at(AT_FDCWD, file.c_str(), &handle.h, &mount_id, 0) != 0)
        GTEST_SKIP() << "the filesystem of " << dir.path()
                     << " has no file handles: " << std::strerror(errno);
    long fd = -1;
    run_result r =
        s->run_here([&] { fd = syscall(SYS_open_by_handle_at, dir.fd(), &handle.h, O_RDONLY | O_CLOEXEC); });
    ASSERT_GE(fd, 0) << std::strerror(errno);
    struct stat st {};
    fstat(static_cast<int>(fd), &st);
    close(static_cast<int>(fd));
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_OPEN_BY_HANDLE_AT_X, v));
    EXPECT_EQ(sint(v, "fd"), fd);
    EXPECT_EQ(sint(v, "mountfd"), dir.fd());
    char* real = realpath(file.c_str(), nullptr);
    ASSERT_NE(real, nullptr);
    EXPECT_EQ(str(v, "path"), real);
    free(real);
    EXPECT_EQ(uint(v, "ino"), st.st_ino);
}

// fsconfig's value is a string only for the commands that take one.
TEST(DriverFiles, FsconfigValueIsAStringForStringCommands) {
    DRV_SESSION_OR_SKIP(s);
    const long fs = syscall(SYS_fsopen, "tmpfs", 0);
    if (fs < 0) GTEST_SKIP() << "fsopen(tmpfs) unavailable here: " << std::strerror(errno);
    long set_string = -1, set_flag = -1;
    run_result r = s->run_here([&] {
        set_string = syscall(SYS_fsconfig, fs, 1 /* FSCONFIG_SET_STRING */, "size", "1m", 0);
        set_flag = syscall(SYS_fsconfig, fs, 0 /* FSCONFIG_SET_FLAG */, "ro", nullptr, 0);
    });
    close(static_cast<int>(fs));
    ASSERT_EQ(set_string, 0);
    ASSERT_EQ(set_flag, 0);
    const std::vector<const owned_event*> evs = r.all(PPME_SYSCALL_FSCONFIG_X);
    ASSERT_EQ(evs.size(), 2u);
    EXPECT_EQ(uint(evs[0]->view(), "cmd"), flag(scap_flags_fsconfig_cmds, "FSCONFIG_SET_STRING"));
    EXPECT_EQ(str(evs[0]->view(), "key"), "size");
    EXPECT_EQ(str(evs[0]->view(), "value_charbuf"), "1m");
    EXPECT_EQ(str(evs[1]->view(), "key"), "ro");
    EXPECT_TRUE(param(evs[1]->view(), "value_charbuf").empty());
}

TEST(DriverFiles, Openat2CarriesHowFields) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    open_how how{};
    how.flags = O_RDWR | O_CREAT | O_TRUNC;
    how.mode = 0600;
    how.resolve = RESOLVE_NO_SYMLINKS;
    long fd = -1;
    struct stat st {};
    run_result r = s->run_here([&] {
        fd = syscall(SYS_openat2, dir.fd(), "two", &how, sizeof how);
        fstat(static_cast<int>(fd), &st);
        close(static_cast<int>(fd));
    });
    ASSERT_GE(fd, 0);
    scap::event_view v;
    ASSERT_TRUE(find(r, PPME_SYSCALL_OPENAT2_X, v));
    EXPECT_EQ(sint(v, "fd"), fd);
    EXPECT_EQ(sint(v, "dirfd"), dir.fd());
    EXPECT_EQ(str(v, "name"), "two");
    const uint64_t want = flag(scap_flags_file_flags, "O_RDWR") | flag(scap_flags_file_flags, "O_CREAT") |
                          flag(scap_flags_file_flags, "O_TRUNC");
    EXPECT_EQ(uint(v, "flags") & ~flag(scap_flags_file_flags, "O_F_CREATED"), want);
    EXPECT_EQ(uint(v, "mode"), 0600u);
    EXPECT_EQ(uint(v, "resolve"), RESOLVE_NO_SYMLINKS);  // the schema's openat2 bits are the kernel's
    EXPECT_EQ(uint(v, "dev"), kernel_dev(st.st_dev));
    EXPECT_EQ(uint(v, "ino"), st.st_ino);
}

TEST(DriverFiles, CreatSuccessAndFailure) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    const std::string path = dir / "c";
    const std::string bad = dir / "no/such";
    long fd = -1;
    struct stat st {};
    run_result r = s->run_here([&] {
        fd = syscall(SYS_creat, path.c_str(), 0604);
        fstat(static_cast<int>(fd), &st);
        close(static_cast<int>(fd));
        syscall(SYS_creat, bad.c_str(), 0600);
    });
    ASSERT_GE(fd, 0);
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_CREAT_X, [&](const scap::event_view& e) { return str(e, "name") == path; }, v));
    EXPECT_EQ(sint(v, "fd"), fd);
    EXPECT_EQ(uint(v, "mode"), 0604u);
    EXPECT_EQ(uint(v, "dev"), kernel_dev(st.st_dev));
    EXPECT_EQ(uint(v, "ino"), st.st_ino);
    EXPECT_EQ(uint(v, "creat_flags"), 0u);  // not on an overlay filesystem
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_CREAT_X, [&](const scap::event_view& e) { return str(e, "name") == bad; }, v));
    EXPECT_EQ(sint(v, "fd"), -ENOENT);
}

TEST(DriverFiles, MkdiratUnlinkatRenameat2LinkatSymlinkat) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    const int d = dir.fd();
    long mk = -1, ln = -1, sym = -1, ren = -1, unl = -1, rmd = -1, again = 0;
    run_result r = s->run_here([&] {
        mk = syscall(SYS_mkdirat, d, "sub", 0711);
        again = syscall(SYS_mkdirat, d, "sub", 0711);
        close(static_cast<int>(syscall(SYS_openat, d, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600)));
        ln = syscall(SYS_linkat, d, "f", d, "sub/hard", 0);
        sym = syscall(SYS_symlinkat, "target/of/link", d, "sym");
        ren = syscall(SYS_renameat2, d, "sub/hard", d, "moved", RENAME_NOREPLACE);
        unl = syscall(SYS_unlinkat, d, "moved", 0);
        rmd = syscall(SYS_unlinkat, d, "sub", AT_REMOVEDIR);
    });
    ASSERT_EQ(mk, 0);
    ASSERT_EQ(again, -1);
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_MKDIRAT_X, [](const scap::event_view& e) { return sint(e, "res") == 0; }, v));
    EXPECT_EQ(sint(v, "dirfd"), d);
    EXPECT_EQ(str(v, "path"), "sub");
    EXPECT_EQ(uint(v, "mode"), 0711u);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_MKDIRAT_X, [](const scap::event_view& e) { return sint(e, "res") != 0; }, v));
    EXPECT_EQ(sint(v, "res"), -EEXIST);
    EXPECT_EQ(str(v, "path"), "sub");

    ASSERT_TRUE(find(r, PPME_SYSCALL_LINKAT_2_X, v));
    EXPECT_EQ(sint(v, "res"), ln);
    EXPECT_EQ(sint(v, "olddir"), d);
    EXPECT_EQ(str(v, "oldpath"), "f");
    EXPECT_EQ(sint(v, "newdir"), d);
    EXPECT_EQ(str(v, "newpath"), "sub/hard");
    EXPECT_EQ(uint(v, "flags"), 0u);

    ASSERT_TRUE(find(r, PPME_SYSCALL_SYMLINKAT_X, v));
    EXPECT_EQ(sint(v, "res"), sym);
    EXPECT_EQ(str(v, "target"), "target/of/link");
    EXPECT_EQ(sint(v, "linkdirfd"), d);
    EXPECT_EQ(str(v, "linkpath"), "sym");

    ASSERT_TRUE(find(r, PPME_SYSCALL_RENAMEAT2_X, v));
    EXPECT_EQ(sint(v, "res"), ren);
    EXPECT_EQ(sint(v, "olddirfd"), d);
    EXPECT_EQ(str(v, "oldpath"), "sub/hard");
    EXPECT_EQ(sint(v, "newdirfd"), d);
    EXPECT_EQ(str(v, "newpath"), "moved");
    EXPECT_EQ(uint(v, "flags"), flag(scap_flags_renameat2_flags, "RENAME_NOREPLACE"));

    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_UNLINKAT_2_X, [](const scap::event_view& e) { return str(e, "name") == "moved"; },
        v));
    EXPECT_EQ(sint(v, "res"), unl);
    EXPECT_EQ(sint(v, "dirfd"), d);
    EXPECT_EQ(uint(v, "flags"), 0u);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_UNLINKAT_2_X, [](const scap::event_view& e) { return str(e, "name") == "sub"; }, v));
    EXPECT_EQ(sint(v, "res"), rmd);
    EXPECT_EQ(uint(v, "flags"), flag(scap_flags_unlinkat_flags, "AT_REMOVEDIR"));
}

TEST(DriverFiles, ChdirAndFchdir) {
    DRV_SESSION_OR_SKIP(s);
    scratch_dir dir;
    const std::string bad = dir / "absent";
    // The working directory is per process: change it in a child.
    run_result r = s->run_in_child([&] {
        syscall(SYS_chdir, dir.path().c_str());
        syscall(SYS_chdir, bad.c_str());
        syscall(SYS_fchdir, dir.fd());
        syscall(SYS_fchdir, 999);
        return 0;
    });
    ASSERT_TRUE(r.complete);
    scap::event_view v;
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_CHDIR_X, [&](const scap::event_view& e) { return str(e, "path") == dir.path(); }, v));
    EXPECT_EQ(sint(v, "res"), 0);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_CHDIR_X, [&](const scap::event_view& e) { return str(e, "path") == bad; }, v));
    EXPECT_EQ(sint(v, "res"), -ENOENT);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_FCHDIR_X, [&](const scap::event_view& e) { return sint(e, "fd") == dir.fd(); }, v));
    EXPECT_EQ(sint(v, "res"), 0);
    ASSERT_TRUE(find_if(
        r, PPME_SYSCALL_FCHDIR_X, [&](const scap::event_view& e) { return sint(e, "fd") == 999; }, v));
    EXPECT_EQ(sint(v, "res"), -EBADF);
}

}  // namespace
}  // namespace drvtest
