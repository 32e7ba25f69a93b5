#include "proc/proc_fds.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "proc/proc_parse.h"

namespace scap::proc {

namespace {

// PPM_O_* values (driver/schema/flags.def, file_flags).
enum : uint32_t {
    k_ppm_rdonly = 0x1,
    k_ppm_wronly = 0x2,
    k_ppm_rdwr = 0x3,
    k_ppm_creat = 0x4,
    k_ppm_append = 0x8,
    k_ppm_dsync = 0x10,
    k_ppm_excl = 0x20,
    k_ppm_nonblock = 0x40,
    k_ppm_sync = 0x80,
    k_ppm_trunc = 0x100,
    k_ppm_direct = 0x200,
    k_ppm_directory = 0x400,
    k_ppm_largefile = 0x800,
    k_ppm_cloexec = 0x1000,
    k_ppm_tmpfile = 0x2000,
};

// The kernel always sets O_LARGEFILE on 64-bit opens and fdinfo shows it, but 64-bit libcs
// define the userspace constant as 0; use the kernel's value for the architecture.
#if defined(__x86_64__) || defined(__i386__)
constexpr uint64_t k_kernel_o_largefile = 0100000;
#elif defined(__aarch64__) || defined(__arm__)
constexpr uint64_t k_kernel_o_largefile = 0400000;
#elif defined(__powerpc__)
constexpr uint64_t k_kernel_o_largefile = 0200000;
#else
constexpr uint64_t k_kernel_o_largefile = 0100000;
#endif

bool starts_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

// "socket:[12345]" / "pipe:[12345]" to 12345.
uint64_t bracket_inode(std::string_view link) {
    const size_t open = link.find('[');
    if (open == std::string_view::npos) return 0;
    std::string_view s = link.substr(open + 1);
    uint64_t v = 0;
    return take_u64(s, 10, v) ? v : 0;
}

void fill_socket(fd_scan& scan, int pid_dir, uint64_t pid, uint64_t ino, fd_info& f, uint64_t& netns,
                 bool& netns_known) {
    if (!netns_known) {
        struct stat st;
        // Without access to ns/net (another user's process) assume our own namespace.
        netns = ::fstatat(pid_dir, "ns/net", &st, 0) == 0 ? st.st_ino : 0;
        netns_known = true;
    }
    const std::string net_dir =
        netns ? scan.opts.proc_root + "/" + std::to_string(pid) + "/net" : scan.opts.proc_root + "/net";
    const fd_info* s = scan.sockets.find(netns, net_dir, ino, scan.buf, scan.summary.malformed);
    if (!s) {
        ++scan.summary.unresolved_sockets;
        f.type = fd_type::unknown;
        return;
    }
    const int64_t fd = f.fd;
    f = *s;
    f.fd = fd;
}

// fdinfo/N is opened relative to the process's directory: a second path component costs less
// than opening and closing fdinfo/ itself for each process.
void fill_file(fd_scan& scan, int pid_dir, const char* fd_name, fd_info& f) {
    f.type = fd_type::file_v2;
    char path[32];
    std::snprintf(path, sizeof path, "fdinfo/%s", fd_name);
    uint64_t flags = 0;
    const io_result r = scan.buf.read_at(pid_dir, path);
    if (r == io_result::denied) ++scan.summary.permission_denied;
    if (r != io_result::ok) return;  // closed meanwhile: keep the fd without flags
    if (parse_fdinfo_flags(scan.buf.view(), flags))
        f.open_flags = open_flags_to_ppm(flags);
    else
        ++scan.summary.malformed;
}

}  // namespace

uint32_t open_flags_to_ppm(uint64_t f) {
    uint32_t r = 0;
    switch (f & O_ACCMODE) {
        case O_WRONLY:
            r |= k_ppm_wronly;
            break;
        case O_RDWR:
            r |= k_ppm_rdwr;
            break;
        default:
            r |= k_ppm_rdonly;
            break;
    }
    // O_TMPFILE includes O_DIRECTORY and O_SYNC includes O_DSYNC: test the whole masks first.
    const bool tmpfile = (f & O_TMPFILE) == static_cast<uint64_t>(O_TMPFILE);
    if (tmpfile) r |= k_ppm_tmpfile;
    if ((f & O_SYNC) == static_cast<uint64_t>(O_SYNC)) r |= k_ppm_sync;
    if ((f & O_DSYNC) && !(r & k_ppm_sync)) r |= k_ppm_dsync;
    if ((f & O_DIRECTORY) && !tmpfile) r |= k_ppm_directory;
    if (f & O_CREAT) r |= k_ppm_creat;
    if (f & O_APPEND) r |= k_ppm_append;
    if (f & O_EXCL) r |= k_ppm_excl;
    if (f & O_NONBLOCK) r |= k_ppm_nonblock;
    if (f & O_TRUNC) r |= k_ppm_trunc;
    if (f & O_DIRECT) r |= k_ppm_direct;
    if (f & k_kernel_o_largefile) r |= k_ppm_largefile;
    if (f & O_CLOEXEC) r |= k_ppm_cloexec;
    return r;
}

bool parse_fdinfo_flags(std::string_view text, uint64_t& flags) {
    const size_t at = text.find("flags:");
    if (at == std::string_view::npos || (at > 0 && text[at - 1] != '\n')) return false;
    std::string_view s = text.substr(at + 6);
    return take_u64(s, 8, flags);
}

fd_type classify_anon_link(std::string_view link) {
    if (starts_with(link, "pidfd:")) return fd_type::pidfd;  // pidfs (Linux 6.9+)
    if (!starts_with(link, "anon_inode:")) return fd_type::unsupported;
    const std::string_view n = link.substr(11);
    if (n == "[eventfd]") return fd_type::event;
    if (n == "[eventpoll]") return fd_type::eventpoll;
    if (n == "inotify") return fd_type::inotify;
    if (n == "[signalfd]") return fd_type::signalfd;
    if (n == "[timerfd]") return fd_type::timerfd;
    if (n == "[io_uring]") return fd_type::io_uring;
    if (n == "[userfaultfd]") return fd_type::userfaultfd;
    if (n == "[pidfd]") return fd_type::pidfd;
    if (starts_with(n, "bpf-") || n == "bpf_iter") return fd_type::bpf;
    return fd_type::unsupported;
}

uint32_t encode_dev(uint64_t st_dev) {
    const uint32_t maj = major(st_dev);
    const uint32_t min = minor(st_dev);
    return (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
}

namespace {

// Sockets and anonymous pipes say what they are and their inode in the link
// ("socket:[123]", "pipe:[456]"): for them the stat() of the fd is not needed. Everything else
// (paths, which may name a FIFO, a directory or a device, and anonymous inodes) is stat()ed.
enum class link_kind { socket, pipe, other };

link_kind kind_of_link(std::string_view link) {
    if (starts_with(link, "socket:[")) return link_kind::socket;
    if (starts_with(link, "pipe:[")) return link_kind::pipe;
    return link_kind::other;
}

}  // namespace

void read_fds(fd_scan& scan, int pid_dir, uint64_t pid, process_info& p) {
    unique_fd fd_dir = open_dir_at(pid_dir, "fd");
    if (!fd_dir.valid()) {
        if (classify_errno(errno) == io_result::denied) ++scan.summary.permission_denied;
        return;
    }
    list_numeric_entries(fd_dir.get(), scan.fd_numbers);
    const uint32_t cap = scan.opts.max_fds_per_process;
    // One allocation for the process's fds instead of growing through 1, 2, 4, ...
    p.fds.reserve(cap ? std::min<size_t>(cap, scan.fd_numbers.size()) : scan.fd_numbers.size());
    uint64_t netns = 0;
    bool netns_known = false;
    std::string link;
    uint32_t listed = 0;
    char name[24];
    for (const uint64_t num : scan.fd_numbers) {
        if (cap && listed >= cap) {
            ++scan.summary.fd_capped;
            break;
        }
        std::snprintf(name, sizeof name, "%llu", static_cast<unsigned long long>(num));
        const io_result lr = readlink_at(fd_dir.get(), name, link);
        if (lr == io_result::denied) {
            // Listing the directory may be allowed while following its links is not (a
            // non-dumpable process): then no fd of this process will resolve, stop here.
            ++scan.summary.permission_denied;
            break;
        }
        if (lr != io_result::ok) continue;  // closed meanwhile
        fd_info f;
        f.fd = static_cast<int64_t>(num);
        const link_kind kind = kind_of_link(link);
        if (kind != link_kind::other) {
            f.ino = bracket_inode(link);
            f.name = link;
            if (kind == link_kind::pipe)
                f.type = fd_type::fifo;
            else
                fill_socket(scan, pid_dir, pid, f.ino, f, netns, netns_known);
            p.fds.push_back(std::move(f));
            ++listed;
            continue;
        }
        struct stat st;
        if (::fstatat(fd_dir.get(), name, &st, 0) != 0) {
            if (classify_errno(errno) == io_result::denied) {
                ++scan.summary.permission_denied;
                break;
            }
            // A closed fd is gone; a dangling link (deleted file on a lazily unmounted fs) is
            // still an fd, so list it by its link only.
            if (errno != ENOENT) continue;
            std::memset(&st, 0, sizeof st);
        }
        f.ino = st.st_ino;
        switch (st.st_mode & S_IFMT) {
            case S_IFIFO:
                f.type = fd_type::fifo;
                f.name = link;
                break;
            case S_IFDIR:
                f.type = fd_type::directory;
                f.name = link;
                break;
            case S_IFSOCK:
                f.name = link;
                fill_socket(scan, pid_dir, pid, st.st_ino ? st.st_ino : bracket_inode(link), f, netns,
                            netns_known);
                break;
            case S_IFREG:
            case S_IFCHR:
            case S_IFBLK:
            case S_IFLNK:
                f.name = link;
                if (starts_with(link, "/memfd:")) {
                    f.type = fd_type::memfd;
                } else {
                    fill_file(scan, pid_dir, name, f);
                    f.dev = encode_dev(st.st_dev);
                }
                break;
            default:
                // Anonymous inodes have no file type bits; their link says what they are.
                f.type = classify_anon_link(link);
                break;
        }
        p.fds.push_back(std::move(f));
        ++listed;
    }
    scan.summary.fds += listed;
}

}  // namespace scap::proc
