// Literal parsing. Number parsing deliberately uses sscanf with the reference's formats so edge
// cases agree: decimal only, an optional sign, leading blanks allowed, trailing text rejected,
// and values wider than the field truncated to its width.
#include "literals.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "type_rules.h"

namespace sinsp::filter {

namespace {

[[noreturn]] void bad(const std::string& what) {
    throw std::invalid_argument(what);
}

uint64_t parse_unsigned(const std::string& s, unsigned width) {
    char extra;
    if (width <= 32) {
        uint32_t v;
        if (std::sscanf(s.c_str(), "%" SCNu32 "%c", &v, &extra) != 1)
            bad("'" + s + "' is not a valid number");
        return width == 8 ? uint8_t(v) : width == 16 ? uint16_t(v) : v;
    }
    uint64_t v;
    if (std::sscanf(s.c_str(), "%" SCNu64 "%c", &v, &extra) != 1) bad("'" + s + "' is not a valid number");
    return v;
}

int64_t parse_signed(const std::string& s, unsigned width) {
    char extra;
    if (width <= 32) {
        int32_t v;
        if (std::sscanf(s.c_str(), "%" SCNd32 "%c", &v, &extra) != 1)
            bad("'" + s + "' is not a valid number");
        return width == 8 ? int8_t(v) : width == 16 ? int16_t(v) : v;
    }
    int64_t v;
    if (std::sscanf(s.c_str(), "%" SCNd64 "%c", &v, &extra) != 1) bad("'" + s + "' is not a valid number");
    return v;
}

uint64_t parse_port(const std::string& s) {
    if (s.empty()) return 0;
    if (s.find_first_not_of("0123456789") == std::string::npos) {
        return uint16_t(std::strtoul(s.c_str(), nullptr, 10));
    }
    // Service names ("http", "ssh") resolve like the reference, through the services database.
    const servent* se = getservbyname(s.c_str(), nullptr);
    if (se == nullptr) bad("unrecognized port or service name '" + s + "'");
    return ntohs(static_cast<uint16_t>(se->s_port));
}

value_view parse_addr(const std::string& s, bool v6, literal_store& store) {
    std::string bytes(16, '\0');
    if (inet_pton(v6 ? AF_INET6 : AF_INET, s.c_str(), bytes.data()) != 1) {
        bad(std::string("unrecognized ") + (v6 ? "IPv6" : "IPv4") + " address '" + s + "'");
    }
    bytes.resize(v6 ? 16 : 4);
    return store.keep(std::move(bytes));
}

value_view parse_net(const std::string& s, bool v6, literal_store& store) {
    auto slash = s.find('/');
    if (slash == std::string::npos) bad("'" + s + "' is not a network: expected address/prefix");
    value_view v = parse_addr(s.substr(0, slash), v6, store);
    uint64_t prefix = parse_unsigned(s.substr(slash + 1), v6 ? 32 : 8);
    if (prefix > (v6 ? 128u : 32u)) bad("invalid netmask in '" + s + "'");
    v.num = prefix;
    return v;
}

}  // namespace

bool unhex(const std::string& hex, std::string& out) {
    if (hex.size() % 2 != 0) return false;
    out.clear();
    for (size_t i = 0; i < hex.size(); i += 2) {
        auto nib = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        int hi = nib(hex[i]), lo = nib(hex[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
    }
    return true;
}

value_view parse_literal(ppm_param_type t, cmp_op op, const std::string& text, literal_store& store) {
    if (t == PT_BYTEBUF) {
        // Byte buffers take the literal's bytes as they are (NULs included), except for the
        // b-operators whose operand is written in hex.
        if (op == cmp_op::bcontains || op == cmp_op::bstartswith) {
            std::string bytes;
            if (!unhex(text, bytes)) bad("bcontains and bstartswith take hex strings only");
            return store.keep(std::move(bytes));
        }
        return store.keep(text);
    }
    if (std::memchr(text.data(), '\0', text.size()) != nullptr)
        bad("a filter value cannot contain a NUL byte");
    switch (family_of(t)) {
        case family::signed_int:
            return value_view::signed_number(parse_signed(text, int_width(t)));
        case family::unsigned_int:
            if (t == PT_PORT) return value_view::number(parse_port(text));
            return value_view::number(parse_unsigned(text, int_width(t)));
        case family::real:
            // The reference reads DOUBLE literals as 32-bit integers; kept for identical results.
            return value_view::real(static_cast<double>(parse_signed(text, 32)));
        case family::boolean:
            if (text == "true") return value_view::boolean(true);
            if (text == "false") return value_view::boolean(false);
            bad("unrecognized boolean value '" + text + "' (expected true or false)");
        case family::text:
            return store.keep(text);
        case family::ipaddr: {
            bool v6 = t == PT_IPV6ADDR || (t == PT_IPADDR && text.find('.') == std::string::npos);
            return parse_addr(text, v6, store);
        }
        case family::ipnet: {
            bool v6 = t == PT_IPV6NET || (t == PT_IPNET && text.find('.') == std::string::npos);
            return parse_net(text, v6, store);
        }
        default:
            break;
    }
    bad(std::string("values of type ") + type_name(t) + " cannot be compared");
}

}  // namespace sinsp::filter
