#include "state/helpers.h"

#include <cstring>

namespace sinsp {

namespace {

// Whether every component of s is a plain name: no empty component (doubled or trailing slash,
// except the root "/" itself), no "." and no "..". A relative s is read as if it began with a
// slash. Such a path joins by concatenation, which is what nearly every open's path is.
bool plain_components_walk(std::string_view s) {
    const size_t n = s.size();
    if (n == 1 && s[0] == '/') return true;
    size_t start = s.empty() || s[0] != '/' ? 0 : 1;  // first byte of the current component
    for (size_t i = start; i <= n; ++i) {
        if (i < n && s[i] != '/') continue;
        const size_t len = i - start;
        if (len == 0) return false;
        if (s[start] == '.' && (len == 1 || (len == 2 && s[start + 1] == '.'))) return false;
        start = i + 1;
    }
    return true;
}

// The high bit of every byte of w equal to c (exact: no byte is flagged by a neighbour's carry).
uint64_t bytes_equal(uint64_t w, uint8_t c) {
    const uint64_t x = w ^ (0x0101010101010101ull * c);
    const uint64_t nonzero = ((x & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | x;
    return ~nonzero & 0x8080808080808080ull;
}

// plain_components, answered without the walk for the paths opens name: only a slash followed by
// a slash or a dot can start a non-plain component (besides a leading dot or a trailing slash),
// so eight bytes at a time are searched for that pair and any hit goes to the walk, which
// decides ("/.bashrc" is plain).
bool plain_components(std::string_view s) {
    const size_t n = s.size();
    if (n < 2 || s[0] == '.' || s[n - 1] == '/') return plain_components_walk(s);
    const char* p = s.data();
    size_t i = 0;
    for (; i + 9 <= n; i += 8) {
        uint64_t here, next;
        std::memcpy(&here, p + i, 8);
        std::memcpy(&next, p + i + 1, 8);
        if (bytes_equal(here, '/') & (bytes_equal(next, '/') | bytes_equal(next, '.')))
            return plain_components_walk(s);
    }
    for (; i + 1 < n; ++i)
        if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '.')) return plain_components_walk(s);
    return true;
}

}  // namespace

std::string join_path(std::string_view base, std::string_view name) {
    const bool absolute = !name.empty() && name[0] == '/';
    // The common cases without the component walk: an absolute plain name as it is, a relative
    // plain name after an absolute plain base (or no base) with one slash between.
    if (absolute && plain_components(name)) return std::string(name);  // one exact allocation
    std::string out;
    if (!absolute && !name.empty() && (base.empty() || (base[0] == '/' && plain_components(base))) &&
        plain_components(name)) {
        const bool root = base.size() == 1;  // "/": no second slash
        out.reserve(base.size() + name.size() + 1);
        if (!root) out.append(base);
        out += '/';
        out.append(name);
        return out;
    }
    out.reserve(base.size() + name.size() + 1);
    // Walk both inputs as one sequence of components, folding as we go.
    auto feed = [&out](std::string_view s) {
        size_t i = 0;
        while (i < s.size()) {
            size_t j = s.find('/', i);
            if (j == std::string_view::npos) j = s.size();
            const std::string_view c = s.substr(i, j - i);
            i = j + 1;
            if (c.empty() || c == ".") continue;
            if (c == "..") {
                const size_t slash = out.rfind('/');
                out.resize(slash == std::string::npos ? 0 : slash);
                continue;
            }
            out += '/';
            out.append(c);
        }
    };
    if (!absolute) feed(base);
    feed(name);
    if (out.empty()) out = "/";
    return out;
}

namespace {

template <typename T>
T rd(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

bool v4_mapped(const uint8_t* a) {
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(a, prefix, 12) == 0;
}

bool all_zero(const uint8_t* a) {
    static const uint8_t zero[16] = {};
    return std::memcmp(a, zero, 16) == 0;
}

void set_unix_path(fd_info& fd, const uint8_t* p, size_t n) {
    const void* nul = std::memchr(p, 0, n);
    fd.name.assign(reinterpret_cast<const char*>(p), nul ? static_cast<const uint8_t*>(nul) - p : n);
}

}  // namespace

bool apply_socktuple(fd_info& fd, const scap::param_view& p) {
    if (p.len < 1) return false;
    const uint8_t* d = p.data;
    switch (d[0]) {
        case k_af_inet:
            if (p.len < 13) return false;
            fd.kind = fd_kind::ipv4_socket;
            fd.tuple = {};
            std::memcpy(fd.tuple.sip, d + 1, 4);
            fd.tuple.sport = rd<uint16_t>(d + 5);
            std::memcpy(fd.tuple.dip, d + 7, 4);
            fd.tuple.dport = rd<uint16_t>(d + 11);
            return true;
        case k_af_inet6:
            if (p.len < 37) return false;
            fd.tuple = {};
            if ((v4_mapped(d + 1) || all_zero(d + 1)) && v4_mapped(d + 19)) {
                fd.kind = fd_kind::ipv4_socket;
                std::memcpy(fd.tuple.sip, d + 13, 4);
                std::memcpy(fd.tuple.dip, d + 31, 4);
            } else {
                fd.kind = fd_kind::ipv6_socket;
                std::memcpy(fd.tuple.sip, d + 1, 16);
                std::memcpy(fd.tuple.dip, d + 19, 16);
            }
            fd.tuple.sport = rd<uint16_t>(d + 17);
            fd.tuple.dport = rd<uint16_t>(d + 35);
            return true;
        case k_af_unix:
            if (p.len < 17) return false;
            fd.kind = fd_kind::unix_socket;
            fd.unix_source = rd<uint64_t>(d + 1);
            fd.unix_dest = rd<uint64_t>(d + 9);
            set_unix_path(fd, d + 17, p.len - 17);
            return true;
        default:
            return false;
    }
}

bool apply_sockaddr(fd_info& fd, const scap::param_view& p, bool local) {
    if (p.len < 1) return false;
    const uint8_t* d = p.data;
    uint8_t* ip = local ? fd.tuple.sip : fd.tuple.dip;
    uint16_t& port = local ? fd.tuple.sport : fd.tuple.dport;
    switch (d[0]) {
        case k_af_inet:
            if (p.len < 7) return false;
            if (fd.kind != fd_kind::ipv4_socket) fd.kind = fd_kind::ipv4_socket;
            std::memset(ip, 0, 16);
            std::memcpy(ip, d + 1, 4);
            port = rd<uint16_t>(d + 5);
            return true;
        case k_af_inet6:
            if (p.len < 19) return false;
            fd.kind = fd_kind::ipv6_socket;
            std::memcpy(ip, d + 1, 16);
            port = rd<uint16_t>(d + 17);
            return true;
        case k_af_unix:
            fd.kind = fd_kind::unix_socket;
            set_unix_path(fd, d + 1, p.len - 1);
            return true;
        default:
            return false;
    }
}

}  // namespace sinsp
