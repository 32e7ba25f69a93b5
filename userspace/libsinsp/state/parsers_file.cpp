// fds that are not sockets: open family, pipes, the anonymous-inode kinds (eventfd, signalfd,
// timerfd, inotify, epoll, memfd, userfaultfd, io_uring, pidfd, bpf), dup/fcntl copies, close.
#include "state/core.h"
#include "state/helpers.h"

namespace sinsp {

namespace {

constexpr uint32_t k_o_creat = 0x4, k_o_wronly = 0x2, k_o_trunc = 0x100;
constexpr uint32_t k_close_range_unshare = 0x2, k_close_range_cloexec = 0x4;
constexpr uint32_t k_f_dupfd = 0x1, k_f_dupfd_cloexec = 0x1a, k_f_setfd = 0x3;  // PPM_FCNTL_* codes
constexpr uint64_t k_fd_cloexec = 1;  // FD_CLOEXEC, fcntl's own flag value

std::string_view cwd_of(const parse_ctx& c) {
    return c.thr->fs ? c.core.strings.get(c.thr->fs->cwd) : std::string_view{};
}

// open, openat, openat2, creat, open_by_handle_at. Relative names resolve against the dirfd's
// path, or the cwd for AT_FDCWD and for the calls without a dirfd.
enum open_slot { o_fd, o_dirfd, o_name, o_flags, o_dev, o_ino, o_creat_flags };
constexpr uint32_t k_fd_upper_layer = 0x8000, k_fd_lower_layer = 0x10000;  // PPM_FD_*_LAYER
constexpr uint32_t k_creat_upper_layer = 0x1, k_creat_lower_layer = 0x2;   // creat's own bits
void parse_open(parse_ctx& c) {
    const int64_t fd = c.fd(o_fd);
    if (fd < 0 || !c.thr) return;
    const std::string_view name = c.p(o_name).str();
    const std::string_view base = dirfd_base(*c.thr, c.has(o_dirfd) ? c.fd(o_dirfd) : k_at_fdcwd, cwd_of(c));
    fd_info f;
    f.open_flags = c.has(o_flags) ? c.u32(o_flags) : (k_o_creat | k_o_wronly | k_o_trunc);
    // creat has no flags parameter: its overlay-layer bits come separately.
    if (c.has(o_creat_flags)) {
        const uint32_t cf = c.u32(o_creat_flags);
        if (cf & k_creat_upper_layer)
            f.open_flags |= k_fd_upper_layer;
        else if (cf & k_creat_lower_layer)
            f.open_flags |= k_fd_lower_layer;
    }
    f.kind = (f.open_flags & k_o_directory) ? fd_kind::directory : fd_kind::file;
    f.dev = c.u32(o_dev);
    f.ino = c.u64(o_ino);
    f.name = join_path(base, name);
    if (f.name != name) f.name_raw = name;
    c.core.add_fd(*c.thr, fd, std::move(f));
}

// Calls whose only state effect is "fd N now refers to an object of kind K".
template <fd_kind K>
void parse_simple_fd(parse_ctx& c) {
    const int64_t fd = c.fd(0);
    if (fd < 0 || !c.thr) return;
    fd_info f;
    f.kind = K;
    c.core.add_fd(*c.thr, fd, std::move(f));
}

void parse_memfd(parse_ctx& c) {
    const int64_t fd = c.fd(0);
    if (fd < 0 || !c.thr) return;
    fd_info f;
    f.kind = fd_kind::memfd;
    f.name.assign("memfd:").append(c.p(1).str());
    f.open_flags = c.u32(2);
    c.core.add_fd(*c.thr, fd, std::move(f));
}

// bpf(2) returns an fd only for commands that create objects; others return 0 or a count.
void parse_bpf(parse_ctx& c) {
    const int64_t fd = c.fd(0);
    const uint32_t cmd = c.u32(1);
    if (fd < 0 || !c.thr || (cmd != 0 /* MAP_CREATE */ && cmd != 5 /* PROG_LOAD */)) return;
    fd_info f;
    f.kind = fd_kind::bpf;
    c.core.add_fd(*c.thr, fd, std::move(f));
}

void parse_pipe(parse_ctx& c) {
    if (c.i64(0) < 0 || !c.thr) return;
    for (int slot : {1, 2}) {
        const int64_t fd = c.fd(slot);
        if (fd < 0) continue;
        fd_info f;
        f.kind = fd_kind::pipe;
        f.ino = c.u64(3);
        f.open_flags = c.u32(4);
        c.core.add_fd(*c.thr, fd, std::move(f));
    }
}

// Copies fd `from` to `to`. dup/dup2 clear close-on-exec on the copy; dup3 and
// fcntl(F_DUPFD_CLOEXEC) may set it.
void copy_fd(parse_ctx& c, int64_t from, int64_t to, bool cloexec) {
    if (to < 0 || !c.thr || !c.thr->fds) return;
    const fd_info* src = c.thr->fds->find(from);
    if (!src) return;
    fd_info f = *src;
    f.open_flags = cloexec ? (f.open_flags | k_o_cloexec) : (f.open_flags & ~k_o_cloexec);
    c.core.add_fd(*c.thr, to, std::move(f));
}

// dup, dup2, dup3: res, oldfd[, newfd][, flags]
void parse_dup(parse_ctx& c) {
    const int64_t res = c.fd(0);
    if (res < 0) return;
    copy_fd(c, c.fd(1), res, c.has(3) && (c.u32(3) & k_o_cloexec));
}

// fcntl: res, fd, cmd, arg. F_DUPFD* copy the fd; F_SETFD sets or clears its close-on-exec
// flag (how shells mark the fds a command must not inherit), which decides what execve keeps.
void parse_fcntl(parse_ctx& c) {
    const uint32_t cmd = c.u32(2);
    if (cmd == k_f_setfd) {
        if (c.i64(0) < 0 || c.p(3).len != 8 || !c.thr || !c.thr->fds) return;
        if (fd_info* f = c.thr->fds->find(c.fd(1))) {
            f->open_flags =
                (c.u64(3) & k_fd_cloexec) ? (f->open_flags | k_o_cloexec) : (f->open_flags & ~k_o_cloexec);
        }
        return;
    }
    if (cmd != k_f_dupfd && cmd != k_f_dupfd_cloexec) return;
    const int64_t copy = c.fd(0);
    copy_fd(c, c.fd(1), copy, cmd == k_f_dupfd_cloexec);
    // The event is about the copy from now on (fd.num is the new fd), as in the reference.
    if (copy >= 0 && c.thr && c.thr->fds) {
        if (fd_info* f = c.thr->fds->find(copy)) {
            c.out.fd_num = copy;
            c.out.fd = f;
        }
    }
}

// pidfd_getfd duplicates another process's fd into ours.
void parse_pidfd_getfd(parse_ctx& c) {
    const int64_t fd = c.fd(0);
    if (fd < 0 || !c.thr) return;
    fd_info f;
    if (const fd_info* pidfd = c.thr->fds ? c.thr->fds->find(c.fd(1)) : nullptr) {
        // pidfd_open kept the target pid in the pidfd's ino field.
        const int64_t pid = static_cast<int64_t>(pidfd->ino);
        const thread_info* target = c.core.threads.find(pid);
        const fd_info* src = target && target->fds ? target->fds->find(c.fd(2)) : nullptr;
        if (src) f = *src;
    }
    c.core.add_fd(*c.thr, fd, std::move(f));
}

void parse_pidfd_open(parse_ctx& c) {
    const int64_t fd = c.fd(0);
    if (fd < 0 || !c.thr) return;
    fd_info f;
    f.kind = fd_kind::pidfd;
    f.ino = static_cast<uint64_t>(c.i64(1));  // the pid, kept for pidfd_getfd
    f.open_flags = c.u32(2);
    c.core.add_fd(*c.thr, fd, std::move(f));
}

void parse_close(parse_ctx& c) {
    if (c.i64(0) < 0 || !c.thr) return;
    const int64_t fd = c.fd(1);
    if (c.out.fd) c.core.keep_closed_fd(fd, std::move(*c.out.fd));
    c.core.remove_fd(*c.thr, fd);
}

void parse_close_range(parse_ctx& c) {
    if (c.i64(0) != 0 || !c.thr || !c.thr->fds) return;
    const uint64_t first = c.u32(1), last = c.u32(2);
    const uint32_t flags = c.u32(3);
    auto& fds = c.thr->fds;
    if ((flags & k_close_range_unshare) && fds.use_count() > 1) fds = std::make_shared<fd_table>(*fds);
    auto in_range = [&](int64_t fd) {
        return static_cast<uint64_t>(fd) >= first && static_cast<uint64_t>(fd) <= last;
    };
    if (flags & k_close_range_cloexec) {
        // Marked now, closed by the next exec.
        for (uint64_t fd = first; fd <= last && fd < (1u << 20); ++fd)
            if (fd_info* f = fds->find(static_cast<int64_t>(fd))) f->open_flags |= k_o_cloexec;
        return;
    }
    c.core.stats.fds_removed += fds->erase_if([&](int64_t fd, const fd_info&) { return in_range(fd); });
}

}  // namespace

void register_file_parsers(parser_registry& r) {
    r.add(PPME_SYSCALL_OPEN_X, parse_open, {"fd", "", "name", "flags", "dev", "ino"});
    r.add(PPME_SYSCALL_OPENAT_2_X, parse_open, {"fd", "dirfd", "name", "flags", "dev", "ino"});
    r.add(PPME_SYSCALL_OPENAT2_X, parse_open, {"fd", "dirfd", "name", "flags", "dev", "ino"});
    r.add(PPME_SYSCALL_CREAT_X, parse_open, {"fd", "", "name", "", "dev", "ino", "?creat_flags"});
    r.add(PPME_SYSCALL_OPEN_BY_HANDLE_AT_X, parse_open, {"fd", "", "path", "flags", "dev", "ino"});
    r.add(PPME_SYSCALL_PIPE_X, parse_pipe, {"res", "fd1", "fd2", "ino", ""});
    r.add(PPME_SYSCALL_PIPE2_X, parse_pipe, {"res", "fd1", "fd2", "ino", "flags"});
    r.add(PPME_SYSCALL_EVENTFD_X, parse_simple_fd<fd_kind::eventfd>, {"res"});
    r.add(PPME_SYSCALL_EVENTFD2_X, parse_simple_fd<fd_kind::eventfd>, {"res"});
    r.add(PPME_SYSCALL_SIGNALFD_X, parse_simple_fd<fd_kind::signalfd>, {"res"});
    r.add(PPME_SYSCALL_SIGNALFD4_X, parse_simple_fd<fd_kind::signalfd>, {"res"});
    r.add(PPME_SYSCALL_TIMERFD_CREATE_X, parse_simple_fd<fd_kind::timerfd>, {"res"});
    r.add(PPME_SYSCALL_INOTIFY_INIT_X, parse_simple_fd<fd_kind::inotify>, {"res"});
    r.add(PPME_SYSCALL_INOTIFY_INIT1_X, parse_simple_fd<fd_kind::inotify>, {"res"});
    r.add(PPME_SYSCALL_EPOLL_CREATE_X, parse_simple_fd<fd_kind::epoll>, {"res"});
    r.add(PPME_SYSCALL_EPOLL_CREATE1_X, parse_simple_fd<fd_kind::epoll>, {"res"});
    r.add(PPME_SYSCALL_USERFAULTFD_X, parse_simple_fd<fd_kind::userfaultfd>, {"res"});
    r.add(PPME_SYSCALL_IO_URING_SETUP_X, parse_simple_fd<fd_kind::io_uring>, {"res"});
    r.add(PPME_SYSCALL_MEMFD_CREATE_X, parse_memfd, {"fd", "name", "flags"});
    r.add(PPME_SYSCALL_BPF_2_X, parse_bpf, {"fd", "cmd"});
    r.add(PPME_SYSCALL_PIDFD_OPEN_X, parse_pidfd_open, {"fd", "pid", "flags"});
    r.add(PPME_SYSCALL_PIDFD_GETFD_X, parse_pidfd_getfd, {"fd", "pid_fd", "target_fd"});
    r.add(PPME_SYSCALL_DUP_1_X, parse_dup, {"res", "oldfd"});
    r.add(PPME_SYSCALL_DUP2_X, parse_dup, {"res", "oldfd", "newfd"});
    r.add(PPME_SYSCALL_DUP3_X, parse_dup, {"res", "oldfd", "newfd", "flags"});
    r.add(PPME_SYSCALL_FCNTL_X, parse_fcntl, {"res", "fd", "cmd", "?arg"});
    r.add(PPME_SYSCALL_CLOSE_X, parse_close, {"res", "fd"});
    r.add(PPME_SYSCALL_CLOSE_RANGE_X, parse_close_range, {"res", "first", "last", "flags"});
}

}  // namespace sinsp
