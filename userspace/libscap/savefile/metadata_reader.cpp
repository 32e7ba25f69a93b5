// Parsing of the snapshot blocks (machine info, process lists of every version, fd lists,
// interface lists, user lists) from a block body already in memory.
#include "savefile/metadata_reader.h"

#include "savefile/block_types.h"
#include "savefile/cursor.h"

namespace scap {
namespace {

// Process-list versions as an ordinal, so "field present since v6" is a comparison.
int proclist_version(uint32_t type) {
    switch (type) {
        case block::proclist_v1:
        case block::proclist_v1_int:
            return 1;
        case block::proclist_v2:
        case block::proclist_v2_int:
            return 2;
        case block::proclist_v3:
        case block::proclist_v3_int:
            return 3;
        case block::proclist_v4:
            return 4;
        case block::proclist_v5:
            return 5;
        case block::proclist_v6:
            return 6;
        case block::proclist_v7:
            return 7;
        case block::proclist_v8:
            return 8;
        case block::proclist_v9:
            return 9;
        default:
            return 0;
    }
}

// Reads a trailing optional field only if the entry's declared length still covers it.
template <typename T>
bool optional_field(cursor& c, size_t entry_end, T& out) {
    if (c.pos() + sizeof(T) > entry_end) return true;
    return c.get(out);
}

bool read_process(cursor& c, int version, process_info& p, std::string& error) {
    const size_t start = c.pos();
    uint32_t entry_len = 0;  // v9: the entry's length, counted from its own first byte
    if (version >= 9 && !c.get(entry_len)) return (error = "truncated entry length"), false;
    if (version >= 9 && entry_len < 4)
        return (error = "entry length " + std::to_string(entry_len) + " too small"), false;
    const size_t entry_end = version >= 9 ? start + entry_len : c.pos() + c.left();
    if (version >= 9 && entry_end > c.pos() + c.left())
        return (error = "entry length " + std::to_string(entry_len) + " runs past the block"), false;

    bool ok = c.get(p.tid) && c.get(p.pid) && c.get(p.ptid);
    if (ok && version >= 6) ok = c.get(p.sid);
    if (ok && version >= 8) ok = c.get(p.vpgid);
    ok = ok && c.str16(p.comm) && c.str16(p.exe);
    if (ok && version >= 7) ok = c.str16(p.exepath);
    ok = ok && c.str16(p.args) && c.str16(p.cwd) && c.get(p.fdlimit) && c.get(p.flags) && c.get(p.uid) &&
         c.get(p.gid);
    if (ok && version >= 2)
        ok = c.get(p.vmsize_kb) && c.get(p.vmrss_kb) && c.get(p.vmswap_kb) && c.get(p.pfmajor) &&
             c.get(p.pfminor);
    if (ok && version >= 3) ok = c.str16(p.env);
    if (ok && version >= 4) ok = c.get(p.vtid) && c.get(p.vpid) && c.str16(p.cgroups);
    if (ok && version >= 5) ok = c.str16(p.root);
    if (!ok) return (error = "truncated process entry"), false;
    if (version < 9) return true;
    if (c.pos() > entry_end) return (error = "process entry longer than its declared length"), false;

    // Fields appended over the years, each present only if the entry is long enough. Writers
    // before libs 0.10 appended only loginuid..cap_effective (29 bytes); later ones also put
    // pidns_init_start_ts and tty first, so a short remainder means the old layout.
    const bool old_layout = entry_end - c.pos() <= 29;
    uint8_t b = 0;
    if (!old_layout)
        ok = optional_field(c, entry_end, p.pidns_init_start_ts) && optional_field(c, entry_end, p.tty);
    ok = ok && optional_field(c, entry_end, p.loginuid);
    if (ok && c.pos() + 1 <= entry_end && (ok = c.get(b))) p.exe_writable = b != 0;
    ok = ok && optional_field(c, entry_end, p.cap_inheritable) &&
         optional_field(c, entry_end, p.cap_permitted) && optional_field(c, entry_end, p.cap_effective);
    if (ok && c.pos() + 1 <= entry_end && (ok = c.get(b))) p.exe_upper_layer = b != 0;
    ok = ok && optional_field(c, entry_end, p.exe_ino) && optional_field(c, entry_end, p.exe_ino_ctime) &&
         optional_field(c, entry_end, p.exe_ino_mtime);
    if (ok && c.pos() + 1 <= entry_end && (ok = c.get(b))) p.exe_from_memfd = b != 0;
    if (ok && c.pos() + 1 <= entry_end && (ok = c.get(b))) p.exe_lower_layer = b != 0;
    ok = ok && optional_field(c, entry_end, p.pgid);
    if (!ok) return (error = "truncated process entry"), false;
    // Fields from newer writers that we do not know yet are skipped.
    if (!c.seek(entry_end)) return (error = "cannot skip to the end of a process entry"), false;
    return true;
}

bool read_fd(cursor& c, bool v2, fd_info& fd, std::string& error) {
    const size_t start = c.pos();
    uint32_t entry_len = 0;
    if (v2 && !c.get(entry_len)) return (error = "truncated fd entry length"), false;
    const size_t entry_end = v2 ? start + entry_len : 0;
    if (v2 && (entry_len < 4 || entry_end > c.pos() + c.left()))
        return (error = "fd entry length " + std::to_string(entry_len) + " does not fit the block"), false;
    uint8_t type = 0;
    if (!(c.get(fd.fd) && c.get(fd.ino) && c.get(type))) return (error = "truncated fd entry"), false;
    fd.type = static_cast<fd_type>(type);
    bool ok = true;
    switch (fd.type) {
        case fd_type::ipv4_sock:
            ok = c.get(fd.sip) && c.get(fd.dip) && c.get(fd.sport) && c.get(fd.dport) && c.get(fd.l4proto);
            break;
        case fd_type::ipv4_servsock:
            ok = c.get(fd.sip) && c.get(fd.sport) && c.get(fd.l4proto);
            break;
        case fd_type::ipv6_sock:
            ok = c.bytes(fd.sip6, 16) && c.bytes(fd.dip6, 16) && c.get(fd.sport) && c.get(fd.dport) &&
                 c.get(fd.l4proto);
            break;
        case fd_type::ipv6_servsock:
            ok = c.bytes(fd.sip6, 16) && c.get(fd.sport) && c.get(fd.l4proto);
            break;
        case fd_type::unix_sock:
            ok = c.get(fd.unix_source) && c.get(fd.unix_dest) && c.str16(fd.name);
            break;
        case fd_type::file_v2:
            ok = c.get(fd.open_flags) && c.str16(fd.name);
            if (ok && v2 && c.pos() + 4 <= entry_end) ok = c.get(fd.dev);
            break;
        case fd_type::fifo:
        case fd_type::file:
        case fd_type::directory:
        case fd_type::unsupported:
        case fd_type::event:
        case fd_type::signalfd:
        case fd_type::eventpoll:
        case fd_type::inotify:
        case fd_type::timerfd:
        case fd_type::netlink:
        case fd_type::bpf:
        case fd_type::userfaultfd:
        case fd_type::io_uring:
        case fd_type::memfd:
        case fd_type::pidfd:
            ok = c.str16(fd.name);
            break;
        case fd_type::unknown:
        case fd_type::uninitialized:
            break;
        default:
            // A type from a newer writer: keep the fd, say what it was.
            fd.name = "unknown-type:[" + std::to_string(type) + "]";
            fd.type = fd_type::unsupported;
            if (!v2)
                return (error = "fd entry of unknown type " + std::to_string(type) + " has no length"), false;
            break;
    }
    if (!ok) return (error = "truncated fd entry"), false;
    if (v2) {
        if (c.pos() > entry_end) return (error = "fd entry longer than its declared length"), false;
        if (!c.seek(entry_end)) return (error = "cannot skip to the end of an fd entry"), false;
    }
    return true;
}

enum : uint16_t { k_if_ipv4 = 1, k_if_ipv6 = 2, k_if_ipv4_nolinkspeed = 3, k_if_ipv6_nolinkspeed = 4 };

bool read_iface(cursor& c, bool v2, snapshot& snap, std::string& error) {
    uint32_t entry_len = 0;
    if (v2 && !c.get(entry_len)) return (error = "truncated interface entry length"), false;
    const size_t body_start = c.pos();
    if (v2 && entry_len > c.left()) return (error = "interface entry length does not fit the block"), false;
    uint16_t type = 0, namelen = 0;
    if (!(c.get(type) && c.get(namelen))) return (error = "truncated interface entry"), false;
    bool ok = true;
    if (type == k_if_ipv4 || type == k_if_ipv4_nolinkspeed) {
        iface_v4 i;
        i.type = k_if_ipv4;
        ok = c.get(i.addr) && c.get(i.netmask) && c.get(i.bcast);
        if (ok && type == k_if_ipv4) ok = c.get(i.linkspeed);
        if (ok) {
            std::string name(namelen, '\0');
            ok = c.bytes(name.data(), namelen);
            i.name = name.substr(0, name.find('\0'));
        }
        if (ok) snap.ifaces_v4.push_back(std::move(i));
    } else if (type == k_if_ipv6 || type == k_if_ipv6_nolinkspeed) {
        iface_v6 i;
        i.type = k_if_ipv6;
        ok = c.bytes(i.addr, 16) && c.bytes(i.netmask, 16) && c.bytes(i.bcast, 16);
        if (ok && type == k_if_ipv6) ok = c.get(i.linkspeed);
        if (ok) {
            std::string name(namelen, '\0');
            ok = c.bytes(name.data(), namelen);
            i.name = name.substr(0, name.find('\0'));
        }
        if (ok) snap.ifaces_v6.push_back(std::move(i));
    } else {
        return (error = "unknown interface type " + std::to_string(type)), false;
    }
    if (!ok) return (error = "truncated interface entry"), false;
    if (v2) {
        if (c.pos() > body_start + entry_len)
            return (error = "interface entry longer than its length"), false;
        if (!c.seek(body_start + entry_len))
            return (error = "cannot skip to the end of an interface entry"), false;
    }
    return true;
}

bool read_user_entry(cursor& c, bool v2, snapshot& snap, std::string& error) {
    const size_t start = c.pos();
    uint32_t entry_len = 0;
    if (v2 && !c.get(entry_len)) return (error = "truncated user entry length"), false;
    const size_t entry_end = start + entry_len;
    if (v2 && (entry_len < 5 || entry_end > c.pos() + c.left()))
        return (error = "user entry length does not fit the block"), false;
    uint8_t type = 0;
    if (!c.get(type)) return (error = "truncated user entry"), false;
    bool ok;
    if (type == 0) {
        user_info u;
        ok = c.get(u.uid) && c.get(u.gid) && c.str16(u.name) && c.str16(u.homedir) && c.str16(u.shell);
        if (ok) snap.users.push_back(std::move(u));
    } else {
        group_info g;
        ok = c.get(g.gid) && c.str16(g.name);
        if (ok) snap.groups.push_back(std::move(g));
    }
    if (!ok) return (error = "truncated user entry"), false;
    if (v2) {
        if (c.pos() > entry_end) return (error = "user entry longer than its declared length"), false;
        if (!c.seek(entry_end)) return (error = "cannot skip to the end of a user entry"), false;
    }
    return true;
}

}  // namespace

bool is_list_block(uint32_t type) {
    return proclist_version(type) != 0 || type == block::fdlist || type == block::fdlist_int ||
           type == block::fdlist_v2;
}

list_reader::list_reader(uint32_t type, snapshot_sink& sink, metadata_counts& counts)
    : m_type(type), m_version(proclist_version(type)), m_sink(sink), m_counts(counts) {}

bool list_reader::begin(cursor& c, std::string& error) {
    if (m_version) return true;
    uint64_t tid = 0;
    if (!c.get(tid)) return (error = "truncated fd list (tid)"), false;
    // fds of a thread the process list did not describe are kept on a bare entry.
    if (!m_sink.begin_fds(tid)) ++m_counts.orphan_fd_lists;
    return true;
}

bool list_reader::entry(cursor& c, std::string& error) {
    if (m_version) {
        process_info p;
        if (!read_process(c, m_version, p, error)) return false;
        m_sink.add_process(std::move(p));
        ++m_counts.processes;
        return true;
    }
    fd_info fd;
    if (!read_fd(c, m_type == block::fdlist_v2, fd, error)) return false;
    m_sink.add_fd(std::move(fd));
    ++m_counts.fds;
    return true;
}

bool is_metadata_block(uint32_t type) {
    return proclist_version(type) != 0 || type == block::machine_info || type == block::machine_info_int ||
           type == block::fdlist || type == block::fdlist_int || type == block::fdlist_v2 ||
           type == block::iflist || type == block::iflist_int || type == block::iflist_v2 ||
           type == block::userlist || type == block::userlist_int || type == block::userlist_v2;
}

bool read_metadata_block(uint32_t type, const uint8_t* body, size_t len, snapshot& snap, snapshot_sink& lists,
                         metadata_counts& counts, std::string& error) {
    cursor c(body, len);
    if (type == block::machine_info || type == block::machine_info_int) {
        machine_info& m = snap.machine;
        char host[128] = {};
        // Older writers stored fewer trailing fields: read what the block holds.
        bool ok =
            c.get(m.num_cpus) && c.get(m.memory_size_bytes) && c.get(m.max_pid) && c.bytes(host, sizeof host);
        if (!ok) return (error = "truncated machine info"), false;
        m.hostname.assign(host, strnlen(host, sizeof host));
        c.get(m.boot_ts_epoch) && c.get(m.flags) && c.get(m.reserved3) && c.get(m.reserved4);
        m.present = true;
        return true;
    }
    if (is_list_block(type)) {
        list_reader r(type, lists, counts);
        if (!r.begin(c, error)) return false;
        while (c.left() > k_padding_max)
            if (!r.entry(c, error)) return false;
        return true;
    }
    if (type == block::iflist || type == block::iflist_int || type == block::iflist_v2) {
        // A new interface list replaces the previous one.
        snap.ifaces_v4.clear();
        snap.ifaces_v6.clear();
        snap.has_iflist = true;
        while (c.left() > k_padding_max)
            if (!read_iface(c, type == block::iflist_v2, snap, error)) return false;
        return true;
    }
    if (type == block::userlist || type == block::userlist_int || type == block::userlist_v2) {
        snap.users.clear();
        snap.groups.clear();
        snap.has_userlist = true;
        while (c.left() > k_padding_max)
            if (!read_user_entry(c, type == block::userlist_v2, snap, error)) return false;
        return true;
    }
    error = "not a metadata block";
    return false;
}

}  // namespace scap
