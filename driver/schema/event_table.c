/*
 * The schema's runtime tables, built only from the .def files. Everything is static const, so the
 * same file serves userspace and, later, the kernel module and BPF programs.
 *
 * The build compiles this file as C. It must also compile as C++17 (a check run by hand and by the
 * schema tests' build), so dense tables use positional initializers guarded by compile-time
 * checks, and the two sparse tables (ppm_sc names, x86_64 syscalls) use array designators in C and
 * a constexpr builder in C++, where g++ rejects designators with holes.
 */
#include "scap_schema.h"

#ifdef __cplusplus
#define SCAP_STATIC_ASSERT_KW static_assert
#else
#define SCAP_STATIC_ASSERT_KW _Static_assert
#endif
#define SCAP_STATIC_ASSERT(cond, msg) SCAP_STATIC_ASSERT_KW(cond, msg)

#define SCAP_CAT2(a, b) a##b
#define SCAP_CAT(a, b) SCAP_CAT2(a, b)

SCAP_STATIC_ASSERT(sizeof(struct ppm_evt_hdr) == 26, "the event header is 26 packed bytes");

/* --- flag tables: one NULL-terminated array per FLAGSET -------------------------------------- */
/* Each FLAGSET closes the array opened before it and opens its own; the first closes a dummy. */
static const struct scap_name_value scap_flags_begin_[] __attribute__((unused)) = {
#define FLAGSET(table) \
    { 0, 0 }           \
    }                  \
    ;                  \
    const struct scap_name_value scap_flags_##table[] = {
#define FLAG(table, name, value) {name, (uint64_t)(value)},
#define DYNSET(table)
#define DYNPARAM(table, name, type, fmt, info)
#include "flags.def"
#undef FLAGSET
#undef FLAG
#undef DYNSET
#undef DYNPARAM
    {0, 0}};

