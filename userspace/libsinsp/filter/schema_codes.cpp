// Event and syscall names resolved to codes over the schema tables, for the event-type derivation
// and the evt.type fast path.
#include <cstring>

#include "sinsp/filter_field.h"

namespace sinsp::filter {

namespace {

// Codes 0 and 1 are the generic pair. Their table name ("syscall") is never what evt.type shows
// for them (that is the syscall's own name), so a name search starts after them, as the
// reference's does.
constexpr size_t k_first_named_event = PPME_GENERIC_X + 1;

bool add_events_named(std::string_view name, std::vector<bool>& set) {
    bool found = false;
    for (size_t i = k_first_named_event; i < PPM_EVENT_MAX && i < set.size(); ++i) {
        const char* n = scap_event_table[i].name;
        if (n != nullptr && name == n) {
            set[i] = true;
            found = true;
        }
    }
    return found;
}

int sc_code_named(std::string_view name) {
    for (size_t i = 0; i < PPM_SC_MAX; ++i) {
        const char* n = scap_ppm_sc_names[i];
        if (n != nullptr && name == n) return static_cast<int>(i);
    }
    return -1;
}

// Tracepoint events are not in the syscall table; their ppm_sc codes are the tracepoints.
struct tracepoint_event {
    const char* event_name;
    ppm_sc_code sc;
};
constexpr tracepoint_event k_tracepoints[] = {
    {"switch", PPM_SC_SCHED_SWITCH},          {"procexit", PPM_SC_SCHED_PROCESS_EXIT},
    {"page_fault", PPM_SC_PAGE_FAULT_USER},   {"page_fault", PPM_SC_PAGE_FAULT_KERNEL},
    {"signaldeliver", PPM_SC_SIGNAL_DELIVER},
};

void add_syscalls_named(std::string_view name, std::vector<bool>& set) {
    auto mark = [&](size_t sc) {
        if (sc < set.size()) set[sc] = true;
    };
    if (int sc = sc_code_named(name); sc > 0) mark(static_cast<size_t>(sc));
    // Syscalls whose event bears another name ("pread" is pread64's event).
    std::vector<bool> events(PPM_EVENT_MAX, false);
    if (add_events_named(name, events)) {
        for (const auto& entry : scap_syscall_table_x86_64) {
            if (entry.ppm_sc == 0) continue;
            if ((entry.exit_event < PPM_EVENT_MAX && events[entry.exit_event]) ||
                (entry.enter_event >= k_first_named_event && entry.enter_event < PPM_EVENT_MAX &&
                 events[entry.enter_event])) {
                mark(entry.ppm_sc);
            }
        }
    }
    for (const auto& tp : k_tracepoints) {
        if (name == tp.event_name) mark(tp.sc);
    }
}

}  // namespace

void schema_codes_for_name(code_domain domain, std::string_view name, std::vector<bool>& set) {
    if (domain == code_domain::syscall) {
        add_syscalls_named(name, set);
        return;
    }
    if (add_events_named(name, set)) return;
    // A syscall without a dedicated event arrives as a generic event naming it.
    if (sc_code_named(name) > 0) {
        set[PPME_GENERIC_E] = true;
        set[PPME_GENERIC_X] = true;
    }
}

void schema_shared_codes(code_domain domain, std::vector<bool>& set) {
    if (domain != code_domain::event) return;
    set[PPME_GENERIC_E] = true;
    set[PPME_GENERIC_X] = true;
}

}  // namespace sinsp::filter
