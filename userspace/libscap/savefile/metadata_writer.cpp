#include "savefile/metadata_writer.h"

#include <algorithm>
#include <cstring>

#include "savefile/block_types.h"

namespace scap {
namespace {

// Appends little-endian values to a byte vector.
class writer {
  public:
    explicit writer(std::vector<uint8_t>& out) : m_out(out) {}
    template <typename T>
    void put(T v) {
        const size_t at = m_out.size();
        m_out.resize(at + sizeof(T));
        std::memcpy(m_out.data() + at, &v, sizeof(T));
    }
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        m_out.insert(m_out.end(), b, b + n);
    }
    // A u16-length string of at most `max` bytes. C-string fields (`cstr`) also end at their
    // first NUL, as the reference stores them; NUL-separated lists (args, env, cgroups) keep theirs.
    void str16(const std::string& s, size_t max, bool cstr = true) {
        size_t n = cstr ? s.find('\0') : std::string::npos;
        if (n == std::string::npos) n = s.size();
        if (n > max) n = max;
        put(static_cast<uint16_t>(n));
        bytes(s.data(), n);
    }
    size_t size() const { return m_out.size(); }
    // Overwrites a u32 written earlier at `at`.
    void patch_u32(size_t at, uint32_t v) { std::memcpy(m_out.data() + at, &v, 4); }

  private:
    std::vector<uint8_t>& m_out;
};

// Starts a block; returns the offset of its header for finish_block().
size_t begin_block(writer& w, uint32_t type) {
    const size_t at = w.size();
    w.put(type);
    w.put(uint32_t{0});
    return at;
}

// Pads the body to 4 bytes, writes the trailer and fixes up the header length.
void finish_block(writer& w, size_t at) {
    while ((w.size() - at) % 4) w.put(uint8_t{0});
    const uint32_t total = static_cast<uint32_t>(w.size() - at + block::trailer_size);
    w.put(total);
    w.patch_u32(at + 4, total);
}

// The longest strings the reference's reader accepts per field: longer ones make it reject the
// whole capture, so they are cut here rather than written.
constexpr size_t k_max_path = 1024;       // comm, exe, exepath, cwd, root
constexpr size_t k_max_list = 4096;       // args, env, cgroups
constexpr size_t k_max_fd_name = 1023;    // fd names, interface names
constexpr size_t k_max_credential = 255;  // user and group names, home, shell

void put_bool(writer& w, bool b) {
    w.put(static_cast<uint8_t>(b ? 1 : 0));
}

}  // namespace

void append_section_header_block(std::vector<uint8_t>& out) {
    writer w(out);
    const size_t at = begin_block(w, block::section_header);
    w.put(block::byte_order_magic);
    w.put(block::current_major);
    w.put(block::current_minor);
    w.put(UINT64_MAX);  // section length: unknown (streamed)
    finish_block(w, at);
}

void append_machine_info_block(std::vector<uint8_t>& out, const machine_info& m) {
    if (!m.present) return;
    writer w(out);
    const size_t at = begin_block(w, block::machine_info);
    w.put(m.num_cpus);
    w.put(m.memory_size_bytes);
    w.put(m.max_pid);
    char host[128] = {};
    std::memcpy(host, m.hostname.data(),
                m.hostname.size() < sizeof host - 1 ? m.hostname.size() : sizeof host - 1);
    w.bytes(host, sizeof host);
    w.put(m.boot_ts_epoch);
    w.put(m.flags);
    w.put(m.reserved3);
    w.put(m.reserved4);
    finish_block(w, at);
}

void append_iflist_block(std::vector<uint8_t>& out, const snapshot& snap) {
    if (!snap.has_iflist) return;
    writer w(out);
    const size_t at = begin_block(w, block::iflist_v2);
    for (const iface_v4& i : snap.ifaces_v4) {
        const uint16_t namelen = static_cast<uint16_t>(std::min(i.name.size(), k_max_fd_name));
        w.put(static_cast<uint32_t>(2 + 2 + 4 + 4 + 4 + 8 + namelen));  // entry length, excluding itself
        w.put(uint16_t{1});
        w.put(namelen);
        w.put(i.addr);
        w.put(i.netmask);
        w.put(i.bcast);
        w.put(i.linkspeed);
        w.bytes(i.name.data(), namelen);
    }
    for (const iface_v6& i : snap.ifaces_v6) {
        const uint16_t namelen = static_cast<uint16_t>(std::min(i.name.size(), k_max_fd_name));
        w.put(static_cast<uint32_t>(2 + 2 + 16 * 3 + 8 + namelen));
        w.put(uint16_t{2});
        w.put(namelen);
        w.bytes(i.addr, 16);
        w.bytes(i.netmask, 16);
        w.bytes(i.bcast, 16);
        w.put(i.linkspeed);
        w.bytes(i.name.data(), namelen);
    }
    finish_block(w, at);
}

