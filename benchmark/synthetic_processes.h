// A machine with many processes, made up: the snapshot a live capture of a busy host would
// start from. Used to write large captures (make_process_capture) and to measure state memory
// at scale (state_memory_bench). Strings have realistic sizes (a ~1 KB environment, a ~200-byte
// cgroup list, a command line), because they dominate the memory of snapshots and state alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "scap/snapshot.h"

namespace synthetic {

struct shape {
    size_t processes = 20000;
    size_t threads = 21500;  // all threads, main threads included (>= processes)
    size_t fds = 125000;     // spread over the processes' main threads
};

inline std::string filler(const char* key, size_t i, size_t len) {
    std::string s = std::string(key) + "=" + std::to_string(i) + "-";
    while (s.size() < len) s += static_cast<char>('a' + (s.size() * 7 + i) % 26);
    return s;
}

// Processes get pids from 1000 up; their extra threads take tids after the last pid, round
// robin. 16 distinct binaries, as on a host running a few services many times over.
inline scap::snapshot make_snapshot(const shape& sh) {
    scap::snapshot snap;
    snap.machine.present = true;
    snap.machine.num_cpus = 2;
    snap.machine.hostname = "synthetic";
    snap.has_userlist = true;
    snap.users.push_back({0, 0, "root", "/root", "/bin/bash"});
    snap.groups.push_back({0, "root"});
    const uint64_t first_pid = 1000;
    std::string env;
    for (int k = 0; k < 24; ++k) env += filler("VAR", static_cast<size_t>(k), 40) + '\0';
    const std::string cgroups = std::string("cpuset=/system.slice/service.scope") + '\0' +
                                "cpu=/system.slice/service.scope" + '\0' +
                                "memory=/system.slice/service.scope" + '\0' +
                                "pids=/system.slice/service.scope" + '\0' + "blkio=/system.slice/x.scope";
    auto fill = [&](scap::process_info& p, size_t proc_index) {
        const size_t bin = proc_index % 16;
        p.comm = "worker" + std::to_string(bin);
        p.exe = "/usr/sbin/worker" + std::to_string(bin);
        p.exepath = p.exe;
        p.args = std::string("--config") + '\0' + "/etc/worker/" + std::to_string(bin) + ".conf" + '\0' +
                 "--id" + '\0' + std::to_string(proc_index);
        p.env = env;
        p.cwd = "/var/lib/worker" + std::to_string(bin) + "/";
        p.root = "/";
        p.cgroups = cgroups;
        p.uid = p.gid = static_cast<uint32_t>(1000 + bin);
        p.loginuid = UINT32_MAX;
        p.fdlimit = 1024;
        p.vmsize_kb = 20000;
        p.vmrss_kb = 4000;
    };
    for (size_t i = 0; i < sh.processes; ++i) {
        scap::process_info p;
        p.tid = p.pid = first_pid + i;
        p.ptid = 1;
        p.vtid = p.vpid = static_cast<int64_t>(p.tid);
        fill(p, i);
        snap.upsert_process(std::move(p));
    }
    const uint64_t first_extra = first_pid + sh.processes;
    for (size_t t = sh.processes; t < sh.threads; ++t) {
        const size_t owner = (t - sh.processes) % sh.processes;
        scap::process_info p;
        p.tid = first_extra + (t - sh.processes);
        p.pid = first_pid + owner;
        p.ptid = 1;
        p.vtid = static_cast<int64_t>(p.tid);
        p.vpid = static_cast<int64_t>(p.pid);
        fill(p, owner);
        snap.upsert_process(std::move(p));
    }
    for (size_t f = 0; f < sh.fds; ++f) {
        const size_t owner = f % sh.processes;
        scap::process_info* p = snap.find_process(first_pid + owner);
        scap::fd_info fd;
        fd.fd = static_cast<int64_t>(3 + f / sh.processes);
        if (f % 3 == 0) {
            fd.type = scap::fd_type::ipv4_sock;
            fd.sip = 0x0100007f;
            fd.dip = 0x0100007f;
            fd.sport = static_cast<uint16_t>(20000 + f % 30000);
            fd.dport = 6379;
            fd.l4proto = 3;  // TCP
        } else {
            fd.type = scap::fd_type::file_v2;
            fd.name =
                "/var/log/worker/" + std::to_string(owner % 16) + "/log." + std::to_string(f / sh.processes);
            fd.open_flags = 2;
        }
        fd.ino = 100000 + f;
        p->fds.push_back(std::move(fd));
    }
    return snap;
}

}  // namespace synthetic
