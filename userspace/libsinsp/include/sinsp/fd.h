// File descriptors: what each open fd of a process refers to.
#pragma once

#include <cstdint>
#include <string>

#include "sinsp/flat_map.h"

namespace sinsp {

enum class fd_kind : uint8_t {
    unknown = 0,
    file,
    directory,
    ipv4_socket,
    ipv6_socket,
    unix_socket,
    netlink,
    pipe,  // pipes and FIFOs
    eventfd,
    signalfd,
    timerfd,
    inotify,
    epoll,
    memfd,
    userfaultfd,
    io_uring,
    pidfd,
    bpf,
    other_socket,  // families we do not decode (packet, bluetooth...)
};

// The type names and one-letter codes of fd.type / fd.typechar ("file", 'f'), as the reference
// shows them.
const char* to_string(fd_kind k);
char to_typechar(fd_kind k);

// Transport as in the capture format (PPM socket tuple l4proto values).
enum class l4_proto : uint8_t { unknown = 0, ipv4 = 1, tcp = 2, udp = 3, icmp = 4, raw = 5 };

enum class sock_role : uint8_t { none = 0, client, server };

// Where a socket's connection stands: connect() returned 0 (or accept() made the socket), is in
// progress (EINPROGRESS; settled by the first successful send/receive), or failed.
enum class conn_state : uint8_t { none = 0, pending, connected, failed };

// Endpoints of an inet socket. IPv4 addresses use the first 4 bytes, in network byte order as
// they appear in events; ports are host byte order.
struct socket_tuple {
    uint8_t sip[16] = {};
    uint8_t dip[16] = {};
    uint16_t sport = 0;
    uint16_t dport = 0;
    bool known() const { return sport != 0 || dport != 0; }
};

struct fd_info {
    fd_kind kind = fd_kind::unknown;
    l4_proto proto = l4_proto::unknown;
    sock_role role = sock_role::none;
    conn_state conn = conn_state::none;
    uint32_t open_flags = 0;  // PPM_O_* bits as in open events
    uint32_t dev = 0;
    uint64_t ino = 0;
    // Files, directories, unix socket paths, memfd names; empty for inet sockets, whose name is
    // made from the tuple on demand (see display_name) so socket events need not format text.
    std::string name;
    // The path as the opening call gave it (fd.nameraw), kept only when it differs from `name`
    // (relative paths, "..", doubled slashes), so most fds pay nothing for it.
    std::string name_raw;
    socket_tuple tuple;
    uint64_t unix_source = 0, unix_dest = 0;  // kernel socket addresses of unix sockets

    bool is_inet() const { return kind == fd_kind::ipv4_socket || kind == fd_kind::ipv6_socket; }
    // The name as users see it: the path, or "sip:sport->dip:dport" for inet sockets. Allocates.
    std::string display_name() const;
    // The same, appended to `out` (reusing its capacity: no allocation once it is large enough).
    void append_display_name(std::string& out) const;
};

// One process's fd table; threads created with CLONE_FILES share one.
class fd_table {
  public:
    fd_info* find(int64_t fd) { return fd < 0 ? nullptr : m_fds.find(static_cast<uint64_t>(fd)); }
    const fd_info* find(int64_t fd) const { return fd < 0 ? nullptr : m_fds.find(static_cast<uint64_t>(fd)); }
    // Stores info at fd (replacing what was there) and returns the stored copy.
    fd_info& set(int64_t fd, fd_info info) {
        const size_t before = m_fds.size();
        fd_info& stored = m_fds[static_cast<uint64_t>(fd)];
        if (m_fds.size() != before) ++m_layout;
        return stored = std::move(info);
    }
    bool erase(int64_t fd) {
        const bool erased = fd >= 0 && m_fds.erase(static_cast<uint64_t>(fd));
        m_layout += erased;
        return erased;
    }
    // Changes whenever an insert or erase may have moved entries: pointers from find() taken
    // under another value may dangle (flat_map keeps them only until the next insert or erase).
    uint64_t layout_version() const { return m_layout; }
    size_t size() const { return m_fds.size(); }
    template <typename F>
    void for_each(F&& f) const {
        m_fds.for_each([&](uint64_t k, const fd_info& v) { f(static_cast<int64_t>(k), v); });
    }
    template <typename F>
    void for_each_mut(F&& f) {
        m_fds.for_each([&](uint64_t k, fd_info& v) { f(static_cast<int64_t>(k), v); });
    }
    // Removes every fd for which pred(fd, info) is true; returns how many.
    template <typename P>
    size_t erase_if(P&& pred) {
        int64_t doomed[64];
        size_t total = 0;
        for (;;) {
            size_t n = 0;
            m_fds.for_each([&](uint64_t k, const fd_info& v) {
                if (n < 64 && pred(static_cast<int64_t>(k), v)) doomed[n++] = static_cast<int64_t>(k);
            });
            for (size_t i = 0; i < n; ++i) m_layout += m_fds.erase(static_cast<uint64_t>(doomed[i]));
            total += n;
            if (n < 64) return total;
        }
    }
    size_t heap_bytes() const;

  private:
    flat_map<fd_info> m_fds;
    uint64_t m_layout = 0;
};

}  // namespace sinsp
