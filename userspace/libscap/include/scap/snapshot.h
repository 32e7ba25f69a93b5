// The state of the machine when a capture began: processes with their fds, users, groups,
// network interfaces and machine info. Filled from a capture file's metadata blocks (or, for
// live engines, from /proc). Plain data: it is built once, never per event.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace scap {

struct machine_info {
    bool present = false;
    uint32_t num_cpus = 0;
    uint64_t memory_size_bytes = 0;
    uint64_t max_pid = 0;
    std::string hostname;
    uint64_t boot_ts_epoch = 0;
    uint64_t flags = 0;
    uint64_t reserved3 = 0;
    uint64_t reserved4 = 0;
};

// Values are part of the capture-file format.
enum class fd_type : int8_t {
    uninitialized = -1,
    unknown = 0,
    file = 1,
    directory = 2,
    ipv4_sock = 3,
    ipv6_sock = 4,
    ipv4_servsock = 5,
    ipv6_servsock = 6,
    fifo = 7,
    unix_sock = 8,
    event = 9,
    unsupported = 10,
    signalfd = 11,
    eventpoll = 12,
    inotify = 13,
    timerfd = 14,
    netlink = 15,
    file_v2 = 16,
    bpf = 17,
    userfaultfd = 18,
    io_uring = 19,
    memfd = 20,
    pidfd = 21,
};

struct fd_info {
    int64_t fd = 0;
    uint64_t ino = 0;
    fd_type type = fd_type::unknown;
    std::string name;         // path / unix socket path / descriptive name, by type
    uint32_t open_flags = 0;  // file_v2
    uint32_t dev = 0;         // file_v2
    uint8_t l4proto = 0;      // sockets
    // IPv4 addresses are in network byte order as stored; IPv6 as 16 raw bytes.
    uint32_t sip = 0, dip = 0;
    uint8_t sip6[16] = {}, dip6[16] = {};
    uint16_t sport = 0, dport = 0;
    uint64_t unix_source = 0, unix_dest = 0;
};

struct process_info {
    uint64_t tid = 0;
    uint64_t pid = 0;
    uint64_t ptid = 0;
    int64_t sid = -1;
    int64_t vpgid = -1;
    int64_t pgid = -1;
    std::string comm;
    std::string exe;
    std::string exepath;
    std::string args;  // NUL-separated, as stored
    std::string env;   // NUL-separated, as stored
    std::string cwd;
    uint64_t fdlimit = 0;
    uint32_t flags = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint32_t vmsize_kb = 0;
    uint32_t vmrss_kb = 0;
    uint32_t vmswap_kb = 0;
    uint64_t pfmajor = 0;
    uint64_t pfminor = 0;
    int64_t vtid = -1;
    int64_t vpid = -1;
    std::string cgroups;  // NUL-separated "subsys=path" entries, as stored
    std::string root;
    uint64_t pidns_init_start_ts = 0;
    uint32_t tty = 0;
    uint32_t loginuid = UINT32_MAX;
    bool exe_writable = false;
    uint64_t cap_inheritable = 0;
    uint64_t cap_permitted = 0;
    uint64_t cap_effective = 0;
    bool exe_upper_layer = false;
    uint64_t exe_ino = 0;
    uint64_t exe_ino_ctime = 0;
    uint64_t exe_ino_mtime = 0;
    bool exe_from_memfd = false;
    bool exe_lower_layer = false;
    uint64_t clone_ts = 0;      // not stored in files; live engines fill it
    bool filtered_out = false;  // not stored in files: the writer leaves such processes (and their fds) out
    std::vector<fd_info> fds;

    // The NUL-separated arguments as a list (allocates: not for hot paths).
    std::vector<std::string> arg_list() const;
};

struct user_info {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string name;
    std::string homedir;
    std::string shell;
};

struct group_info {
    uint32_t gid = 0;
    std::string name;
};

struct iface_v4 {
    uint16_t type = 1;
    uint32_t addr = 0;  // network byte order, as stored
    uint32_t netmask = 0;
    uint32_t bcast = 0;
    uint64_t linkspeed = 0;
    std::string name;
};

struct iface_v6 {
    uint16_t type = 2;
    uint8_t addr[16] = {};
    uint8_t netmask[16] = {};
    uint8_t bcast[16] = {};
    uint64_t linkspeed = 0;
    std::string name;
};

struct snapshot {
    machine_info machine;
    std::vector<process_info> processes;
    std::vector<user_info> users;
    std::vector<group_info> groups;
    bool has_userlist = false;  // a user list block was present (even if empty)
    std::vector<iface_v4> ifaces_v4;
    std::vector<iface_v6> ifaces_v6;
    bool has_iflist = false;

    // The process with this tid, or nullptr.
    process_info* find_process(uint64_t tid);
    const process_info* find_process(uint64_t tid) const;
    // Adds or replaces the process with p.tid; fds of a replaced process are kept.
    process_info& upsert_process(process_info p);
    // Room for n processes in the list and its index, so adding a known count of entries (a
    // /proc scan's) moves none of them and rehashes nothing.
    void reserve_processes(size_t n);
    size_t fd_count() const;
    // Drops every process (and its fds), returning their memory.
    void release_processes();

  private:
    std::unordered_map<uint64_t, size_t> m_index;  // tid -> position in processes
};

// Where a capture's process and fd lists, or a live /proc scan's processes, go as they are read,
// entry by entry. The engine's own snapshot is one destination (snapshot_store); a consumer that
// builds its own state from them (libsinsp) is the other, so a host with tens of thousands of
// processes is never held twice.
class snapshot_sink {
  public:
    virtual ~snapshot_sink() = default;
    // One process-list entry. A capture's fds come later, in fd lists; a /proc scan's entry
    // carries its fds in p.fds. An entry for a tid already given replaces it and keeps its fds.
    virtual void add_process(process_info&& p) = 0;
    // An fd list begins: the fds that follow belong to `tid`. False when no process entry
    // described that tid (the sink keeps the fds on a bare entry of its own).
    virtual bool begin_fds(uint64_t tid) = 0;
    virtual void add_fd(fd_info&& fd) = 0;
};

// The sink that fills a snapshot.
class snapshot_store final : public snapshot_sink {
  public:
    explicit snapshot_store(snapshot& snap) : m_snap(snap) {}
    void add_process(process_info&& p) override { m_snap.upsert_process(std::move(p)); }
    bool begin_fds(uint64_t tid) override;
    void add_fd(fd_info&& fd) override { m_owner->fds.push_back(std::move(fd)); }

  private:
    snapshot& m_snap;
    process_info* m_owner = nullptr;  // valid while an fd list is read (no process is added then)
};

}  // namespace scap
