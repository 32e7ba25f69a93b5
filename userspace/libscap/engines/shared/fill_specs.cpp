#include "engines/shared/fill_specs.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

// glibc defines O_LARGEFILE as 0 on 64-bit targets; the driver sees the kernel's bit.
#define MBPF_KERNEL_O_LARGEFILE 0100000

namespace scap::drivers {
namespace {

enum conv_id : uint8_t {
    CONV_none = 0,
#define CONV_TABLE(id, flags_table) CONV_##id,
#define CONV_RULE(mask, value, name)
#define CONV_BIT(name)
#include "conversions.def"
#undef CONV_TABLE
#undef CONV_RULE
#undef CONV_BIT
    CONV_count
};
static_assert(CONV_count <= MBPF_CONV_TABLES, "conversions.def: too many tables");

struct src_decl {
    uint8_t kind = MBPF_SRC_EMPTY;
    uint8_t arg = 0;
    uint8_t aux = 0;
    uint8_t conv = CONV_none;
    uint8_t post = MBPF_POST_NONE;
};

struct row_decl {
    uint16_t event;
    std::vector<src_decl> params;
};

// Row-level declarations of fill_table.def: TOCTOU(EVENT, arg, kind) and PER_MESSAGE(EVENT, arg).
struct row_note_decl {
    enum what_t : uint8_t { toctou, per_message } what;
    uint16_t event;
    uint8_t arg;
    uint8_t kind;  // toctou: 0 string, 1 sockaddr
};

// The vocabulary of fill_table.def.
#define RET          \
    src_decl {       \
        MBPF_SRC_RET \
    }
#define ARG(n)          \
    src_decl {          \
        MBPF_SRC_ARG, n \
    }
#define ARGC(n, c)                   \
    src_decl {                       \
        MBPF_SRC_ARG, n, 0, CONV_##c \
    }
#define CONST(v)             \
    src_decl {               \
        MBPF_SRC_CONST, 0, v \
    }
#define EMPTY          \
    src_decl {         \
        MBPF_SRC_EMPTY \
    }
#define STR(n)              \
    src_decl {              \
        MBPF_SRC_ARG_STR, n \
    }
// String at arg n only when flag table c maps argument sel to non-zero.
#define STR_IF(n, sel, c)                                                                    \
    src_decl {                                                                               \
        MBPF_SRC_ARG_STR, n, static_cast<uint8_t>((sel) + 1), static_cast<uint8_t>(CONV_##c) \
    }
#define BUF_RET(n)          \
    src_decl {              \
        MBPF_SRC_BUF_RET, n \
    }
#define BUF_ARG(n, len)          \
    src_decl {                   \
        MBPF_SRC_BUF_ARG, n, len \
    }
#define SADDR(n, len)             \
    src_decl {                    \
        MBPF_SRC_SOCKADDR, n, len \
    }
#define SADDR_PLEN(n, plen)             \
    src_decl {                          \
        MBPF_SRC_SOCKADDR_PLEN, n, plen \
    }
#define TUPLE(n)                \
    src_decl {                  \
        MBPF_SRC_FD_TUPLE, n, 0 \
    }
// Tuples of a socket whose remote end, when it has no peer, is the sockaddr at argument addr:
// sendto's destination (length: the next argument), recvfrom's sender (length: an int the next
// argument points at, written back by the kernel; the tuple reads sender -> receiver).
#define TUPLE_TO(n, addr)                                                                 \
    src_decl {                                                                            \
        MBPF_SRC_FD_TUPLE, n, static_cast<uint8_t>(MBPF_TUPLE_ADDR_BYVAL | ((addr) << 4)) \
    }
#define TUPLE_FROM(n, addr)                                                                   \
    src_decl {                                                                                \
        MBPF_SRC_FD_TUPLE, n, static_cast<uint8_t>(2 | MBPF_TUPLE_ADDR_BYPTR | ((addr) << 4)) \
    }
// The same for sendmsg/recvmsg: the address is the msg_name of the msghdr at argument msg.
#define TUPLE_MSG_TO(n, msg)                                                           \
    src_decl {                                                                         \
        MBPF_SRC_FD_TUPLE, n, static_cast<uint8_t>(MBPF_TUPLE_ADDR_MSG | ((msg) << 4)) \
    }
#define TUPLE_MSG_FROM(n, msg)                                                                   \
    src_decl {                                                                                   \
        MBPF_SRC_FD_TUPLE, n,                                                                    \
            static_cast<uint8_t>(2 | MBPF_TUPLE_ADDR_MSG | MBPF_TUPLE_ADDR_BYPTR | ((msg) << 4)) \
    }
#define TUPLE_ACCEPTED          \
    src_decl {                  \
        MBPF_SRC_FD_TUPLE, 0, 3 \
    }
#define DEV_RET               \
    src_decl {                \
        MBPF_SRC_FD_DEV, 0, 1 \
    }
#define INO_RET               \
    src_decl {                \
        MBPF_SRC_FD_INO, 0, 1 \
    }
// Inode of the fd in the user int at argument n (pipe's int[2]).
#define INO_UFD(n)            \
    src_decl {                \
        MBPF_SRC_FD_INO, n, 2 \
    }
#define UINT(n, off)              \
    src_decl {                    \
        MBPF_SRC_USER_INT, n, off \
    }
#define UINTC(n, off, c)                    \
    src_decl {                              \
        MBPF_SRC_USER_INT, n, off, CONV_##c \
    }
#define TIMESPEC(n)          \
    src_decl {               \
        MBPF_SRC_TIMESPEC, n \
    }
#define IOV_LEN(n, cnt)          \
    src_decl {                   \
        MBPF_SRC_IOV_LEN, n, cnt \
    }
#define IOV_DATA(n, cnt)          \
    src_decl {                    \
        MBPF_SRC_IOV_DATA, n, cnt \
    }
// Read side: only the return value's worth of bytes is data.
#define IOV_DATA_RET(n, cnt)                                                  \
    src_decl {                                                                \
        MBPF_SRC_IOV_DATA, n, static_cast<uint8_t>((cnt) | MBPF_IOV_DATA_RET) \
    }
#define SC_ID           \
    src_decl {          \
        MBPF_SRC_PPM_SC \
    }
#define NATIVE_NR          \
    src_decl {             \
        MBPF_SRC_NATIVE_NR \
    }
#define OPEN_FLAGS(n)                                          \
    src_decl {                                                 \
        MBPF_SRC_ARG, n, 0, CONV_file_flags, MBPF_POST_CREATED \
    }
#define OPEN_HOW_FLAGS(n)                                           \
    src_decl {                                                      \
        MBPF_SRC_USER_INT, n, 0, CONV_file_flags, MBPF_POST_CREATED \
    }
#define SOCKOPT_NAME(n)                                                \
    src_decl {                                                         \
        MBPF_SRC_ARG, n, 0, CONV_sockopt_options, MBPF_POST_SOL_SOCKET \
    }
#define SOCKPAIR_SK(n, which)            \
    src_decl {                           \
        MBPF_SRC_SOCKPAIR_SK, n, (which) \
    }
#define FD_PATH_RET            \
    src_decl {                 \
        MBPF_SRC_FD_PATH, 0, 1 \
    }
#define SEMBUF(n, entry, field, c)                                                   \
    src_decl {                                                                       \
        MBPF_SRC_SEMBUF, n, static_cast<uint8_t>(((entry) << 2) | (field)), CONV_##c \
    }
#define PTRACE_ADDR(n)            \
    src_decl {                    \
        MBPF_SRC_PTRACE_VAL, n, 0 \
    }
#define PTRACE_DATA(n)            \
    src_decl {                    \
        MBPF_SRC_PTRACE_VAL, n, 1 \
    }
#define SOCKOPT_VAL(n, len)            \
    src_decl {                         \
        MBPF_SRC_SOCKOPT_VAL, n, (len) \
    }
#define SOCKOPT_VAL_PLEN(n, plen)                                                    \
    src_decl {                                                                       \
        MBPF_SRC_SOCKOPT_VAL, n, static_cast<uint8_t>(MBPF_SOCKOPT_LEN_PTR | (plen)) \
    }
#define POLLFDS(n, cnt)                           \
    src_decl {                                    \
        MBPF_SRC_POLLFDS, n, cnt, CONV_poll_flags \
    }
#define ACCEPT_QUEUE(n, which)          \
    src_decl {                          \
        MBPF_SRC_ACCEPT_QUEUE, n, which \
    }
#define CLONE3_FLAGS(n)                               \
    src_decl {                                        \
        MBPF_SRC_CLONE3_FLAGS, n, 0, CONV_clone_flags \
    }
#define MSG_LEN(n)          \
    src_decl {              \
        MBPF_SRC_MSG_LEN, n \
    }
#define MSG_DATA(n)          \
    src_decl {               \
        MBPF_SRC_MSG_DATA, n \
    }
#define MSG_DATA_RET(n)         \
    src_decl {                  \
        MBPF_SRC_MSG_DATA, n, 1 \
    }
#define MSG_CONTROL(n)          \
    src_decl {                  \
        MBPF_SRC_MSG_CONTROL, n \
    }
#define TASK(f)           \
    src_decl {            \
        MBPF_SRC_TASK_##f \
    }
#define STRING 0
#define SOCKADDR 1

const std::vector<row_decl>& rows() {
    static const std::vector<row_decl> r = {
#define FILL(id, ...) row_decl{PPME_##id, {__VA_ARGS__}},
#define TOCTOU(id, arg, kind)
#define PER_MESSAGE(id, arg)
#include "fill_table.def"
#undef FILL
#undef TOCTOU
#undef PER_MESSAGE
    };
    return r;
}

const std::vector<row_note_decl>& row_notes() {
    static const std::vector<row_note_decl> r = {
#define FILL(id, ...)
#define TOCTOU(id, arg, kind) row_note_decl{row_note_decl::toctou, PPME_##id, arg, kind},
#define PER_MESSAGE(id, arg) row_note_decl{row_note_decl::per_message, PPME_##id, arg, 0},
#include "fill_table.def"
#undef FILL
#undef TOCTOU
#undef PER_MESSAGE
    };
    return r;
}

struct conv_decl {
    const scap_name_value* names;
    struct rule {
        uint64_t mask, value;
        const char* name;
    };
    std::vector<rule> rules;
};

std::vector<conv_decl> conv_tables() {
    std::vector<conv_decl> t(1);  // id 0: none
#define CONV_TABLE(id, flags_table) t.push_back({scap_flags_##flags_table, {}});
#define CONV_RULE(mask, value, name) t.back().rules.push_back({(uint64_t)(mask), (uint64_t)(value), name});
#define CONV_BIT(name) t.back().rules.push_back({(uint64_t)(name), (uint64_t)(name), #name});
#include "conversions.def"
#undef CONV_TABLE
#undef CONV_RULE
#undef CONV_BIT
    return t;
}

// Fixed width of an integer parameter type; 0 for variable-size data (addresses included: the
// filler copies those as bytes).
uint8_t type_size(uint8_t type) {
    const uint32_t n = scap_param_fixed_size(type);
    return static_cast<uint8_t>(n <= 8 ? n : 0);
}

#undef RET
#undef ARG
#undef ARGC
#undef CONST
#undef EMPTY
#undef STR
#undef STR_IF
#undef BUF_RET
#undef BUF_ARG
#undef SADDR
#undef SADDR_PLEN
#undef TUPLE
#undef TUPLE_TO
#undef TUPLE_FROM
#undef TUPLE_ACCEPTED
#undef DEV_RET
#undef INO_RET
#undef INO_UFD
#undef UINT
#undef UINTC
#undef TIMESPEC
#undef IOV_LEN
#undef IOV_DATA
#undef IOV_DATA_RET
#undef SC_ID
#undef NATIVE_NR
#undef TASK
#undef OPEN_FLAGS
#undef SOCKOPT_NAME
#undef SOCKOPT_VAL
#undef PTRACE_ADDR
#undef SEMBUF
#undef FD_PATH_RET
#undef SOCKPAIR_SK
#undef PTRACE_DATA
#undef SOCKOPT_VAL_PLEN
#undef MSG_LEN
#undef POLLFDS
#undef ACCEPT_QUEUE
#undef CLONE3_FLAGS
#undef MSG_DATA
#undef MSG_DATA_RET
#undef MSG_CONTROL
#undef OPEN_HOW_FLAGS
#undef STRING
#undef SOCKADDR

// The type of each SOL_SOCKET option's value (the index of that type in the schema's
// sockopt_dynamic_param set); options not listed are reported as bytes.
bool fill_sockopt_kinds(uint8_t (&kinds)[MBPF_SOCKOPT_KINDS], std::string& error) {
    const struct {
        mbpf_sockopt_kind kind;
        ppm_param_type type;
    } expected[] = {{MBPF_SOCKOPT_BYTES, PT_BYTEBUF},
                    {MBPF_SOCKOPT_ERRNO, PT_ERRNO},
                    {MBPF_SOCKOPT_U32, PT_UINT32},
                    {MBPF_SOCKOPT_U64, PT_UINT64},
                    {MBPF_SOCKOPT_TIMEVAL, PT_RELTIME}};
    for (const auto& e : expected)
        if (scap_dyn_sockopt_dynamic_param[e.kind].type != e.type)
            return error = "schema: sockopt_dynamic_param does not have the expected types", false;
    const int int_options[] = {SO_DEBUG,       SO_REUSEADDR,        SO_TYPE,        SO_DONTROUTE,
                               SO_BROADCAST,   SO_SNDBUF,           SO_RCVBUF,      SO_SNDBUFFORCE,
                               SO_RCVBUFFORCE, SO_KEEPALIVE,        SO_OOBINLINE,   SO_NO_CHECK,
                               SO_PRIORITY,    SO_BSDCOMPAT,        SO_REUSEPORT,   SO_PASSCRED,
                               SO_RCVLOWAT,    SO_SNDLOWAT,         SO_PASSSEC,     SO_MARK,
                               SO_RXQ_OVFL,    SO_WIFI_STATUS,      SO_PEEK_OFF,    SO_NOFCS,
                               SO_LOCK_FILTER, SO_SELECT_ERR_QUEUE, SO_BUSY_POLL,   SO_INCOMING_CPU,
                               SO_ACCEPTCONN,  SO_PROTOCOL,         SO_DOMAIN,      SO_ZEROCOPY,
                               SO_TXTIME,      SO_TIMESTAMP,        SO_TIMESTAMPNS, SO_TIMESTAMPING};
    for (int o : int_options)
        if (o >= 0 && o < static_cast<int>(MBPF_SOCKOPT_KINDS)) kinds[o] = MBPF_SOCKOPT_U32;
    kinds[SO_ERROR] = MBPF_SOCKOPT_ERRNO;
    kinds[SO_COOKIE] = MBPF_SOCKOPT_U64;
    // The 64-bit struct timeval layout, old and new option numbers alike.
    for (int o : {SO_RCVTIMEO, SO_SNDTIMEO, 20 /* SO_RCVTIMEO_OLD */, 21 /* SO_SNDTIMEO_OLD */,
                  66 /* SO_RCVTIMEO_NEW */, 67 /* SO_SNDTIMEO_NEW */})
        kinds[o] = MBPF_SOCKOPT_TIMEVAL;
    return true;
}

// Rows the BPF side builds in its straight-line path (build_in_place in in_place.h): at most
// MBPF_FAST_PARAMS parameters, integers from registers or constants (flag conversions included)
// and at most one I/O buffer, no post-processing. fast_len is the record class the row needs: the
// event at its largest, with room for an 8-byte store at the last parameter's offset (the BPF
// side checks every store against `class size - 8`, one bound the verifier can follow).
void mark_fast_row(const std::vector<src_decl>& params, mbpf_fill_spec& s) {
    s.fast = 0;
    if (params.size() > MBPF_FAST_PARAMS) return;
    uint32_t buffers = 0;
    uint32_t len = 26 + 2 * static_cast<uint32_t>(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        const src_decl& d = params[i];
        if (d.post != MBPF_POST_NONE) return;
        switch (d.kind) {
            case MBPF_SRC_RET:
            case MBPF_SRC_ARG:
            case MBPF_SRC_CONST:
            case MBPF_SRC_PPM_SC:
            case MBPF_SRC_NATIVE_NR:
                len += s.params[i].size;
                break;
            case MBPF_SRC_BUF_RET:
            case MBPF_SRC_BUF_ARG:
                ++buffers;
                len += MBPF_FAST_DATA;
                break;
            default:
                return;
        }
    }
    if (buffers > 1) return;
    if (!params.empty()) len += 8 - std::min<uint32_t>(8, s.params[params.size() - 1].size);
    if (len > MBPF_FAST_IO) return;
    s.fast = buffers ? MBPF_FAST_ROW_IO : MBPF_FAST_ROW_INTS;
    s.fast_len = static_cast<uint8_t>(len);
}

// Open-family rows the BPF side builds in place (open_exit.h): a TOCTOU string row whose other
// parameters are the return value, arguments (open flags with their "created" fix-up included),
// constants and the returned fd's dev and inode. fast_len is the event without its path, with
// room for an 8-byte store at the last parameter's offset; a record class adds the path's room.
void mark_open_row(mbpf_fill_spec& s) {
    if (!s.toctou || s.path_kind != 0 /* string */ || s.nparams > MBPF_FAST_OPEN_PARAMS) return;
    uint32_t len = 26 + 2 * static_cast<uint32_t>(s.nparams) + 8;
    int strings = 0;
    for (uint32_t i = 0; i < s.nparams; ++i) {
        const mbpf_param_src& p = s.params[i];
        if (p.post != MBPF_POST_NONE && !(p.kind == MBPF_SRC_ARG && p.post == MBPF_POST_CREATED)) return;
        switch (p.kind) {
            case MBPF_SRC_RET:
            case MBPF_SRC_ARG:
            case MBPF_SRC_CONST:
                len += p.size;
                break;
            case MBPF_SRC_FD_DEV:
            case MBPF_SRC_FD_INO:
                if (p.aux != 1) return;  // the returned fd's file only
                len += p.size;
                break;
            case MBPF_SRC_ARG_STR:
                if (p.arg != s.path_arg || p.aux != 0) return;  // the saved path, unconditionally
                ++strings;
                break;
            default:
                return;
        }
    }
    if (strings != 1 || len > MBPF_FAST_OPEN_FIXED) return;
    s.fast = MBPF_FAST_ROW_OPEN;
    s.fast_len = static_cast<uint8_t>(len);
}

bool is_integer_source(uint8_t kind) {
    switch (kind) {
        case MBPF_SRC_RET:
        case MBPF_SRC_ARG:
        case MBPF_SRC_CONST:
        case MBPF_SRC_USER_INT:
        case MBPF_SRC_FD_DEV:
        case MBPF_SRC_FD_INO:
        case MBPF_SRC_PPM_SC:
        case MBPF_SRC_NATIVE_NR:
        case MBPF_SRC_MSG_LEN:
        case MBPF_SRC_ACCEPT_QUEUE:
        case MBPF_SRC_CLONE3_FLAGS:
        case MBPF_SRC_SOCKPAIR_SK:
        case MBPF_SRC_SEMBUF:
            return true;
        default:
            return kind >= MBPF_SRC_TASK_TID && kind <= MBPF_SRC_TASK_EXE_FLAGS && kind != MBPF_SRC_TASK_COMM;
    }
}

}  // namespace

bool build_driver_tables(driver_tables& out, std::string& error) {
    out.specs.assign(PPM_EVENT_MAX, mbpf_fill_spec{});
    out.has_row.assign(PPM_EVENT_MAX, false);
    for (const row_decl& r : rows()) {
        const scap_event_info& info = scap_event_table[r.event];
        const std::string where =
            std::string("fill_table.def: ") + info.name + " (code " + std::to_string(r.event) + ")";
        if (out.has_row[r.event]) return error = where + ": two rows", false;
        if (r.params.size() != info.nparams)
            return error = where + ": " + std::to_string(r.params.size()) + " sources for " +
                           std::to_string(info.nparams) + " parameters",
                   false;
        mbpf_fill_spec& s = out.specs[r.event];
        s.nparams = static_cast<uint8_t>(info.nparams);
        for (size_t i = 0; i < r.params.size(); ++i) {
            const src_decl& d = r.params[i];
            mbpf_param_src& p = s.params[i];
            p.kind = d.kind;
            p.arg = d.arg;
            p.aux = d.aux;
            p.conv = d.conv;
            p.post = d.post;
            p.type = info.params[i].type;
            p.size = type_size(p.type);
            if (is_integer_source(d.kind) && p.size == 0)
                return error = where + ": parameter " + info.params[i].name + " is not an integer type",
                       false;
        }
        mark_fast_row(r.params, s);
        out.has_row[r.event] = true;
    }
    for (const row_note_decl& t : row_notes()) {
        if (!out.has_row[t.event])
            return error = "fill_table.def: TOCTOU or PER_MESSAGE for an event without a row", false;
        mbpf_fill_spec& s = out.specs[t.event];
        if (t.what == row_note_decl::per_message) {
            // The loop lives in the generic filler only.
            s.per_message = static_cast<uint8_t>(1 + t.arg);
            s.fast = 0;
            continue;
        }
        s.toctou = 1;
        s.path_arg = t.arg;
        s.path_kind = t.kind;
        mark_open_row(s);
    }

    for (const scap_name_value* nv = scap_flags_file_flags; nv->name; ++nv)
        if (std::strcmp(nv->name, "O_F_CREATED") == 0) out.o_f_created = static_cast<uint32_t>(nv->value);
    if (out.o_f_created == 0) return error = "schema: file_flags has no O_F_CREATED", false;

    if (!fill_sockopt_kinds(out.sockopt_kinds, error)) return false;

    const std::vector<conv_decl> tables = conv_tables();
    for (size_t id = 1; id < tables.size(); ++id) {
        const conv_decl& t = tables[id];
        if (t.rules.size() > MBPF_CONV_ENTRIES)
            return error = "conversions.def: too many rules in a table", false;
        for (size_t k = 0; k < t.rules.size(); ++k) {
            const auto& rule = t.rules[k];
            const scap_name_value* nv = t.names;
            while (nv->name && std::strcmp(nv->name, rule.name) != 0) ++nv;
            if (!nv->name)
                return error = std::string("conversions.def: no schema flag named ") + rule.name, false;
            if (rule.mask == 0)
                return error = std::string("conversions.def: zero mask for ") + rule.name, false;
            out.conv[id][k] = mbpf_conv_rule{rule.mask, rule.value, static_cast<uint32_t>(nv->value), 0};
        }
    }
    return true;
}

mbpf_syscall_entry syscall_entry(const driver_tables& t, uint32_t nr) {
    if (nr >= SCAP_SYSCALL_TABLE_SIZE_X86_64) return {0, 0};
    const scap_syscall_info& sc = scap_syscall_table_x86_64[nr];
    if (sc.ppm_sc == 0) return {0, 0};
    uint16_t ev = sc.exit_event;
    if (ev >= t.has_row.size() || !t.has_row[ev]) ev = PPME_GENERIC_X;
    return {ev, sc.ppm_sc};
}

}  // namespace scap::drivers
