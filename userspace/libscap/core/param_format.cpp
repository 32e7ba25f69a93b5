#include "scap/param_format.h"

#include <arpa/inet.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace scap {
namespace {

// Socket families as encoded on the wire (they are the Linux AF_* values).
constexpr uint8_t k_af_unix = 1;
constexpr uint8_t k_af_inet = 2;
constexpr uint8_t k_af_inet6 = 10;

void append_fmt(std::string& out, const char* fmt, uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, fmt, v);
    out += buf;
}

void append_unsigned(std::string& out, uint8_t fmt, uint64_t v) {
    switch (fmt) {
        case PF_HEX:
            append_fmt(out, "0x%" PRIx64, v);
            break;
        case PF_OCT:
            append_fmt(out, "0%" PRIo64, v);
            break;
        default:
            append_fmt(out, "%" PRIu64, v);
            break;
    }
}

void append_signed(std::string& out, uint8_t fmt, int64_t v) {
    if (fmt == PF_HEX || fmt == PF_OCT) return append_unsigned(out, fmt, static_cast<uint64_t>(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%" PRId64, v);
    out += buf;
}

// Printable bytes as-is, everything else as '.'. Whole, as the reference prints buffers (the
// driver's snaplen already bounds I/O data; argument and cgroup lists are shown in full).
void append_bytes(std::string& out, param_view v) {
    for (uint32_t i = 0; i < v.len; ++i) {
        const unsigned char c = v.data[i];
        out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
    }
}

// A point in time (nanoseconds since the epoch) as local date and time with nanoseconds,
// "2024-05-01 12:00:00.123456789", the reference's rendering.
void append_abstime(std::string& out, uint64_t ns) {
    const time_t sec = static_cast<time_t>(ns / 1000000000ULL);
    struct tm tm;
    char buf[64];
    if (localtime_r(&sec, &tm) == nullptr || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
        return append_fmt(out, "%" PRIu64, ns);
    }
    out += buf;
    append_fmt(out, ".%09" PRIu64, ns % 1000000000ULL);
}

// A unix socket path: up to its terminating NUL.
void append_unix_path(std::string& out, param_view v) {
    const void* nul = std::memchr(v.data, 0, v.len);
    const uint32_t n = nul ? static_cast<uint32_t>(static_cast<const uint8_t*>(nul) - v.data) : v.len;
    append_bytes(out, param_view{v.data, n});
}

// "ip:port"; IPv6 addresses without brackets ("::1:80"), as the reference prints them.
void append_ip_port(std::string& out, int af, const uint8_t* addr, const uint8_t* port_le) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(af, addr, buf, sizeof buf);
    uint16_t port;
    std::memcpy(&port, port_le, 2);
    out += buf;
    out += ':';
    out += std::to_string(port);
}

// What an empty parameter (length 0: the driver had no value, or the converter added it) shows:
// the reference prints NULL for buffers, tuples and lists, <NA> for everything else.
const char* empty_param_text(uint8_t type) {
    switch (type) {
        case PT_BYTEBUF:
        case PT_SOCKTUPLE:
        case PT_FDLIST:
        case PT_CHARBUFARRAY:
        case PT_CHARBUF_PAIR_ARRAY:
        case PT_DYN:
            return "NULL";
        default:
            return "<NA>";
    }
}

bool is_string_type(uint8_t type) {
    return type == PT_CHARBUF || type == PT_FSPATH || type == PT_FSRELPATH;
}

void append_sockaddr(std::string& out, param_view v) {
    if (v.len == 0) return out += "NULL", void();
    const uint8_t fam = v.data[0];
    if (fam == k_af_inet && v.len >= 7) return append_ip_port(out, AF_INET, v.data + 1, v.data + 5);
    if (fam == k_af_inet6 && v.len >= 19) return append_ip_port(out, AF_INET6, v.data + 1, v.data + 17);
    if (fam == k_af_unix) return append_unix_path(out, param_view{v.data + 1, v.len - 1});
    append_fmt(out, "family=%" PRIu64, fam);
}

// A poll list: "fd:flags" per entry (flags in hex), space separated, numbers as the reference
// prints them (the fd unsigned, so an ignored entry's -1 is 18446744073709551615). libscap knows
// no fd table, so the type letter libsinsp puts before the flags is left out here.
void append_fdlist(std::string& out, param_view v) {
    bool first = true;
    for_each_fdlist_entry(v, [&](int64_t fd, int16_t flags) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%s%" PRIu64 ":%x", first ? "" : " ", static_cast<uint64_t>(fd),
                      static_cast<uint32_t>(flags));
        out += buf;
        first = false;
    });
}

