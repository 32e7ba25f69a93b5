// Prints the event schema as Markdown (docs/events.md is generated with it), straight from the
// runtime tables, so the docs can never disagree with what the code uses.
#include <cstdio>
#include <string>

#include "scap_schema.h"

namespace {

const char* type_name(uint8_t t) {
    static const char* const names[PT_MAX] = {"none",
                                              "int8",
                                              "int16",
                                              "int32",
                                              "int64",
                                              "uint8",
                                              "uint16",
                                              "uint32",
                                              "uint64",
                                              "charbuf",
                                              "bytebuf",
                                              "errno",
                                              "sockaddr",
                                              "socktuple",
                                              "fd",
                                              "pid",
                                              "fdlist",
                                              "fspath",
                                              "syscallid",
                                              "sigtype",
                                              "reltime",
                                              "abstime",
                                              "port",
                                              "l4proto",
                                              "sockfamily",
                                              "bool",
                                              "ipv4addr",
                                              "dyn",
                                              "flags8",
                                              "flags16",
                                              "flags32",
                                              "uid",
                                              "gid",
                                              "double",
                                              "sigset",
                                              "charbufarray",
                                              "charbuf_pair_array",
                                              "ipv4net",
                                              "ipv6addr",
                                              "ipv6net",
                                              "ipaddr",
                                              "ipnet",
                                              "mode",
                                              "fsrelpath",
                                              "enumflags8",
                                              "enumflags16",
                                              "enumflags32",
                                              "fd32",
                                              "pid32"};
    return t < PT_MAX ? names[t] : "?";
}

const char* format_name(uint8_t f) {
    static const char* const names[] = {"", "dec", "hex", "10-padded dec", "id", "dir", "oct"};
    return f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

std::string category_text(uint32_t category) {
    static const char* const base[] = {"unknown", "other",  "file",   "net",  "ipc",  "memory",    "process",
                                       "sleep",   "system", "signal", "user", "time", "processing"};
    const uint32_t b = category & 0x3f;  // low bits: one base category (or an I/O kind from 32)
    std::string out;
    if (b < sizeof(base) / sizeof(base[0]))
        out = base[b];
    else if (b == EC_IO_READ)
        out = "io read";
    else if (b == EC_IO_WRITE)
        out = "io write";
    else if (b == EC_IO_OTHER)
        out = "io other";
    else
        out = "?";
    static const struct {
        uint32_t bit;
        const char* name;
    } sources[] = {{EC_WAIT, "wait"},       {EC_SCHEDULER, "scheduler"},   {EC_INTERNAL, "internal"},
                   {EC_SYSCALL, "syscall"}, {EC_TRACEPOINT, "tracepoint"}, {EC_PLUGIN, "plugin"},
                   {EC_METAEVENT, "meta"},  {EC_ITER, "iterator"}};
    for (auto& s : sources)
        if (category & s.bit) out += ", " + std::string(s.name);
    return out;
}

std::string flags_text(uint32_t flags) {
    static const struct {
        uint32_t bit;
        const char* name;
    } known[] = {{EF_CREATES_FD, "creates fd"},
                 {EF_DESTROYS_FD, "destroys fd"},
                 {EF_USES_FD, "uses fd"},
                 {EF_READS_FROM_FD, "reads"},
                 {EF_WRITES_TO_FD, "writes"},
                 {EF_MODIFIES_STATE, "state"},
                 {EF_UNUSED, "unused"},
                 {EF_WAITS, "waits"},
                 {EF_SKIPPARSERESET, "skip reset"},
                 {EF_OLD_VERSION, "old"},
                 {EF_LARGE_PAYLOAD, "large"},
                 {EF_CONVERTER_MANAGED, "converted"}};
    std::string out;
    for (auto& k : known)
        if (flags & k.bit) out += (out.empty() ? "" : ", ") + std::string(k.name);
    return out;
}

// Name of the flags.def table a FLAGS or DYN parameter points at.
const char* table_name(const void* info) {
    static const struct {
        const void* table;
        const char* name;
    } tables[] = {
#define FLAGSET(table) {scap_flags_##table, #table},
#define FLAG(table, name, value)
#define DYNSET(table) {scap_dyn_##table, #table},
#define DYNPARAM(table, name, type, fmt, info)
#include "flags.def"
#undef FLAGSET
#undef FLAG
#undef DYNSET
#undef DYNPARAM
    };
    for (auto& t : tables)
        if (t.table == info) return t.name;
    return "?";
}

std::string param_text(const scap_param_info& p) {
    std::string s = std::string(p.name) + ": " + type_name(p.type);
    if (p.fmt != PF_NA) s += std::string(" (") + format_name(p.fmt) + ")";
    if (p.info_kind == SCAP_INFO_DIRFD) s += " relative to param " + std::to_string(p.dirfd_index);
    if (p.info_kind == SCAP_INFO_FLAGS) s += std::string(" [") + table_name(p.info) + "]";
    if (p.info_kind == SCAP_INFO_DYN) s += std::string(" [") + table_name(p.info) + "]";
    return s;
}

}  // namespace

int main() {
    std::printf("# Event schema %s\n\n", SCAP_SCHEMA_VERSION_STRING);
    std::printf(
        "Generated by `scap-schema-doc` from driver/schema; do not edit. Even codes are enter events,\n"
        "odd codes exit events (the low bit of the code). Drivers emit only current exit events and\n"
        "standalone events; entries flagged *old* are read from old captures and converted. *unused*\n"
        "entries (named NA) are the empty half of a pair. A parameter's print format follows its type in\n"
        "parentheses; a name in brackets is the flags.def table that decodes the value.\n\n");
    std::printf("| code | name | dir | category | flags | parameters |\n|---|---|---|---|---|---|\n");
    for (int e = 0; e < PPM_EVENT_MAX; ++e) {
        const scap_event_info& ev = scap_event_table[e];
        std::string params;
        for (uint32_t i = 0; i < ev.nparams; ++i) params += (i ? "<br>" : "") + param_text(ev.params[i]);
        std::printf("| %d | %s | %s | %s | %s | %s |\n", e, ev.name, scap_event_is_enter(e) ? "E" : "X",
                    category_text(ev.category).c_str(), flags_text(ev.flags).c_str(), params.c_str());
    }
    return 0;
}
