// Host-wide parts of the snapshot: users and groups, network interfaces, machine info.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proc/proc_io.h"
#include "scap/snapshot.h"

namespace scap::proc {

// /etc/passwd and /etc/group lines; malformed lines are skipped. Return how many were skipped.
uint64_t parse_passwd(std::string_view text, snapshot& out);
uint64_t parse_group(std::string_view text, snapshot& out);

// Every address of every interface (getifaddrs), IPv4 and IPv6 lists as the format has them.
void read_interfaces(snapshot& out);

// Wall-clock time of boot in ns: from the clocks when reading the live /proc (precise), from
// the btime line of proc_root/stat otherwise (whole seconds).
uint64_t boot_time_ns(const std::string& proc_root, bool live, buffer& buf);

void read_machine(const std::string& proc_root, uint64_t boot_ns, buffer& buf, machine_info& out);

}  // namespace scap::proc