void append_socktuple(std::string& out, param_view v) {
    if (v.len == 0) return out += "NULL", void();
    const uint8_t fam = v.data[0];
    if (fam == k_af_inet && v.len >= 13) {
        append_ip_port(out, AF_INET, v.data + 1, v.data + 5);
        out += "->";
        return append_ip_port(out, AF_INET, v.data + 7, v.data + 11);
    }
    if (fam == k_af_inet6 && v.len >= 37) {
        append_ip_port(out, AF_INET6, v.data + 1, v.data + 17);
        out += "->";
        return append_ip_port(out, AF_INET6, v.data + 19, v.data + 35);
    }
    if (fam == k_af_unix && v.len >= 17) {
        uint64_t src, dst;
        std::memcpy(&src, v.data + 1, 8);
        std::memcpy(&dst, v.data + 9, 8);
        append_fmt(out, "%" PRIx64, src);
        append_fmt(out, "->%" PRIx64 " ", dst);
        return append_unix_path(out, param_view{v.data + 17, v.len - 17});
    }
    append_fmt(out, "family=%" PRIu64, fam);
}

// The names of the flags set in v ("O_RDONLY|O_CLOEXEC"); false when the parameter has no
// flag table.
// The reference's rendering: bit flags are matched in table order against the bits not yet
// named (O_RDWR names bits 1|2, so O_RDONLY and O_WRONLY do not follow it), stopping at an
// entry equal to the whole value; a zero entry names only zero. Enumerations list every name
// of the value (AF_LOCAL|AF_UNIX).
bool append_flag_names(std::string& out, const scap_param_info& info, uint64_t v, bool is_enum) {
    if (info.info_kind != SCAP_INFO_FLAGS || info.info == nullptr) return false;
    const auto* table = static_cast<const scap_name_value*>(info.info);
    bool first = true;
    uint64_t left = v;
    for (; table->name != nullptr; ++table) {
        bool match;
        if (is_enum) {
            match = table->value == v;
        } else if (table->value == 0) {
            match = v == 0;
        } else {
            match = left != 0 && (left & table->value) == table->value;
            if (match) left &= ~static_cast<uint64_t>(table->value);
        }
        if (!match) continue;
        if (!first) out += '|';
        out += table->name;
        first = false;
        if (!is_enum && table->value == v) break;
    }
    return true;
}

bool flag_kind(ppm_param_type t, bool& is_enum, uint32_t& width) {
    switch (t) {
        case PT_FLAGS8:
        case PT_FLAGS16:
        case PT_FLAGS32:
            is_enum = false;
            break;
        case PT_ENUMFLAGS8:
        case PT_ENUMFLAGS16:
        case PT_ENUMFLAGS32:
            is_enum = true;
            break;
        default:
            return false;
    }
    width = (t == PT_FLAGS8 || t == PT_ENUMFLAGS8) ? 1 : (t == PT_FLAGS16 || t == PT_ENUMFLAGS16) ? 2 : 4;
    return true;
}

uint64_t flag_value(param_view v, uint32_t width) {
    return width == 1 ? v.as<uint8_t>() : width == 2 ? v.as<uint16_t>() : v.as<uint32_t>();
}

}  // namespace

// PT_DYN: the first byte chooses the value's real type in the parameter's DYN set.
static bool resolve_dyn(const scap_param_info& info, param_view v, const scap_param_info*& inner,
                        param_view& inner_v) {
    if (info.type != PT_DYN || info.info_kind != SCAP_INFO_DYN || v.len < 1 || v.data[0] >= info.ninfo)
        return false;
    inner = &static_cast<const scap_param_info*>(info.info)[v.data[0]];
    inner_v = param_view{v.data + 1, v.len - 1};
    return true;
}

