// Socket fds resolved by inode through the /proc/net tables of the socket's network namespace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proc/proc_io.h"
#include "scap/snapshot.h"

namespace scap::proc {

// Parsed table rows keyed by socket inode. fd_info's fd field is unused here.
using socket_map = std::unordered_map<uint64_t, fd_info>;

// L4 protocol codes of the capture format.
enum : uint8_t { k_l4_unknown = 0, k_l4_tcp = 2, k_l4_udp = 3, k_l4_raw = 5 };

// /proc/net/{tcp,udp,raw}[6]. A row with no remote address is a server socket: that is how the
// capture format tells listeners (and bound, unconnected datagram sockets) apart. Returns the
// number of rows that did not parse.
uint64_t parse_inet_table(std::string_view text, bool ipv6, uint8_t l4proto, socket_map& out);
// /proc/net/unix: the kernel address ("Num") is the source; the peer is not listed.
uint64_t parse_unix_table(std::string_view text, socket_map& out);
uint64_t parse_netlink_table(std::string_view text, socket_map& out);

// Tables per network namespace, read the first time a socket of that namespace shows up.
class socket_tables {
  public:
    // net_dir: the /proc/PID/net directory of a process in namespace netns.
    const fd_info* find(uint64_t netns, const std::string& net_dir, uint64_t ino, buffer& buf,
                        uint64_t& malformed);

  private:
    std::unordered_map<uint64_t, socket_map> m_by_ns;
};

}  // namespace scap::proc
