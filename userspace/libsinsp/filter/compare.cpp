#include "compare.h"

#include <fnmatch.h>

#include <cstring>

namespace sinsp::filter {

namespace {

template <typename T>
bool ordered(cmp_op op, T a, T b) {
    switch (op) {
        case cmp_op::eq:
        case cmp_op::in:
        case cmp_op::intersects:
            return a == b;
        case cmp_op::ne:
            return a != b;
        case cmp_op::lt:
            return a < b;
        case cmp_op::le:
            return a <= b;
        case cmp_op::gt:
            return a > b;
        case cmp_op::ge:
            return a >= b;
        default:
            return false;
    }
}

// strcmp ordering over length-delimited strings.
int compare_bytes(const value_view& a, const value_view& b) {
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? std::memcmp(a.data, b.data, n) : 0;
    if (c != 0) return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

bool same_bytes(const value_view& a, const value_view& b) {
    return a.len == b.len && (a.len == 0 || std::memcmp(a.data, b.data, a.len) == 0);
}

bool glob(const value_view& pattern, const value_view& subject, bool nocase, compare_scratch& s) {
    s.pattern.assign(reinterpret_cast<const char*>(pattern.data), pattern.len);
    s.subject.assign(reinterpret_cast<const char*>(subject.data), subject.len);
    return fnmatch(s.pattern.c_str(), s.subject.c_str(), nocase ? FNM_CASEFOLD : 0) == 0;
}

bool compare_text(cmp_op op, const value_view& a, const value_view& b, compare_scratch& s) {
    switch (op) {
        case cmp_op::eq:
        case cmp_op::in:
        case cmp_op::intersects:
            return same_bytes(a, b);
        case cmp_op::ne:
            return !same_bytes(a, b);
        case cmp_op::lt:
            return compare_bytes(a, b) < 0;
        case cmp_op::le:
            return compare_bytes(a, b) <= 0;
        case cmp_op::gt:
            return compare_bytes(a, b) > 0;
        case cmp_op::ge:
            return compare_bytes(a, b) >= 0;
        case cmp_op::contains:
        case cmp_op::bcontains:
            return b.len == 0 || (a.len >= b.len && memmem(a.data, a.len, b.data, b.len) != nullptr);
        case cmp_op::icontains:
            return contains_nocase(a.str(), b.str());
        case cmp_op::startswith:
        case cmp_op::bstartswith:
            return b.len <= a.len && (b.len == 0 || std::memcmp(a.data, b.data, b.len) == 0);
        case cmp_op::endswith:
            return b.len <= a.len && (b.len == 0 || std::memcmp(a.data + a.len - b.len, b.data, b.len) == 0);
        case cmp_op::glob:
            return glob(b, a, false, s);
        case cmp_op::iglob:
            return glob(b, a, true, s);
        default:
            return false;
    }
}

bool in_network(const value_view& addr, const value_view& net) {
    if (addr.len != net.len) return false;
    uint64_t bits = net.num;
    size_t whole = bits / 8;
    if (whole && std::memcmp(addr.data, net.data, whole) != 0) return false;
    unsigned tail = bits % 8;
    if (tail == 0) return true;
    uint8_t mask = static_cast<uint8_t>(0xff << (8 - tail));
    return (addr.data[whole] & mask) == (net.data[whole] & mask);
}

}  // namespace

bool contains_nocase(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    if (needle.size() > hay.size()) return false;
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; };
    const char first = lower(needle[0]);
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (lower(hay[i]) != first) continue;
        size_t j = 1;
        while (j < needle.size() && lower(hay[i + j]) == lower(needle[j])) ++j;
        if (j == needle.size()) return true;
    }
    return false;
}

bool compare_scalar(cmp_op op, family fam, const value_view& a, const value_view& b, compare_scratch& s) {
    switch (fam) {
        case family::signed_int:
            return ordered(op, static_cast<int64_t>(a.num), static_cast<int64_t>(b.num));
        case family::unsigned_int:
            return ordered(op, a.num, b.num);
        case family::real:
            return ordered(op, a.as_double(), b.as_double());
        case family::boolean:
            return (op == cmp_op::ne) ? a.num != b.num : a.num == b.num;
        case family::text:
            return compare_text(op, trim_text(a), trim_text(b), s);
        case family::bytes:
            return compare_text(op, a, b, s);
        case family::ipaddr:
            return (op == cmp_op::ne) ? !same_bytes(a, b) : same_bytes(a, b);
        case family::ipnet:
            return (op == cmp_op::ne) ? !in_network(a, b) : in_network(a, b);
        case family::other:
            break;
    }
    return false;
}

}  // namespace sinsp::filter
