/*
 * The event schema as C types, enums and tables. Built only from the .def files beside this
 * header; compiles as C (userspace, kernel module, clang -target bpf) and as C++.
 */
#ifndef SCAP_SCHEMA_H
#define SCAP_SCHEMA_H

/* The kernel's linux/types.h defines uint8_t..uint64_t. Everything else, BPF programs included,
 * uses <stdint.h> (clang -target bpf needs -ffreestanding to use its own copy). No libc calls. */
#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#include "schema_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Upper bound on parameters per event (the lengths array is sized from it). */
#define SCAP_MAX_EVENT_PARAMS 32
/* Longest event, parameter or ppm_sc name, terminating NUL included. */
#define SCAP_MAX_NAME_LEN 32
/* Size of the scratch buffers the drivers use for a path. */
#define SCAP_MAX_PATH 4096

/* Parameter types. Values are part of the file format. */
enum ppm_param_type {
    PT_NONE = 0,
    PT_INT8 = 1,
    PT_INT16 = 2,
    PT_INT32 = 3,
    PT_INT64 = 4,
    PT_UINT8 = 5,
    PT_UINT16 = 6,
    PT_UINT32 = 7,
    PT_UINT64 = 8,
    PT_CHARBUF = 9,     /* NUL-terminated string */
    PT_BYTEBUF = 10,    /* raw bytes */
    PT_ERRNO = 11,      /* int64; negative values are -errno */
    PT_SOCKADDR = 12,   /* family byte + address */
    PT_SOCKTUPLE = 13,  /* family byte + source + destination */
    PT_FD = 14,         /* int64 */
    PT_PID = 15,        /* int64 */
    PT_FDLIST = 16,     /* u16 count + count * (u64 fd, u16 flags) */
    PT_FSPATH = 17,     /* NUL-terminated path */
    PT_SYSCALLID = 18,  /* u16 ppm_sc code */
    PT_SIGTYPE = 19,    /* u8 signal number */
    PT_RELTIME = 20,    /* u64 nanoseconds */
    PT_ABSTIME = 21,    /* u64 nanoseconds since the epoch */
    PT_PORT = 22,       /* u16 */
    PT_L4PROTO = 23,    /* u8 */
    PT_SOCKFAMILY = 24, /* u8 */
    PT_BOOL = 25,       /* u32 */
    PT_IPV4ADDR = 26,   /* 4 bytes */
    PT_DYN = 27,        /* u8 index into a DYN table, then a value of that entry's type */
    PT_FLAGS8 = 28,
    PT_FLAGS16 = 29,
    PT_FLAGS32 = 30,
    PT_UID = 31, /* u32; all ones means "none" */
    PT_GID = 32, /* u32; all ones means "none" */
    PT_DOUBLE = 33,
    PT_SIGSET = 34, /* low u32 of a sigset_t */
    PT_CHARBUFARRAY = 35,
    PT_CHARBUF_PAIR_ARRAY = 36,
    PT_IPV4NET = 37,
    PT_IPV6ADDR = 38, /* 16 bytes */
    PT_IPV6NET = 39,
    PT_IPADDR = 40, /* 4 or 16 bytes, by length */
    PT_IPNET = 41,
    PT_MODE = 42,       /* u32 file mode bits */
    PT_FSRELPATH = 43,  /* path relative to the dirfd named by DIRFD(index) */
    PT_ENUMFLAGS8 = 44, /* u8 taking exactly one of the table's values */
    PT_ENUMFLAGS16 = 45,
    PT_ENUMFLAGS32 = 46,
    PT_FD32 = 47,  /* int32 */
    PT_PID32 = 48, /* int32 */
    PT_MAX = 49
};

/* How numeric parameters are printed. */
enum ppm_print_format {
    PF_NA = 0,
    PF_DEC = 1,
    PF_HEX = 2,
    PF_10_PADDED_DEC = 3,
    PF_ID = 4,
    PF_DIR = 5,
    PF_OCT = 6
};

/* Event categories: the low 6 bits are one of the base categories, the higher bits say where the
 * event comes from. */
