// Field values as text.
#include "sinsp/value_text.h"

#include <arpa/inet.h>

#include <cinttypes>
#include <cstdio>

namespace sinsp {

namespace {

void append_ip(std::string& out, const filter::value_view& v) {
    char buf[INET6_ADDRSTRLEN];
    const int family = v.len == 16 ? AF_INET6 : AF_INET;
    if ((v.len == 4 || v.len == 16) && inet_ntop(family, v.data, buf, sizeof buf)) out += buf;
}

// Printable ASCII as is; anything else as '.', the way sysdig shows buffers in its default
// (ascii) mode, so binary payloads cannot break the line structure of the output.
void append_printable(std::string& out, const filter::value_view& v) {
    out.reserve(out.size() + v.len);
    for (uint32_t i = 0; i < v.len; ++i) {
        const unsigned char ch = v.data[i];
        out += (ch >= 0x20 && ch < 0x7f) ? static_cast<char>(ch) : '.';
    }
}

bool is_signed(ppm_param_type t) {
    return filter::family_of(t) == filter::family::signed_int || t == PT_FD32 || t == PT_PID32;
}

}  // namespace

void append_value_text(std::string& out, ppm_param_type type, const filter::value_view& v) {
    char buf[64];
    switch (type) {
        case PT_CHARBUF:
        case PT_FSPATH:
        case PT_FSRELPATH: {
            std::string_view s = v.str();
            if (!s.empty() && s.back() == '\0') s.remove_suffix(1);
            out.append(s.data(), s.size());
            return;
        }
        case PT_BYTEBUF:
            append_printable(out, v);
            return;
        case PT_BOOL:
            out += v.num ? "true" : "false";
            return;
        case PT_DOUBLE:
            std::snprintf(buf, sizeof buf, "%.2f", v.as_double());
            out += buf;
            return;
        case PT_IPV4ADDR:
        case PT_IPV6ADDR:
        case PT_IPADDR:
        case PT_IPV4NET:
        case PT_IPV6NET:
        case PT_IPNET:
            append_ip(out, v);
            return;
        default:
            break;
    }
    if (v.data != nullptr) {  // a type this function does not know, carried as bytes
        append_printable(out, v);
    } else if (is_signed(type)) {
        std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(v.num));
        out += buf;
    } else {
        std::snprintf(buf, sizeof buf, "%" PRIu64, v.num);
        out += buf;
    }
}

void append_values_text(std::string& out, ppm_param_type type, const filter::value_list& values) {
    if (values.size() == 1) {
        append_value_text(out, type, values[0]);
        return;
    }
    out += '(';
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out += ", ";
        append_value_text(out, type, values[i]);
    }
    out += ')';
}

}  // namespace sinsp
