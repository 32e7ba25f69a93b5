#include "state/parser_registry.h"

#include <cstring>

namespace sinsp {

namespace {

int find_param(const scap_event_info& info, const char* name) {
    for (uint32_t i = 0; i < info.nparams; ++i)
        if (std::strcmp(info.params[i].name, name) == 0) return static_cast<int>(i);
    return -1;
}

bool is_fd_type(uint8_t t) {
    return t == PT_FD || t == PT_FD32;
}

// Which parameter names the fd an event uses: "fd" (or dup's "oldfd"), else the first fd-typed
// parameter after the return value.
int8_t used_fd_param(const scap_event_info& info) {
    if ((info.flags & EF_USES_FD) == 0) return -1;
    for (const char* n : {"fd", "oldfd"}) {
        const int i = find_param(info, n);
        if (i >= 0 && is_fd_type(info.params[i].type)) return static_cast<int8_t>(i);
    }
    for (uint32_t i = 1; i < info.nparams; ++i)
        if (is_fd_type(info.params[i].type)) return static_cast<int8_t>(i);
    return -1;
}

}  // namespace

parser_registry::parser_registry() {
    for (uint16_t t = 0; t < PPM_EVENT_MAX; ++t) {
        parser_entry& e = m_entries[t];
        std::memset(e.ix, -1, sizeof(e.ix));
        e.fd_ix = used_fd_param(scap_event_table[t]);
    }
    register_process_parsers(*this);
    std::array<parse_fn, PPM_EVENT_MAX> before;
    for (uint16_t t = 0; t < PPM_EVENT_MAX; ++t) before[t] = m_entries[t].fn;
    register_file_parsers(*this);
    register_net_parsers(*this);
    // What the file and network parsers registered (or took over) changes fd tables only.
    for (uint16_t t = 0; t < PPM_EVENT_MAX; ++t) {
        if (m_entries[t].fn != before[t]) m_entries[t].fds_only = true;
    }
    register_meta_parsers(*this);
}

void parser_registry::add(uint16_t type, parse_fn fn, std::initializer_list<const char*> names) {
    const scap_event_info& info = scap_event_table[type];
    parser_entry& e = m_entries[type];
    e.fn = fn;
    e.fds_only = false;
    e.counters_only = false;
    int slot = 0;
    for (const char* n : names) {
        // "?name": read when present; events from captures that predate it still parse.
        const bool optional = n[0] == '?';
        const int i = find_param(info, optional ? n + 1 : n);
        e.ix[slot++] = static_cast<int8_t>(i);
        if (!optional && i + 1 > e.need) e.need = static_cast<int8_t>(i + 1);
    }
}

}  // namespace sinsp