enum ppm_event_category {
    EC_UNKNOWN = 0,
    EC_OTHER = 1,
    EC_FILE = 2,
    EC_NET = 3,
    EC_IPC = 4,
    EC_MEMORY = 5,
    EC_PROCESS = 6,
    EC_SLEEP = 7,
    EC_SYSTEM = 8,
    EC_SIGNAL = 9,
    EC_USER = 10,
    EC_TIME = 11,
    EC_PROCESSING = 12,
    EC_IO_BASE = 32,
    EC_IO_READ = 32,
    EC_IO_WRITE = 33,
    EC_IO_OTHER = 34,
    EC_WAIT = (1 << 6),
    EC_SCHEDULER = (1 << 7),
    EC_INTERNAL = (1 << 8),
    EC_SYSCALL = (1 << 9),
    EC_TRACEPOINT = (1 << 10),
    EC_PLUGIN = (1 << 11),
    EC_METAEVENT = (1 << 12),
    EC_ITER = (1 << 13)
};

enum ppm_event_flags {
    EF_NONE = 0,
    EF_CREATES_FD = (1 << 0),
    EF_DESTROYS_FD = (1 << 1),
    EF_USES_FD = (1 << 2),
    EF_READS_FROM_FD = (1 << 3),
    EF_WRITES_TO_FD = (1 << 4),
    EF_MODIFIES_STATE = (1 << 5), /* state trackers must see it even when filtering */
    EF_UNUSED = (1 << 6),         /* unused slot ("NA") */
    EF_WAITS = (1 << 7),
    EF_SKIPPARSERESET = (1 << 8),
    EF_OLD_VERSION = (1 << 9),    /* never emitted any more: only read from old captures */
    EF_LARGE_PAYLOAD = (1 << 11), /* u32 parameter lengths instead of u16 */
    EF_CONVERTER_MANAGED = (1 << 12)
};

/* Syscall table flags. */
enum ppm_syscall_flags {
    UF_NONE = 0,
    UF_USED = (1 << 0),
    UF_NEVER_DROP = (1 << 1),
    UF_ALWAYS_DROP = (1 << 2),
    UF_ATOMIC = (1 << 4)
};

/* Event codes: PPME_<ID> = code, from events.def (codes are dense: 0 .. PPM_EVENT_MAX-1). */
typedef enum ppm_event_code {
#define EVENT(code, id, name, category, flags, nparams) PPME_##id = code,
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
    PPM_EVENT_MAX
} ppm_event_code;

/* Compile-time parameter counts: SCAP_NPARAMS_<ID>. */
enum scap_event_nparams {
#define EVENT(code, id, name, category, flags, nparams) SCAP_NPARAMS_##id = nparams,
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
    SCAP_NPARAMS_DUMMY_ = 0
};

/* Syscall/tracepoint codes: PPM_SC_<NAME> = code, from ppm_sc.def (code 382 is unassigned). */
typedef enum ppm_sc_code {
#define SC(name, code) PPM_SC_##name = code,
#include "ppm_sc.def"
#undef SC
    PPM_SC_MAX
} ppm_sc_code;

/* The event header on the wire: little-endian, packed, 26 bytes. */
#pragma pack(push, 1)
struct ppm_evt_hdr {
    uint64_t ts;      /* nanoseconds since the epoch */
    uint64_t tid;     /* thread that generated the event */
    uint32_t len;     /* whole event, header included */
    uint16_t type;    /* ppm_event_code */
    uint32_t nparams; /* entries in the lengths array that follows */
};
#pragma pack(pop)

/* --- runtime tables (driver/schema/event_table.c) ------------------------------------------ */

enum scap_param_info_kind {
    SCAP_INFO_NONE = 0,
    SCAP_INFO_FLAGS = 1, /* info: scap_name_value[], NULL-name terminated */
    SCAP_INFO_DIRFD = 2, /* dirfd_index: the PT_FD parameter this path is relative to */
    SCAP_INFO_DYN = 3    /* info: scap_param_info[ninfo], chosen by the value's index byte */
};

struct scap_name_value {
    const char* name;
    uint64_t value;
};

