/*
 * The schema's runtime tables, built only from the .def files. Everything is static const, so the
 * same file serves userspace and, later, the kernel module.
 */
#include "scap_schema.h"

#define SCAP_CAT2(a, b) a##b
#define SCAP_CAT(a, b) SCAP_CAT2(a, b)

/* --- flag tables: one NULL-terminated array per FLAGSET -------------------------------------- */
/* Each FLAGSET closes the previous array and opens its own; the first opens after a dummy. */
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

/* --- dynamic parameter tables ---------------------------------------------------------------- */
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

static const struct scap_param_info scap_all_params[SCAP_PARAM_SLOTS] = {
#define EVENT(code, id, name, category, flags, nparams)
#define PARAM(name, type, fmt, info) {name, type, fmt, info},
#include "events.def"
#undef EVENT
#undef PARAM
};

const struct scap_event_info scap_event_table[PPM_EVENT_MAX] = {
#define EVENT(code, id, name, category, flags, nparams) \
    [code] = {name, category, flags, nparams, &scap_all_params[SCAP_FIRST_##id]},
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
};

const char* const scap_ppm_sc_names[PPM_SC_MAX] = {
#define SC(name, code, str) [code] = str,
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