/* How a PARAM/DYNPARAM's info argument fills info_kind, ninfo, dirfd_index, info. */
#define NOINFO SCAP_INFO_NONE, 0, -1, 0
#define FLAGS(table) SCAP_INFO_FLAGS, 0, -1, scap_flags_##table
#define DIRFD(index) SCAP_INFO_DIRFD, 0, index, 0
#define DYN(table) \
    SCAP_INFO_DYN, (uint8_t)(sizeof(scap_dyn_##table) / sizeof(scap_dyn_##table[0])), -1, scap_dyn_##table

/* --- dynamic parameter tables (same open/close scheme as the flag tables) -------------------- */
static const struct scap_param_info scap_dyn_begin_[] __attribute__((unused)) = {
    {0, 0, 0, 0, 0, 0, 0},
#define FLAGSET(table)
#define FLAG(table, name, value)
#define DYNSET(table) \
    }                 \
    ;                 \
    const struct scap_param_info scap_dyn_##table[] = {
#define DYNPARAM(table, name, type, fmt, info) {name, type, fmt, info},
#include "flags.def"
#undef FLAGSET
#undef FLAG
#undef DYNSET
#undef DYNPARAM
};

/* --- parameters: one flat array; each event's first index is computed by the enum below ------ */
/* Every EVENT declares SCAP_FIRST_<ID> (= index of its first parameter) and steps the counter back
 * so that its first PARAM lands on the same index; every PARAM takes the next index. */
enum scap_param_slots {
#define EVENT(code, id, name, category, flags, nparams) SCAP_FIRST_##id, SCAP_BACK_##id = SCAP_FIRST_##id - 1,
#define PARAM(name, type, fmt, info) SCAP_CAT(SCAP_SLOT_, __COUNTER__),
#include "events.def"
#undef EVENT
#undef PARAM
    SCAP_PARAM_SLOTS
};

/* Codes must be dense and in order (the event table below is positional). */
enum scap_event_positions {
#define EVENT(code, id, name, category, flags, nparams) SCAP_POS_##id,
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
    SCAP_EVENT_COUNT
};
#define EVENT(code, id, name, category, flags, nparams)                                               \
    SCAP_STATIC_ASSERT((int)SCAP_POS_##id == (code), "events.def: codes must be dense and in order"); \
    SCAP_STATIC_ASSERT((nparams) <= SCAP_MAX_EVENT_PARAMS, "events.def: too many parameters");
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM

/* Each event must be followed by exactly nparams PARAM lines: its first slot plus nparams is the
 * next event's first slot (the end of the array, after the last event). Every EVENT closes the
 * check opened by the one before it and opens its own. */
/* (Written with the bare keyword: a macro call cannot span an #include.) */
SCAP_STATIC_ASSERT_KW(0
#define EVENT(code, id, name, category, flags, nparams)                                \
    == SCAP_FIRST_##id, "events.def: PARAM lines do not match the preceding nparams"); \
    SCAP_STATIC_ASSERT_KW(SCAP_FIRST_##id + (nparams)
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
                          == SCAP_PARAM_SLOTS,
                      "events.def: PARAM lines do not match the last event's nparams");
SCAP_STATIC_ASSERT((int)SCAP_EVENT_COUNT == (int)PPM_EVENT_MAX, "events.def: codes must be dense");

static const struct scap_param_info scap_all_params[SCAP_PARAM_SLOTS] = {
#define EVENT(code, id, name, category, flags, nparams)
#define PARAM(name, type, fmt, info) {name, type, fmt, info},
#include "events.def"
#undef EVENT
#undef PARAM
};

/* Positional: the asserts above guarantee entry i is the event with code i. */
const struct scap_event_info scap_event_table[PPM_EVENT_MAX] = {
#define EVENT(code, id, name, category, flags, nparams) \
    {name, category, flags, nparams, &scap_all_params[SCAP_FIRST_##id]},
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
};

/* --- ppm_sc names ------------------------------------------------------------------------------ */
/* Lower-case copies of the SC names, built at compile time one character at a time (the
 * preprocessor cannot change case). Stored in .def order; SCAP_SCIDX_<NAME> is the row. */
enum scap_sc_rows {
#define SC(name, code) SCAP_SCIDX_##name,
#include "ppm_sc.def"
#undef SC
    SCAP_SC_ROWS
};

#define SCAP_LOWER(c) ((char)((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' + 'a' : (c)))
#define SCAP_NAME_CHAR(s, i) ((i) < sizeof(s) ? SCAP_LOWER((s)[(i) < sizeof(s) ? (i) : 0]) : (char)0)
#define SCAP_NAME_CHARS4(s, i) \
    SCAP_NAME_CHAR(s, i), SCAP_NAME_CHAR(s, i + 1), SCAP_NAME_CHAR(s, i + 2), SCAP_NAME_CHAR(s, i + 3)
#define SCAP_NAME_CHARS32(s)                                                                         \
    SCAP_NAME_CHARS4(s, 0), SCAP_NAME_CHARS4(s, 4), SCAP_NAME_CHARS4(s, 8), SCAP_NAME_CHARS4(s, 12), \
        SCAP_NAME_CHARS4(s, 16), SCAP_NAME_CHARS4(s, 20), SCAP_NAME_CHARS4(s, 24), SCAP_NAME_CHARS4(s, 28)

#define SC(name, code) SCAP_STATIC_ASSERT(sizeof(#name) <= SCAP_MAX_NAME_LEN, "ppm_sc.def: name too long");
#include "ppm_sc.def"
#undef SC

static const char scap_sc_name_rows[SCAP_SC_ROWS][SCAP_MAX_NAME_LEN] = {
#define SC(name, code) {SCAP_NAME_CHARS32(#name)},
#include "ppm_sc.def"
#undef SC
};

/* --- sparse tables ----------------------------------------------------------------------------- */
SCAP_STATIC_ASSERT(PPM_SC_MAX == 454, "update SCAP_SC_NAMES_SIZE_ below with PPM_SC_MAX");
#define SCAP_SC_NAMES_SIZE_ 454

#define SYSCALL(nr, sc, enter_id, exit_id, uflags) \
    SCAP_STATIC_ASSERT((nr) < SCAP_SYSCALL_TABLE_SIZE_X86_64, "syscalls_x86_64.def: nr beyond the table");
#include "syscalls_x86_64.def"
#undef SYSCALL

#ifndef __cplusplus

const char* const scap_ppm_sc_names[PPM_SC_MAX] = {
#define SC(name, code) [code] = scap_sc_name_rows[SCAP_SCIDX_##name],
#include "ppm_sc.def"
#undef SC
};

/* Entries absent from syscalls_x86_64.def are zero: ppm_sc 0 (unknown), no events. */
const struct scap_syscall_info scap_syscall_table_x86_64[SCAP_SYSCALL_TABLE_SIZE_X86_64] = {
#define SYSCALL(nr, sc, enter_id, exit_id, uflags) \
    [nr] = {uflags, PPME_##enter_id, PPME_##exit_id, PPM_SC_##sc},
#include "syscalls_x86_64.def"
#undef SYSCALL
};

#else /* C++: fill a constexpr copy, then list its elements positionally. */

namespace {
template <typename T, unsigned N>
struct scap_dense {
    T v[N];
};

constexpr scap_dense<const char*, SCAP_SC_NAMES_SIZE_> scap_build_sc_names() {
    scap_dense<const char*, SCAP_SC_NAMES_SIZE_> d{};
#define SC(name, code) d.v[code] = scap_sc_name_rows[SCAP_SCIDX_##name];
#include "ppm_sc.def"
#undef SC
    return d;
}

constexpr scap_dense<scap_syscall_info, SCAP_SYSCALL_TABLE_SIZE_X86_64> scap_build_syscalls() {
    scap_dense<scap_syscall_info, SCAP_SYSCALL_TABLE_SIZE_X86_64> d{};
#define SYSCALL(nr, sc, enter_id, exit_id, uflags)                                                       \
    d.v[nr] = scap_syscall_info{(uint16_t)(uflags), (uint16_t)PPME_##enter_id, (uint16_t)PPME_##exit_id, \
                                (uint16_t)PPM_SC_##sc};
#include "syscalls_x86_64.def"
#undef SYSCALL
    return d;
}

constexpr auto scap_sc_names_built = scap_build_sc_names();
constexpr auto scap_syscalls_built = scap_build_syscalls();
}  // namespace

/* SCAP_LIST_<n>(a, base): a[base], a[base + 1], ..., a[base + n - 1], for n a power of two. */
#define SCAP_LIST_1(a, b) a[(b)],
#define SCAP_LIST_2(a, b) SCAP_LIST_1(a, b) SCAP_LIST_1(a, (b) + 1)
#define SCAP_LIST_4(a, b) SCAP_LIST_2(a, b) SCAP_LIST_2(a, (b) + 2)
#define SCAP_LIST_8(a, b) SCAP_LIST_4(a, b) SCAP_LIST_4(a, (b) + 4)
#define SCAP_LIST_16(a, b) SCAP_LIST_8(a, b) SCAP_LIST_8(a, (b) + 8)
#define SCAP_LIST_32(a, b) SCAP_LIST_16(a, b) SCAP_LIST_16(a, (b) + 16)
#define SCAP_LIST_64(a, b) SCAP_LIST_32(a, b) SCAP_LIST_32(a, (b) + 32)
#define SCAP_LIST_128(a, b) SCAP_LIST_64(a, b) SCAP_LIST_64(a, (b) + 64)
#define SCAP_LIST_256(a, b) SCAP_LIST_128(a, b) SCAP_LIST_128(a, (b) + 128)

/* 454 = 256 + 128 + 64 + 4 + 2 */
const char* const scap_ppm_sc_names[PPM_SC_MAX] = {
    SCAP_LIST_256(scap_sc_names_built.v, 0) SCAP_LIST_128(scap_sc_names_built.v, 256)
        SCAP_LIST_64(scap_sc_names_built.v, 384) SCAP_LIST_4(scap_sc_names_built.v, 448)
            SCAP_LIST_2(scap_sc_names_built.v, 452)};

/* 472 = 256 + 128 + 64 + 16 + 8 */
SCAP_STATIC_ASSERT(SCAP_SYSCALL_TABLE_SIZE_X86_64 == 472, "update the list below with the table size");
const struct scap_syscall_info scap_syscall_table_x86_64[SCAP_SYSCALL_TABLE_SIZE_X86_64] = {
    SCAP_LIST_256(scap_syscalls_built.v, 0) SCAP_LIST_128(scap_syscalls_built.v, 256)
        SCAP_LIST_64(scap_syscalls_built.v, 384) SCAP_LIST_16(scap_syscalls_built.v, 448)
            SCAP_LIST_8(scap_syscalls_built.v, 464)};

#endif
