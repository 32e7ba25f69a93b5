// Operator/type compatibility as the reference defines it (filter_compare's comparability table).
#include "type_rules.h"

namespace sinsp::filter {

family family_of(ppm_param_type t) {
    switch (t) {
        case PT_INT8:
        case PT_INT16:
        case PT_INT32:
        case PT_INT64:
        case PT_ERRNO:
        case PT_FD:
        case PT_PID:
            return family::signed_int;
        case PT_UINT8:
        case PT_UINT16:
        case PT_UINT32:
        case PT_UINT64:
        case PT_SYSCALLID:
        case PT_SIGTYPE:
        case PT_RELTIME:
        case PT_ABSTIME:
        case PT_PORT:
        case PT_FLAGS8:
        case PT_FLAGS16:
        case PT_FLAGS32:
        case PT_MODE:
        case PT_ENUMFLAGS8:
        case PT_ENUMFLAGS16:
        case PT_ENUMFLAGS32:
            return family::unsigned_int;
        case PT_DOUBLE:
            return family::real;
        case PT_BOOL:
            return family::boolean;
        case PT_CHARBUF:
        case PT_FSPATH:
        case PT_FSRELPATH:
            return family::text;
        case PT_BYTEBUF:
            return family::bytes;
        case PT_IPV4ADDR:
        case PT_IPV6ADDR:
        case PT_IPADDR:
            return family::ipaddr;
        case PT_IPV4NET:
        case PT_IPV6NET:
        case PT_IPNET:
            return family::ipnet;
        default:
            return family::other;
    }
}

unsigned int_width(ppm_param_type t) {
    switch (t) {
        case PT_INT8:
        case PT_UINT8:
        case PT_FLAGS8:
        case PT_ENUMFLAGS8:
        case PT_SIGTYPE:
            return 8;
        case PT_INT16:
        case PT_UINT16:
        case PT_FLAGS16:
        case PT_ENUMFLAGS16:
        case PT_PORT:
        case PT_SYSCALLID:
            return 16;
        case PT_INT32:
        case PT_UINT32:
        case PT_FLAGS32:
        case PT_ENUMFLAGS32:
        case PT_MODE:
            return 32;
        default:
            return 64;
    }
}

const char* type_name(ppm_param_type t) {
    switch (t) {
        case PT_INT8:
            return "INT8";
        case PT_INT16:
            return "INT16";
        case PT_INT32:
            return "INT32";
        case PT_INT64:
            return "INT64";
        case PT_UINT8:
            return "UINT8";
        case PT_UINT16:
            return "UINT16";
        case PT_UINT32:
            return "UINT32";
        case PT_UINT64:
            return "UINT64";
        case PT_CHARBUF:
            return "CHARBUF";
        case PT_BYTEBUF:
            return "BYTEBUF";
        case PT_ERRNO:
            return "ERRNO";
        case PT_FD:
            return "FD";
        case PT_PID:
            return "PID";
        case PT_FSPATH:
            return "FSPATH";
        case PT_FSRELPATH:
            return "FSRELPATH";
        case PT_RELTIME:
            return "RELTIME";
        case PT_ABSTIME:
            return "ABSTIME";
        case PT_PORT:
            return "PORT";
        case PT_BOOL:
            return "BOOL";
        case PT_DOUBLE:
            return "DOUBLE";
        case PT_IPV4ADDR:
            return "IPV4ADDR";
        case PT_IPV6ADDR:
            return "IPV6ADDR";
        case PT_IPADDR:
            return "IPADDR";
        case PT_IPV4NET:
            return "IPV4NET";
        case PT_IPV6NET:
            return "IPV6NET";
        case PT_IPNET:
            return "IPNET";
        case PT_MODE:
            return "MODE";
        case PT_SYSCALLID:
            return "SYSCALLID";
        case PT_SIGTYPE:
            return "SIGTYPE";
        default:
            return "OTHER";
    }
}

std::optional<cmp_op> op_from_string(std::string_view s) {
    if (s == "=" || s == "==") return cmp_op::eq;
    for (unsigned i = 0; i < static_cast<unsigned>(cmp_op::count_); ++i) {
        auto op = static_cast<cmp_op>(i);
        if (s == to_string(op)) return op;
    }
    return std::nullopt;
}

const char* to_string(cmp_op op) {
    switch (op) {
        case cmp_op::eq:
            return "=";
        case cmp_op::ne:
            return "!=";
        case cmp_op::lt:
            return "<";
        case cmp_op::le:
            return "<=";
        case cmp_op::gt:
            return ">";
        case cmp_op::ge:
            return ">=";
        case cmp_op::contains:
            return "contains";
        case cmp_op::icontains:
            return "icontains";
        case cmp_op::bcontains:
            return "bcontains";
        case cmp_op::startswith:
            return "startswith";
        case cmp_op::bstartswith:
            return "bstartswith";
        case cmp_op::endswith:
            return "endswith";
        case cmp_op::glob:
            return "glob";
        case cmp_op::iglob:
            return "iglob";
        case cmp_op::pmatch:
            return "pmatch";
        case cmp_op::in:
            return "in";
        case cmp_op::intersects:
            return "intersects";
        case cmp_op::exists:
            return "exists";
        case cmp_op::regex:
            return "regex";
        case cmp_op::count_:
            break;
    }
    return "?";
}

namespace {
using O = cmp_op;
constexpr uint32_t k_numeric = op_bit(O::eq) | op_bit(O::ne) | op_bit(O::lt) | op_bit(O::le) | op_bit(O::gt) |
                               op_bit(O::ge) | op_bit(O::in) | op_bit(O::intersects) | op_bit(O::exists);
constexpr uint32_t k_bool =
    op_bit(O::eq) | op_bit(O::ne) | op_bit(O::in) | op_bit(O::intersects) | op_bit(O::exists);
constexpr uint32_t k_ip = k_bool;
constexpr uint32_t k_text = k_numeric | op_bit(O::contains) | op_bit(O::icontains) | op_bit(O::startswith) |
                            op_bit(O::endswith) | op_bit(O::glob) | op_bit(O::iglob) | op_bit(O::pmatch) |
                            op_bit(O::regex);
constexpr uint32_t k_bytes = op_bit(O::eq) | op_bit(O::ne) | op_bit(O::contains) | op_bit(O::bcontains) |
                             op_bit(O::startswith) | op_bit(O::bstartswith) | op_bit(O::endswith) |
                             op_bit(O::in) | op_bit(O::intersects) | op_bit(O::exists);
constexpr uint32_t k_list = op_bit(O::in) | op_bit(O::intersects) | op_bit(O::exists);
}  // namespace

std::string check_comparable(cmp_op op, ppm_param_type t, bool is_list) {
    if (op == cmp_op::exists) return {};
    const std::string opname = std::string("'") + to_string(op) + "'";
    if (is_list) {
        switch (t) {
            case PT_CHARBUF:
            case PT_UINT64:
            case PT_RELTIME:
            case PT_ABSTIME:
            case PT_BOOL:
            case PT_IPADDR:
            case PT_IPNET:
                if (k_list & op_bit(op)) return {};
                return opname + " operator not supported on list fields (only 'in', 'intersects', 'exists')";
            default:
                return std::string("list fields of type ") + type_name(t) + " cannot be compared";
        }
    }
    uint32_t allowed = 0;
    const char* what = "";
    switch (family_of(t)) {
        case family::signed_int:
        case family::unsigned_int:
        case family::real:
            allowed = k_numeric;
            what = "numeric";
            break;
        case family::boolean:
            allowed = k_bool;
            what = "boolean";
            break;
        case family::text:
            allowed = k_text;
            what = "string";
            break;
        case family::bytes:
            allowed = k_bytes;
            what = "buffer";
            break;
        case family::ipaddr:
        case family::ipnet:
            allowed = k_ip;
            what = "ip address and network";
            break;
        case family::other:
            return opname + " operator not supported for type " + type_name(t);
    }
    if (allowed & op_bit(op)) return {};
    return opname + " operator not supported for " + what + " fields";
}

}  // namespace sinsp::filter
