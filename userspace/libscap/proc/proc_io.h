// Reading procfs files without iostreams: one reused buffer, *at() calls relative to an open
// /proc/PID directory so each file costs one open, one or two reads and one close.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace scap::proc {

// How a read failed, as far as the scan cares.
enum class io_result {
    ok,
    gone,    // the process exited (ENOENT, ESRCH): skip quietly
    denied,  // EACCES, EPERM: count it, keep what we have
    failed,  // anything else
};

io_result classify_errno(int err);

// A growable byte buffer kept across files so the scan allocates once.
class buffer {
  public:
    std::string_view view() const { return {m_data.get(), m_len}; }

    // Reads dirfd/name whole. procfs single-record files hand back everything in one read(),
    // so a short read ends the file; only a full buffer asks for more.
    io_result read_at(int dirfd, const char* name);
    // Reads until read() returns 0: multi-record procfs files (/proc/net/*) come a page at a
    // time, and regular files (/etc/passwd) may too.
    io_result read_path(const std::string& path);

  private:
    io_result read_fd(int fd, bool until_zero);
    void grow();

    std::unique_ptr<char[]> m_data;
    size_t m_cap = 0;
    size_t m_len = 0;
};

// readlinkat into out (out is cleared first).
io_result readlink_at(int dirfd, const char* name, std::string& out);

// Owns a file descriptor.
class unique_fd {
  public:
    unique_fd() = default;
    explicit unique_fd(int fd) : m_fd(fd) {}
    ~unique_fd();
    unique_fd(unique_fd&& o) noexcept : m_fd(o.m_fd) { o.m_fd = -1; }
    unique_fd& operator=(unique_fd&& o) noexcept;
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }

  private:
    void reset();

    int m_fd = -1;
};

// Opens dirfd/name as a directory (dirfd may be AT_FDCWD).
unique_fd open_dir_at(int dirfd, const char* name);

// The entries of an open directory whose names are decimal numbers (pids in /proc, tids in
// task/, fd numbers in fd/), in the order the kernel lists them, appended to out after clearing
// it. Reads with getdents64 from the descriptor's current position (a freshly opened directory
// reads whole) into a stack buffer: no DIR stream, so no dup, fcntl or 32 KiB allocation per
// directory, which the scan pays for every process. False when the listing failed part way
// (errno set); what was read is kept.
bool list_numeric_entries(int dirfd, std::vector<uint64_t>& out);

}  // namespace scap::proc
