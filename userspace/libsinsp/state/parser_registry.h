// Parsers by event type. Each parser declares the parameter names it reads; their positions in
// each event type are resolved once, when the table is built, so parsers index parameters
// directly instead of comparing names per event.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

#include "scap/event.h"
#include "sinsp/inspector.h"

namespace sinsp {

class state_core;
struct parse_ctx;

using parse_fn = void (*)(parse_ctx&);

inline constexpr int k_max_parser_params = 32;

struct parser_entry {
    parse_fn fn = nullptr;
    int8_t ix[k_max_parser_params];  // slot -> parameter index, -1 when the event lacks it
    int8_t need = 0;                 // events with fewer parameters are parse errors
    int8_t fd_ix = -1;               // the parameter naming the fd the event uses
    // The parser changes fd tables only (file and network parsers): it does not bump
    // event::thread_epoch.
    bool fds_only = false;
    // The parser changes a thread's memory figures and page-fault counts only (context switches,
    // brk, mmap, munmap): it does not bump event::thread_epoch either.
    bool counters_only = false;
};

class parser_registry {
  public:
    parser_registry();
    // Registers fn for type, reading the named parameters in this order (slot 0, 1, ...). Events
    // with fewer parameters than the named ones need are parse errors, except for names written
    // "?name": those are optional (p(slot) is empty when the event stops before them).
    void add(uint16_t type, parse_fn fn, std::initializer_list<const char*> names);
    // The same for a parser that changes memory figures and page-fault counts only (see
    // parser_entry::counters_only).
    void add_counters(uint16_t type, parse_fn fn, std::initializer_list<const char*> names) {
        add(type, fn, names);
        m_entries[type].counters_only = true;
    }
    const parser_entry& operator[](uint16_t type) const { return m_entries[type]; }

  private:
    std::array<parser_entry, PPM_EVENT_MAX> m_entries;
};

// What a parser sees.
struct parse_ctx {
    state_core& core;
    scap::event_view ev;
    thread_info* thr;  // never null when the parser runs, except for procexit-like events
    const parser_entry& pe;
    event& out;

    scap::param_index params;  // the event's parameters, located once

    parse_ctx(state_core& core_, scap::event_view ev_, thread_info* thr_, const parser_entry& pe_,
              event& out_)
        : core(core_), ev(ev_), thr(thr_), pe(pe_), out(out_), params(ev_) {}

    scap::param_view p(int slot) const {
        const int i = pe.ix[slot];
        if (i < 0) return {};
        if (static_cast<uint32_t>(i) < params.size()) return params[static_cast<uint32_t>(i)];
        if (static_cast<uint32_t>(i) >= ev.nparams()) return {};
        return ev.param(static_cast<uint32_t>(i));  // past param_index::k_max
    }
    bool has(int slot) const { return pe.ix[slot] >= 0; }
    int64_t i64(int slot) const { return p(slot).as<int64_t>(); }
    uint64_t u64(int slot) const { return p(slot).as<uint64_t>(); }
    uint32_t u32(int slot) const { return p(slot).as<uint32_t>(); }
    int64_t fd(int slot) const {
        // PT_FD is 64-bit; a few newer parameters are 32-bit (PT_FD32).
        const auto v = p(slot);
        return v.len == 4 ? static_cast<int64_t>(v.as<int32_t>()) : v.as<int64_t>();
    }
};

// One registration function per event family.
void register_process_parsers(parser_registry& r);
void register_file_parsers(parser_registry& r);
void register_net_parsers(parser_registry& r);
void register_meta_parsers(parser_registry& r);

}  // namespace sinsp
