// A process's fds from /proc/PID/fd (what each points at) and /proc/PID/fdinfo (open flags).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proc/proc_io.h"
#include "proc/proc_sockets.h"
#include "scap/proc_snapshot.h"
#include "scap/snapshot.h"

namespace scap::proc {

// Linux open(2) flags as fdinfo prints them to the capture format's PPM_O_* bits.
uint32_t open_flags_to_ppm(uint64_t linux_flags);
// The "flags:" line of an fdinfo file (octal).
bool parse_fdinfo_flags(std::string_view text, uint64_t& flags);
// The kind of an "anon_inode:..." or "pidfd:..." link target; unsupported when unknown.
fd_type classify_anon_link(std::string_view link);
// st_dev as the kernel encodes a dev_t for userspace in events (new_encode_dev), which is what
// the format's 32-bit dev field holds.
uint32_t encode_dev(uint64_t st_dev);

struct fd_scan {
    const proc_snapshot_options& opts;
    proc_snapshot_summary& summary;
    buffer& buf;
    socket_tables& sockets;
    std::vector<uint64_t>& fd_numbers;  // the fd/ listing, reused across processes
};

// Appends the fds of the process whose /proc directory is open as pid_dir.
void read_fds(fd_scan& scan, int pid_dir, uint64_t pid, process_info& p);

}  // namespace scap::proc
