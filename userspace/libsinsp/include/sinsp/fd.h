// File descriptors: what each open fd of a process refers to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sinsp/flat_map.h"
#include "sinsp/string_bytes.h"

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

// A flag of our own in fd_info::open_flags, above every PPM_O_* bit: the fd came from a
// snapshot (the capture's fd table or /proc), so no call named it and fd.nameraw is empty, as
// in the reference. Copies (dup, fork) keep it.
inline constexpr uint32_t k_fd_from_snapshot = 1u << 31;

// Text most fds never have: one pointer in the fd, the text on the heap only when there is some.
// Every fd of a table sits inline in its slot array, so a std::string here (32 bytes) would cost
// every fd of every process for the few that use it.
class rare_string {
  public:
    rare_string() = default;
    rare_string(const rare_string& o)
        : m_text(o.m_text ? std::make_unique<std::string>(*o.m_text) : nullptr) {}
    rare_string& operator=(const rare_string& o) {
        if (this != &o) m_text = o.m_text ? std::make_unique<std::string>(*o.m_text) : nullptr;
        return *this;
    }
    rare_string(rare_string&&) noexcept = default;
    rare_string& operator=(rare_string&&) noexcept = default;
    rare_string& operator=(std::string_view s) {
        if (s.empty())
            m_text.reset();
        else if (m_text)
            m_text->assign(s);
        else
            m_text = std::make_unique<std::string>(s);
        return *this;
    }

    bool empty() const { return !m_text; }
    std::string_view view() const { return m_text ? std::string_view(*m_text) : std::string_view(); }
    // Heap bytes held: the string object and its characters' block, if any.
    size_t heap_bytes() const { return m_text ? sizeof(std::string) + string_heap_bytes(*m_text) : 0; }

  private:
    std::unique_ptr<std::string> m_text;
};

struct fd_info {
    fd_kind kind = fd_kind::unknown;
    l4_proto proto = l4_proto::unknown;
    sock_role role = sock_role::none;
    conn_state conn = conn_state::none;
    uint32_t open_flags = 0;  // PPM_O_* bits as in open events
    uint32_t dev = 0;
    // Heap bytes of name and name_raw as their fd table last counted them (the state budget,
    // fd_table::bytes); kept by the table, not a property of the fd. Sits in what was padding.
    uint32_t counted_bytes = 0;
    uint64_t ino = 0;
    // Files, directories, unix socket paths, memfd names; empty for inet sockets, whose name is
    // made from the tuple on demand (see display_name) so socket events need not format text.
    std::string name;
    // The path as the opening call gave it (fd.nameraw), kept only when it differs from `name`
    // (relative paths, "..", doubled slashes), so most fds pay 8 bytes for it.
    rare_string name_raw;
    socket_tuple tuple;
    uint64_t unix_source = 0, unix_dest = 0;  // kernel socket addresses of unix sockets

    bool is_inet() const { return kind == fd_kind::ipv4_socket || kind == fd_kind::ipv6_socket; }
    // The transport as users see it (fd.l4proto, the letter in "<4t>"): an inet socket's protocol
    // is kept from socket() on, but shown only once the socket plays a role (it connected, was
    // accepted, bound a port, or carried a datagram), raw sockets always. This is the reference's
    // rule, so a rule on fd.l4proto matches the same events in both.
    l4_proto shown_proto() const {
        return proto == l4_proto::raw || role != sock_role::none ? proto : l4_proto::unknown;
    }
    // The name as users see it: the path, or for inet sockets "sip:sport->dip:dport", only
    // "sip:sport" while no peer is known (bound), nothing before that. Allocates.
    std::string display_name() const;
    // The same, appended to `out` (reusing its capacity: no allocation once it is large enough).
    void append_display_name(std::string& out) const;
};

// Heap bytes an fd's strings own beyond the fd_info itself (name past the small-string buffer,
// name_raw's string when it has one).
size_t fd_string_bytes(const fd_info& f);