void append_param_raw(std::string& out, const scap_param_info& info, param_view v) {
    if (v.len == 0) {
        out += empty_param_text(info.type);
        return;
    }
    // "(NULL)": how old drivers wrote a string they could not read.
    if (is_string_type(info.type) && v.len == 7 && std::memcmp(v.data, "(NULL)", 7) == 0) {
        out += "<NA>";
        return;
    }
    const scap_param_info* inner;
    param_view inner_v;
    if (resolve_dyn(info, v, inner, inner_v)) return append_param_raw(out, *inner, inner_v);
    bool is_enum;
    uint32_t width;
    if (flag_kind(static_cast<ppm_param_type>(info.type), is_enum, width)) {
        return append_unsigned(out, PF_HEX, flag_value(v, width));
    }
    switch (info.type) {
        case PT_INT8:
            return append_signed(out, info.fmt, v.as<int8_t>());
        case PT_INT16:
            return append_signed(out, info.fmt, v.as<int16_t>());
        case PT_INT32:
            return append_signed(out, info.fmt, v.as<int32_t>());
        case PT_INT64:
        case PT_ERRNO:
        case PT_FD:
        case PT_PID:
        case PT_RELTIME:
            return append_signed(out, info.fmt, v.as<int64_t>());
        case PT_ABSTIME:
            return append_abstime(out, v.as<uint64_t>());
        case PT_FD32:
        case PT_PID32:
            return append_signed(out, info.fmt, v.as<int32_t>());
        case PT_UINT8:
        case PT_SIGTYPE:
        case PT_L4PROTO:
        case PT_SOCKFAMILY:
            return append_unsigned(out, info.fmt, v.as<uint8_t>());
        case PT_UINT16:
        case PT_PORT:
        case PT_SYSCALLID:
            return append_unsigned(out, info.fmt, v.as<uint16_t>());
        case PT_UINT32:
        case PT_UID:
        case PT_GID:
        case PT_BOOL:
        case PT_SIGSET:
        case PT_MODE:
            return append_unsigned(out, info.fmt, v.as<uint32_t>());
        case PT_UINT64:
            return append_unsigned(out, info.fmt, v.as<uint64_t>());
        case PT_CHARBUF:
        case PT_FSPATH:
        case PT_FSRELPATH: {
            std::string_view s = v.str();
            out.append(s.data(), s.size());
            return;
        }
        case PT_SOCKADDR:
            return append_sockaddr(out, v);
        case PT_SOCKTUPLE:
            return append_socktuple(out, v);
        case PT_FDLIST:
            return append_fdlist(out, v);
        case PT_IPV4ADDR:
        case PT_IPV6ADDR:
        case PT_IPADDR: {
            char buf[INET6_ADDRSTRLEN] = "?";
            if (v.len == 4) inet_ntop(AF_INET, v.data, buf, sizeof buf);
            if (v.len == 16) inet_ntop(AF_INET6, v.data, buf, sizeof buf);
            out += buf;
            return;
        }
        case PT_DOUBLE: {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%g", v.as<double>());
            out += buf;
            return;
        }
        default:
            return append_bytes(out, v);
    }
}

bool append_param_resolved(std::string& out, const scap_param_info& info, param_view v) {
    const scap_param_info* inner;
    param_view inner_v;
    if (resolve_dyn(info, v, inner, inner_v)) return append_param_resolved(out, *inner, inner_v);
    bool is_enum;
    uint32_t width;
    if (v.len == 0) return false;
    if (flag_kind(static_cast<ppm_param_type>(info.type), is_enum, width)) {
        return append_flag_names(out, info, flag_value(v, width), is_enum);
    }
    if (info.type == PT_ERRNO) {
        const int64_t res = v.as<int64_t>();
        if (res >= 0 || res < -4095) return false;
        const char* name = strerrorname_np(static_cast<int>(-res));
        if (!name) return false;
        out += name;
        return true;
    }
    return false;
}

void append_param(std::string& out, const scap_param_info& info, param_view v) {
    append_param_raw(out, info, v);
    const size_t at = out.size();
    out += '(';
    if (append_param_resolved(out, info, v)) {
        out += ')';
    } else {
        out.resize(at);
    }
}

void append_params(std::string& out, event_view ev) {
    const scap_event_info& info = ev.info();
    const uint32_t n = ev.nparams();
    for (uint32_t i = 0; i < n; ++i) {
        if (i) out += ' ';
        if (i < info.nparams) {
            out += info.params[i].name;
            out += '=';
            append_param(out, info.params[i], ev.param(i));
        } else {
            out += "?=";
            append_bytes(out, ev.param(i));
        }
    }
}

}  // namespace scap
