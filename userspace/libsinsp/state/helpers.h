// Small decoding helpers shared by the parsers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "scap/event.h"
#include "sinsp/fd.h"
#include "sinsp/thread.h"

namespace sinsp {

// PPM address family codes used in sockaddr/socktuple parameters.
inline constexpr uint8_t k_af_unix = 1;
inline constexpr uint8_t k_af_inet = 2;
inline constexpr uint8_t k_af_inet6 = 10;
inline constexpr uint8_t k_af_netlink = 16;

inline constexpr int64_t k_at_fdcwd = -100;
inline constexpr uint32_t k_o_directory = 0x400;  // PPM_O_DIRECTORY
inline constexpr uint32_t k_o_cloexec = 0x1000;   // PPM_O_CLOEXEC

// base + "/" + name with "." and ".." folded and duplicate slashes removed; name wins when it
// is absolute. The result is absolute when base is.
std::string join_path(std::string_view base, std::string_view name);

// The directory a path relative to dirfd resolves against: cwd for AT_FDCWD, else the name the
// thread's fd table holds for dirfd, empty when it holds none (the caller decides what an unknown
// base means). The state's open parser and the path fields both resolve through it, so a name the
// state stores and a name a field shows cannot disagree.
inline std::string_view dirfd_base(const thread_info& th, int64_t dirfd, std::string_view cwd) {
    if (dirfd == k_at_fdcwd) return cwd;
    const fd_info* d = th.fds ? th.fds->find(dirfd) : nullptr;
    return d ? std::string_view(d->name) : std::string_view{};
}

// The argument list argv[1..] (each argument NUL-terminated) as thread_info::args keeps it. A
// lone NUL, which drivers and snapshots write for a process with no arguments (sshd, kernel
// threads), is no argument rather than one empty one, as the reference reads it (it drops one
// trailing NUL, then splits): otherwise proc.cmdline would end with a space and proc.cmdnargs be 1.
inline std::string_view args_blob(std::string_view raw) {
    return raw.size() == 1 && raw[0] == '\0' ? std::string_view{} : raw;
}

// Fills kind/tuple/name of fd from a socket tuple parameter. Returns false when the parameter is
// empty or malformed. IPv4-mapped IPv6 tuples become IPv4 ones, as in the reference.
bool apply_socktuple(fd_info& fd, const scap::param_view& p);
// Fills the remote (or, for bind, local) end from a sockaddr parameter.
bool apply_sockaddr(fd_info& fd, const scap::param_view& p, bool local);

}  // namespace sinsp