struct scap_param_info {
    const char* name;
    uint8_t type;      /* ppm_param_type */
    uint8_t fmt;       /* ppm_print_format */
    uint8_t info_kind; /* scap_param_info_kind */
    uint8_t ninfo;     /* entries in a DYN table */
    int32_t dirfd_index;
    const void* info;
};

struct scap_event_info {
    const char* name;
    uint32_t category; /* ppm_event_category bits */
    uint32_t flags;    /* ppm_event_flags bits */
    uint32_t nparams;
    const struct scap_param_info* params;
};

struct scap_syscall_info {
    uint16_t flags;       /* ppm_syscall_flags */
    uint16_t enter_event; /* ppm_event_code; only in old captures */
    uint16_t exit_event;  /* ppm_event_code the drivers emit */
    uint16_t ppm_sc;      /* ppm_sc_code; 0 = not a known syscall */
};

/* One past the highest x86_64 syscall number in syscalls_x86_64.def (event_table.c checks it). */
#define SCAP_SYSCALL_TABLE_SIZE_X86_64 472

extern const struct scap_event_info scap_event_table[PPM_EVENT_MAX];
/* Lower-case names ("open", "sched_switch"); NULL for an unassigned code. */
extern const char* const scap_ppm_sc_names[PPM_SC_MAX];
extern const struct scap_syscall_info scap_syscall_table_x86_64[SCAP_SYSCALL_TABLE_SIZE_X86_64];

#define FLAGSET(table) extern const struct scap_name_value scap_flags_##table[];
#define FLAG(table, name, value)
#define DYNSET(table) extern const struct scap_param_info scap_dyn_##table[];
#define DYNPARAM(table, name, type, fmt, info)
#include "flags.def"
#undef FLAGSET
#undef FLAG
#undef DYNSET
#undef DYNPARAM

/* Direction is the low bit of the code, as in the reference (PPME_DIRECTION_FLAG): every PPME_*_E
 * code is even and every PPME_*_X code odd. Codes come in pairs even/odd; the unused half of a
 * pair is an "NA" slot flagged EF_UNUSED: the odd half for standalone events (procinfo,
 * container, async...), the even half for syscalls added as exit-only events (close_range,
 * keyctl). */
static inline int scap_event_is_enter(uint32_t code) {
    return (code & 1u) == 0;
}

static inline int scap_event_uses_large_payload(uint32_t code) {
    return code < PPM_EVENT_MAX && (scap_event_table[code].flags & EF_LARGE_PAYLOAD) != 0;
}

/* Bytes per entry of the event's parameter lengths array. */
static inline uint32_t scap_param_len_size(uint32_t code) {
    return scap_event_uses_large_payload(code) ? 4u : 2u;
}

/* Wire size of a fixed-size parameter type; 0 for variable-size types (strings, buffers,
 * socket addresses and tuples, lists, DYN) and for PT_NONE. */
static inline uint32_t scap_param_fixed_size(uint32_t type) {
    switch (type) {
        case PT_INT8:
        case PT_UINT8:
        case PT_FLAGS8:
        case PT_ENUMFLAGS8:
        case PT_SIGTYPE:
        case PT_L4PROTO:
        case PT_SOCKFAMILY:
            return 1;
        case PT_INT16:
        case PT_UINT16:
        case PT_FLAGS16:
        case PT_ENUMFLAGS16:
        case PT_PORT:
        case PT_SYSCALLID:
            return 2;
        case PT_INT32:
        case PT_UINT32:
        case PT_FLAGS32:
        case PT_ENUMFLAGS32:
        case PT_BOOL:
        case PT_UID:
        case PT_GID:
        case PT_MODE:
        case PT_SIGSET:
        case PT_FD32:
        case PT_PID32:
        case PT_IPV4ADDR:
            return 4;
        case PT_INT64:
        case PT_UINT64:
        case PT_ERRNO:
        case PT_FD:
        case PT_PID:
        case PT_RELTIME:
        case PT_ABSTIME:
        case PT_DOUBLE:
            return 8;
        case PT_IPV6ADDR:
            return 16;
        default:
            return 0;
    }
}

#ifdef __cplusplus
}
#endif

#endif /* SCAP_SCHEMA_H */