// One process's fd table; threads created with CLONE_FILES share one.
//
// The table keeps an estimate of the heap bytes it owns (bytes()): its slot array, its fds'
// strings and its own allocation, updated on every insert and erase (never by walking the table).
// A table made with a meter also adds its bytes to *meter (and takes them back when destroyed),
// so the inspector knows what all fd tables hold without visiting them (the state budget). The
// meter must outlive the table (the inspector's does: its threads hold its tables).
class fd_table {
  public:
    explicit fd_table(size_t* meter = nullptr) : m_meter(meter) {
        charge(static_cast<ptrdiff_t>(k_fixed_bytes));
    }
    // A copy (fork without CLONE_FILES) counts against the same meter as the original.
    fd_table(const fd_table& o) : m_fds(o.m_fds), m_layout(o.m_layout), m_meter(o.m_meter) {
        charge(static_cast<ptrdiff_t>(o.m_bytes));
    }
    fd_table& operator=(const fd_table&) = delete;
    ~fd_table() {
        if (m_meter) *m_meter -= m_bytes;
    }

    fd_info* find(int64_t fd) { return fd < 0 ? nullptr : m_fds.find(static_cast<uint64_t>(fd)); }
    const fd_info* find(int64_t fd) const { return fd < 0 ? nullptr : m_fds.find(static_cast<uint64_t>(fd)); }
    // Stores info at fd (replacing what was there) and returns the stored copy.
    fd_info& set(int64_t fd, fd_info&& info) {
        const size_t before = m_fds.size();
        const size_t slots_before = m_fds.slot_bytes();
        fd_info& stored = m_fds[static_cast<uint64_t>(fd)];
        if (m_fds.size() != before) ++m_layout;
        const size_t old_counted = stored.counted_bytes;
        stored = std::move(info);
        stored.counted_bytes = static_cast<uint32_t>(fd_string_bytes(stored));
        charge(static_cast<ptrdiff_t>(m_fds.slot_bytes() - slots_before) + stored.counted_bytes -
               static_cast<ptrdiff_t>(old_counted));
        return stored;
    }
    // After an fd's name was changed in place (connect, bind, a datagram naming a unix socket's
    // peer): counts its strings again. No-op when they did not change size.
    void recount(fd_info& f) {
        const uint32_t now = static_cast<uint32_t>(fd_string_bytes(f));
        if (now == f.counted_bytes) return;
        charge(static_cast<ptrdiff_t>(now) - static_cast<ptrdiff_t>(f.counted_bytes));
        f.counted_bytes = now;
    }
    bool erase(int64_t fd) {
        const fd_info* f = find(fd);
        if (!f) return false;
        charge(-static_cast<ptrdiff_t>(f->counted_bytes));
        m_fds.erase(static_cast<uint64_t>(fd));
        ++m_layout;
        return true;
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
            for (size_t i = 0; i < n; ++i) erase(doomed[i]);
            total += n;
            if (n < 64) return total;
        }
    }
    // Heap bytes, measured by visiting every fd (what bytes() estimates; for tests and reports).
    size_t heap_bytes() const;
    // Heap bytes as counted incrementally: the table's allocation, slot array and fds' strings.
    size_t bytes() const { return m_bytes; }
    // The table object and its shared_ptr control block (make_shared allocates them together).
    static constexpr size_t k_fixed_bytes =
        sizeof(flat_map<fd_info>) + sizeof(uint64_t) + 2 * sizeof(size_t) + 16;

  private:
    void charge(ptrdiff_t delta) {
        m_bytes = static_cast<size_t>(static_cast<ptrdiff_t>(m_bytes) + delta);
        if (m_meter) *m_meter = static_cast<size_t>(static_cast<ptrdiff_t>(*m_meter) + delta);
    }

    flat_map<fd_info> m_fds;
    uint64_t m_layout = 0;
    size_t* m_meter = nullptr;
    size_t m_bytes = 0;
};
static_assert(fd_table::k_fixed_bytes == sizeof(fd_table) + 16,
              "k_fixed_bytes must follow fd_table's members");

}  // namespace sinsp
