// Threads and processes. A thread entry holds ids of interned strings (see interner.h), the ids
// that place it in its process tree, credentials, and shared pointers to the state threads can
// share: the fd table (CLONE_FILES) and the filesystem context, cwd and root (CLONE_FS).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "sinsp/container.h"
#include "sinsp/fd.h"
#include "sinsp/interner.h"

namespace sinsp {

// cwd and root of one or more threads (shared after clone(CLONE_FS) and between threads).
struct fs_context {
    string_id cwd = 0;
    string_id root = 0;
};

// thread_info::state bits.
enum thread_state : uint32_t {
    k_thread_dead = 1u << 0,        // procexit seen; removed once no longer needed
    k_thread_incomplete = 1u << 1,  // created from an event of an unknown tid: fields are guesses
    k_thread_from_snapshot = 1u << 2,
};

// thread_info::exe_flags: what the kernel said about the executable at exec (PPM_EXE_* values).
enum exe_flag : uint32_t {
    k_exe_writable = 0x1,
    k_exe_upper_layer = 0x2,
    k_exe_from_memfd = 0x4,
    k_exe_lower_layer = 0x8,
};

struct thread_info {
    int64_t tid = -1;
    int64_t pid = -1;   // thread group (process) id = tid of the main thread
    int64_t ptid = -1;  // parent's tid
    int64_t sid = -1;
    int64_t pgid = -1;
    int64_t vpgid = -1;
    int64_t vtid = -1;
    int64_t vpid = -1;

    string_id comm = 0;
    string_id exe = 0;           // argv[0] as the process was started
    string_id exepath = 0;       // resolved path of the executable
    string_id args = 0;          // arguments after argv[0], each NUL-terminated
    string_id env = 0;           // NUL-separated environment
    string_id cgroups = 0;       // NUL-separated "subsys=path"
    string_id container_id = 0;  // short id from the cgroups; empty on the host
    uint32_t exe_flags = 0;      // PPM_EXE_* bits of the last exec (writable, overlay layer, memfd)
    // The container's entry (owned by the inspector's container table, never freed while the
    // inspector lives); null on the host or when the table is full.
    const container_info* container = nullptr;

    uint32_t uid = UINT32_MAX, gid = UINT32_MAX;
    uint32_t euid = UINT32_MAX, egid = UINT32_MAX;
    uint32_t loginuid = UINT32_MAX;
    uint32_t tty = 0;
    uint32_t clone_flags = 0;   // PPM_CL_* flags of the clone/exec that made this state
    uint32_t state = 0;         // thread_state bits
    uint32_t live_threads = 0;  // on a main thread: live threads of the process, itself included
    uint32_t vmsize_kb = 0, vmrss_kb = 0, vmswap_kb = 0;  // as of the last clone/exec
    container_role role = container_role::none;           // set at clone/exec: container init, health probes

    uint64_t cap_inheritable = 0, cap_permitted = 0, cap_effective = 0;
    uint64_t fdlimit = 0;
    uint64_t exe_ino = 0;
    uint64_t exe_ino_ctime = 0, exe_ino_mtime = 0;
    uint64_t pfmajor = 0, pfminor = 0;  // as of the last clone/exec
    uint64_t pidns_init_start_ts = 0;   // start of the pid namespace's init (container start)
    uint64_t clone_ts = 0;
    uint64_t exit_ts = 0;
    uint64_t last_event_ts = 0;  // for eviction: least recently active goes first

    std::shared_ptr<fd_table> fds;
    std::shared_ptr<fs_context> fs;

    bool is_main_thread() const { return tid == pid; }
    bool dead() const { return (state & k_thread_dead) != 0; }
};

}  // namespace sinsp
