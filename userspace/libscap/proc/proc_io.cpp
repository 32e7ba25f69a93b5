#include "proc/proc_io.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "proc/proc_close_batch.h"

namespace scap::proc {

namespace {
constexpr size_t k_initial_capacity = 16 * 1024;
// Larger files (a /proc/net table on a busy host) are fine; this only stops a runaway read.
constexpr size_t k_max_capacity = size_t(1) << 30;
}  // namespace

io_result classify_errno(int err) {
    switch (err) {
        case ENOENT:
        case ESRCH:
        case ENOTDIR:  // the /proc/PID entry was reused by something that is not a process dir
            return io_result::gone;
        case EACCES:
        case EPERM:
            return io_result::denied;
        default:
            return io_result::failed;
    }
}

void buffer::grow() {
    const size_t cap = m_cap ? m_cap * 2 : k_initial_capacity;
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (m_len) std::memcpy(bigger.get(), m_data.get(), m_len);
    m_data = std::move(bigger);
    m_cap = cap;
}

io_result buffer::read_fd(int fd, bool until_zero) {
    m_len = 0;
    if (m_cap == 0) grow();
    for (;;) {
        if (m_len == m_cap) {
            if (m_cap >= k_max_capacity) return io_result::ok;  // keep the first GiB
            grow();
        }
        const ssize_t n = ::read(fd, m_data.get() + m_len, m_cap - m_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return classify_errno(errno);
        }
        if (n == 0) return io_result::ok;
        m_len += static_cast<size_t>(n);
        if (!until_zero && m_len < m_cap) return io_result::ok;
    }
}

io_result buffer::read_at(int dirfd, const char* name) {
    m_len = 0;
    unique_fd fd(::openat(dirfd, name, O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return classify_errno(errno);
    return read_fd(fd.get(), false);
}

io_result buffer::read_path(const std::string& path) {
    m_len = 0;
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return classify_errno(errno);
    return read_fd(fd.get(), true);
}

io_result readlink_at(int dirfd, const char* name, std::string& out) {
    char tmp[PATH_MAX];
    out.clear();
    const ssize_t n = ::readlinkat(dirfd, name, tmp, sizeof tmp);
    if (n < 0) return classify_errno(errno);
    out.assign(tmp, static_cast<size_t>(n));
    return io_result::ok;
}

void unique_fd::reset() {
    // A batching scan worker closes its files together after each process (proc_close_batch.h).
    if (m_fd >= 0 && !close_batch::defers(m_fd)) ::close(m_fd);
    m_fd = -1;
}

unique_fd::~unique_fd() {
    reset();
}

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
    if (this != &o) {
        reset();
        m_fd = o.m_fd;
        o.m_fd = -1;
    }
    return *this;
}

unique_fd open_dir_at(int dirfd, const char* name) {
    return unique_fd(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

bool list_numeric_entries(int dirfd, std::vector<uint64_t>& out) {
    out.clear();
    // 16 KiB holds about 500 fd-directory entries: one call for most processes, plus the one
    // that returns 0 at the end.
    alignas(8) char buf[16 * 1024];
    for (;;) {
        const ssize_t n = ::getdents64(dirfd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) return true;
        for (ssize_t at = 0; at < n;) {
            const auto* e = reinterpret_cast<const struct dirent64*>(buf + at);
            at += e->d_reclen;
            const char* s = e->d_name;
            if (*s < '0' || *s > '9') continue;  // ".", "..", anything not a number
            uint64_t v = 0;
            bool numeric = true;
            for (; *s; ++s) {
                if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) {
                    numeric = false;
                    break;
                }
                v = v * 10 + static_cast<uint64_t>(*s - '0');
            }
            if (numeric) out.push_back(v);
        }
    }
}

}  // namespace scap::proc