void append_userlist_block(std::vector<uint8_t>& out, const snapshot& snap) {
    if (!snap.has_userlist) return;
    writer w(out);
    const size_t at = begin_block(w, block::userlist_v2);
    for (const user_info& u : snap.users) {
        const size_t entry = w.size();
        w.put(uint32_t{0});  // entry length including itself, patched below
        w.put(uint8_t{0});   // user
        w.put(u.uid);
        w.put(u.gid);
        w.str16(u.name, k_max_credential);
        w.str16(u.homedir, k_max_credential);
        w.str16(u.shell, k_max_credential);
        w.patch_u32(entry, static_cast<uint32_t>(w.size() - entry));
    }
    for (const group_info& g : snap.groups) {
        const size_t entry = w.size();
        w.put(uint32_t{0});
        w.put(uint8_t{1});  // group
        w.put(g.gid);
        w.str16(g.name, k_max_credential);
        w.patch_u32(entry, static_cast<uint32_t>(w.size() - entry));
    }
    finish_block(w, at);
}

void append_proclist_block(std::vector<uint8_t>& out, const snapshot& snap) {
    // As the reference: no block at all when nothing is to be written.
    if (std::none_of(snap.processes.begin(), snap.processes.end(),
                     [](const process_info& p) { return !p.filtered_out; }))
        return;
    writer w(out);
    const size_t at = begin_block(w, block::proclist_v9);
    for (const process_info& p : snap.processes) {
        if (p.filtered_out) continue;
        const size_t entry = w.size();
        w.put(uint32_t{0});  // entry length including itself, patched below
        w.put(p.tid);
        w.put(p.pid);
        w.put(p.ptid);
        w.put(p.sid);
        w.put(p.vpgid);
        w.str16(p.comm, k_max_path);
        w.str16(p.exe, k_max_path);
        w.str16(p.exepath, k_max_path);
        w.str16(p.args, k_max_list, false);
        w.str16(p.cwd, k_max_path);
        w.put(p.fdlimit);
        w.put(p.flags);
        w.put(p.uid);
        w.put(p.gid);
        w.put(p.vmsize_kb);
        w.put(p.vmrss_kb);
        w.put(p.vmswap_kb);
        w.put(p.pfmajor);
        w.put(p.pfminor);
        w.str16(p.env, k_max_list, false);
        w.put(p.vtid);
        w.put(p.vpid);
        w.str16(p.cgroups, k_max_list, false);
        w.str16(p.root, k_max_path);
        w.put(p.pidns_init_start_ts);
        w.put(p.tty);
        w.put(p.loginuid);
        put_bool(w, p.exe_writable);
        w.put(p.cap_inheritable);
        w.put(p.cap_permitted);
        w.put(p.cap_effective);
        put_bool(w, p.exe_upper_layer);
        w.put(p.exe_ino);
        w.put(p.exe_ino_ctime);
        w.put(p.exe_ino_mtime);
        put_bool(w, p.exe_from_memfd);
        put_bool(w, p.exe_lower_layer);
        w.put(p.pgid);
        w.patch_u32(entry, static_cast<uint32_t>(w.size() - entry));
    }
    finish_block(w, at);
}

void append_fdlist_block(std::vector<uint8_t>& out, const process_info& p) {
    writer w(out);
    const size_t at = begin_block(w, block::fdlist_v2);
    w.put(p.tid);
    for (const fd_info& fd : p.fds) {
        if (fd.type == fd_type::unknown || fd.type == fd_type::uninitialized) continue;  // as the reference
        const size_t entry = w.size();
        w.put(uint32_t{0});
        w.put(fd.fd);
        w.put(fd.ino);
        w.put(static_cast<uint8_t>(fd.type));
        switch (fd.type) {
            case fd_type::ipv4_sock:
                w.put(fd.sip);
                w.put(fd.dip);
                w.put(fd.sport);
                w.put(fd.dport);
                w.put(fd.l4proto);
                break;
            case fd_type::ipv4_servsock:
                w.put(fd.sip);
                w.put(fd.sport);
                w.put(fd.l4proto);
                break;
            case fd_type::ipv6_sock:
                w.bytes(fd.sip6, 16);
                w.bytes(fd.dip6, 16);
                w.put(fd.sport);
                w.put(fd.dport);
                w.put(fd.l4proto);
                break;
            case fd_type::ipv6_servsock:
                w.bytes(fd.sip6, 16);
                w.put(fd.sport);
                w.put(fd.l4proto);
                break;
            case fd_type::unix_sock:
                w.put(fd.unix_source);
                w.put(fd.unix_dest);
                w.str16(fd.name, k_max_fd_name);
                break;
            case fd_type::file_v2:
                w.put(fd.open_flags);
                w.str16(fd.name, k_max_fd_name);
                w.put(fd.dev);
                break;
            default:
                w.str16(fd.name, k_max_fd_name);
                break;
        }
        w.patch_u32(entry, static_cast<uint32_t>(w.size() - entry));
    }
    finish_block(w, at);
}

}  // namespace scap
