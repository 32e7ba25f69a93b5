#include "proc/proc_host.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "proc/proc_parse.h"

namespace scap::proc {

namespace {

enum : uint16_t { k_if_ipv4 = 1, k_if_ipv6 = 2 };

// Splits a ':'-separated line into at most n fields; returns how many it found.
size_t split_colons(std::string_view line, std::string_view* fields, size_t n) {
    size_t count = 0;
    while (count < n) {
        const size_t c = line.find(':');
        fields[count++] = line.substr(0, c);
        if (c == std::string_view::npos) break;
        line.remove_prefix(c + 1);
    }
    return count;
}

bool whole_u32(std::string_view s, uint32_t& out) {
    uint64_t v = 0;
    if (s.empty() || s[0] == ' ' || !take_u64(s, 10, v) || !s.empty() || v > UINT32_MAX) return false;
    out = static_cast<uint32_t>(v);
    return true;
}

template <typename F>
uint64_t for_each_entry(std::string_view text, F&& f) {
    uint64_t bad = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        // Comments and NIS "+"/"-" include lines are not entries.
        if (!line.empty() && line[0] != '#' && line[0] != '+' && line[0] != '-' && !f(line)) ++bad;
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return bad;
}

uint64_t ns_of(const struct timespec& ts) {
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

uint64_t parse_passwd(std::string_view text, snapshot& out) {
    // name:password:uid:gid:gecos:home:shell
    return for_each_entry(text, [&](std::string_view line) {
        std::string_view f[7];
        user_info u;
        if (split_colons(line, f, 7) != 7 || f[0].empty() || !whole_u32(f[2], u.uid) ||
            !whole_u32(f[3], u.gid))
            return false;
        u.name.assign(f[0]);
        u.homedir.assign(f[5]);
        u.shell.assign(f[6]);
        out.users.push_back(std::move(u));
        return true;
    });
}

uint64_t parse_group(std::string_view text, snapshot& out) {
    // name:password:gid:members
    return for_each_entry(text, [&](std::string_view line) {
        std::string_view f[4];
        group_info g;
        if (split_colons(line, f, 4) < 3 || f[0].empty() || !whole_u32(f[2], g.gid)) return false;
        g.name.assign(f[0]);
        out.groups.push_back(std::move(g));
        return true;
    });
}

void read_interfaces(snapshot& out) {
    out.has_iflist = true;
    struct ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return;
    for (const struct ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        if (i->ifa_addr->sa_family == AF_INET) {
            iface_v4 v;
            v.type = k_if_ipv4;
            v.name = i->ifa_name;
            v.addr = reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr;
            if (i->ifa_netmask)
                v.netmask = reinterpret_cast<const sockaddr_in*>(i->ifa_netmask)->sin_addr.s_addr;
            // ifa_broadaddr and ifa_dstaddr share storage: only a broadcast interface has one.
            if ((i->ifa_flags & IFF_BROADCAST) && i->ifa_broadaddr)
                v.bcast = reinterpret_cast<const sockaddr_in*>(i->ifa_broadaddr)->sin_addr.s_addr;
            out.ifaces_v4.push_back(std::move(v));
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            iface_v6 v;
            v.type = k_if_ipv6;
            v.name = i->ifa_name;
            std::memcpy(v.addr, &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
            if (i->ifa_netmask)
                std::memcpy(v.netmask, &reinterpret_cast<const sockaddr_in6*>(i->ifa_netmask)->sin6_addr, 16);
            out.ifaces_v6.push_back(std::move(v));
        }
    }
    ::freeifaddrs(list);
}

uint64_t boot_time_ns(const std::string& proc_root, bool live, buffer& buf) {
    if (live) {
        struct timespec real, boot;
        if (::clock_gettime(CLOCK_REALTIME, &real) == 0 && ::clock_gettime(CLOCK_BOOTTIME, &boot) == 0)
            return ns_of(real) - ns_of(boot);
    }
    if (buf.read_path(proc_root + "/stat") != io_result::ok) return 0;
    std::string_view s = buf.view();
    const size_t at = s.find("\nbtime ");
    if (at == std::string_view::npos) return 0;
    s.remove_prefix(at + 7);
    uint64_t sec = 0;
    return take_u64(s, 10, sec) ? sec * 1000000000ull : 0;
}

void read_machine(const std::string& proc_root, uint64_t boot_ns, buffer& buf, machine_info& m) {
    m.present = true;
    const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    m.num_cpus = cpus > 0 ? static_cast<uint32_t>(cpus) : 0;
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page = ::sysconf(_SC_PAGESIZE);
    m.memory_size_bytes =
        pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
    if (buf.read_path(proc_root + "/sys/kernel/pid_max") == io_result::ok) {
        std::string_view v = buf.view();
        take_u64(v, 10, m.max_pid);
    }
    // The UTS name of the namespace proc_root belongs to, falling back to ours.
    if (buf.read_path(proc_root + "/sys/kernel/hostname") == io_result::ok) {
        std::string_view v = buf.view();
        while (!v.empty() && (v.back() == '\n' || v.back() == '\0')) v.remove_suffix(1);
        m.hostname.assign(v);
    } else {
        char host[256] = {};
        if (::gethostname(host, sizeof host - 1) == 0) m.hostname = host;
    }
    // The format keeps 127 bytes and a terminator.
    if (m.hostname.size() > 127) m.hostname.resize(127);
    m.boot_ts_epoch = boot_ns;
}

}  // namespace scap::proc
