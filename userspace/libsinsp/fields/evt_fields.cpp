// evt.*: what the event is, when it happened, its result and its kind. The arguments are in
// evt_args.cpp.
#include <cinttypes>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <vector>

#include "fields/evt_common.h"
#include "scap/param_format.h"
#include "fields/field_classes.h"

namespace sinsp::fields {

void add_evt_arg_fields(filter::field_table& t);   // evt_args.cpp
void add_evt_more_fields(filter::field_table& t);  // evt_more_fields.cpp

namespace {

constexpr uint64_t k_ns = 1000000000ull;

uint16_t event_code(const event_context& c) {
    return c.evt->type();
}

uint32_t category_of(const event_context& c) {
    return c.evt->view.info().category;
}

uint32_t flags_of(const event_context& c) {
    return c.evt->view.info().flags;
}

// "hh:mm:ss[.nnnnnnnnn]" in local time, preceded by "YYYY-MM-DD " with `date`.
void format_clock(uint64_t ts, bool date, bool ns, std::string& out) {
    const time_t sec = static_cast<time_t>(ts / k_ns);
    struct tm tm {};
    localtime_r(&sec, &tm);
    char buf[64];
    int n = 0;
    if (date)
        n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    if (ns) {
        std::snprintf(buf + n, sizeof buf - n, "%02d:%02d:%02d.%09u", tm.tm_hour, tm.tm_min, tm.tm_sec,
                      static_cast<unsigned>(ts % k_ns));
    } else {
        std::snprintf(buf + n, sizeof buf - n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    out = buf;
}

// "YYYY-MM-DDThh:mm:ss.nnnnnnnnn+0000" (UTC).
void format_iso8601(uint64_t ts, std::string& out) {
    const time_t sec = static_cast<time_t>(ts / k_ns);
    struct tm tm {};
    gmtime_r(&sec, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09u+0000", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<unsigned>(ts % k_ns));
    out = buf;
}

// A text field computed from the event into a reused scratch string.
template <typename F>
filter::field_table::factory text_field(F fill) {
    return simple([fill, buf = std::string()](const event_context& c, value_list& out) mutable {
        buf.clear();
        if (!fill(c, buf)) return false;
        out.push_back(value_view::text(buf));
        return true;
    });
}

template <typename F>
filter::field_table::factory number_field(F get) {
    return simple([get](const event_context& c, value_list& out) {
        out.push_back(value_view::number(get(c)));
        return true;
    });
}

template <typename F>
filter::field_table::factory bool_field(F get) {
    return simple([get](const event_context& c, value_list& out) {
        out.push_back(value_view::boolean(get(c)));
        return true;
    });
}

// The category name, with I/O events named after what their fd is (file, net, ipc).
const char* category_name(const event_context& c) {
    const uint32_t cat = category_of(c) & 0x3f;  // the base category; higher bits say the source
    switch (cat) {
        case EC_OTHER:
            return "other";
        case EC_FILE:
            return "file";
        case EC_NET:
            return "net";
        case EC_IPC:
            return "IPC";
        case EC_MEMORY:
            return "memory";
        case EC_PROCESS:
            return "process";
        case EC_SLEEP:
            return "sleep";
        case EC_SYSTEM:
            return "system";
        case EC_SIGNAL:
            return "signal";
        case EC_USER:
            return "user";
        case EC_TIME:
            return "time";
        case EC_PROCESSING:
            return "processing";
        case EC_IO_READ:
        case EC_IO_WRITE:
        case EC_IO_OTHER: {
            const fd_info* fd = c.evt->fd;
            if (!fd) return "unknown";
            switch (fd->kind) {
                case fd_kind::file:
                case fd_kind::directory:
                    return "file";
                case fd_kind::ipv4_socket:
                case fd_kind::ipv6_socket:
                case fd_kind::netlink:
                case fd_kind::other_socket:
                    return "net";
                case fd_kind::unix_socket:
                case fd_kind::pipe:
                    return "ipc";
                default:
                    return "unknown";
            }
        }
        default:
            break;
    }
    const uint32_t source = category_of(c);
    if (source & EC_WAIT) return "wait";
    if (source & EC_SCHEDULER) return "scheduler";
    if (source & EC_INTERNAL) return "internal";
    if (source & EC_METAEVENT) return "meta";
    if (source & EC_TRACEPOINT) return "tracepoint";
    if (source & EC_PLUGIN) return "plugin";
    return "unknown";
}

// Open flags of open-family events (0 for other events).
bool open_flags(const event_context& c, uint32_t& flags, int& mode_ix) {
    const uint16_t type = c.evt->type();
    if (type != PPME_SYSCALL_OPEN_X && type != PPME_SYSCALL_OPENAT_2_X && type != PPME_SYSCALL_OPENAT2_X &&
        type != PPME_SYSCALL_OPEN_BY_HANDLE_AT_X) {
        return false;
    }
    const int fi = param_index(type, "flags");
    if (fi < 0 || static_cast<uint32_t>(fi) >= c.evt->view.nparams()) return false;
    flags = c.evt->view.param(static_cast<uint32_t>(fi)).as<uint32_t>();
    mode_ix = param_index(type, "mode");
    return true;
}

constexpr uint32_t k_o_rdonly = 0x1, k_o_wronly = 0x2, k_o_creat = 0x4, k_o_tmpfile = 0x2000,
                   k_o_f_created = 0x4000;
constexpr uint32_t k_exec_bits = 0x40 | 0x8 | 0x1;  // S_IXUSR | S_IXGRP | S_IXOTH

bool mode_is_exec(const event_context& c, int mode_ix) {
    if (mode_ix < 0 || static_cast<uint32_t>(mode_ix) >= c.evt->view.nparams()) return false;
    return (c.evt->view.param(static_cast<uint32_t>(mode_ix)).as<uint32_t>() & k_exec_bits) != 0;
}

enum class error_kind { any, file, net, memory, other };

bool is_open_family(uint16_t type) {
    return type == PPME_SYSCALL_OPEN_X || type == PPME_SYSCALL_CREAT_X || type == PPME_SYSCALL_OPENAT_2_X ||
           type == PPME_SYSCALL_OPENAT2_X || type == PPME_SYSCALL_OPEN_BY_HANDLE_AT_X;
}

bool is_connection_call(uint16_t type) {
    return type == PPME_SOCKET_ACCEPT_5_X || type == PPME_SOCKET_ACCEPT4_6_X || type == PPME_SOCKET_CONNECT_X;
}

// Whether evt.count.error.<kind> applies to the event, the reference's rule: by what the event's
// fd is when it has one (files and directories; inet and unix sockets; the rest), by the event
// type otherwise (the open family; accept and connect; neither, nor a memory event).
bool error_kind_applies(const event_context& c, error_kind k) {
    const fd_info* fd = c.evt->fd;
    const bool file = fd && (fd->kind == fd_kind::file || fd->kind == fd_kind::directory);
    const bool net = fd && (fd->is_inet() || fd->kind == fd_kind::unix_socket);
    const uint16_t type = c.evt->type();
    switch (k) {
        case error_kind::any:
            return true;
        case error_kind::file:
            return fd ? file : is_open_family(type);
        case error_kind::net:
            return fd ? net : is_connection_call(type);
        case error_kind::memory:
            return (category_of(c) & 0x3f) == EC_MEMORY;
        case error_kind::other:
            return fd ? !file && !net
                      : !is_open_family(type) && !is_connection_call(type) &&
                            (category_of(c) & 0x3f) != EC_MEMORY;
    }
    return false;
}

// evt.count.error.*: 1 for a failed event, 0 for a successful one, absent for events without a
// return value or outside the kind.
filter::field_table::factory error_count_field(error_kind k) {
    return simple([k](const event_context& c, value_list& out) {
        int64_t res;
        if (!return_value(c.evt->view, res) || !error_kind_applies(c, k)) return false;
        out.push_back(value_view::number(res < 0 ? 1 : 0));
        return true;
    });
}

void add_time_fields(filter::field_table& t) {
    t.add(describe("evt.time", PT_CHARBUF, "Event time as hh:mm:ss.nnnnnnnnn, local time.",
                   filter::FIELD_JSON_TIMESTAMP, 60),
          text_field([](const event_context& c, std::string& s) {
              format_clock(c.evt->ts(), false, true, s);
              return true;
          }));
    t.add(describe("evt.time.s", PT_CHARBUF, "Event time as hh:mm:ss, local time.",
                   filter::FIELD_JSON_TIMESTAMP, 60),
          text_field([](const event_context& c, std::string& s) {
              format_clock(c.evt->ts(), false, false, s);
              return true;
          }));
    t.add(describe("evt.time.iso8601", PT_CHARBUF, "Event time in ISO 8601 with nanoseconds, UTC.",
                   filter::FIELD_JSON_TIMESTAMP, 60),
          text_field([](const event_context& c, std::string& s) {
              format_iso8601(c.evt->ts(), s);
              return true;
          }));
    t.add(describe("evt.datetime", PT_CHARBUF,
                   "Event date and time as YYYY-MM-DD hh:mm:ss.nnnnnnnnn, local time.",
                   filter::FIELD_JSON_TIMESTAMP, 60),
          text_field([](const event_context& c, std::string& s) {
              format_clock(c.evt->ts(), true, true, s);
              return true;
          }));
    t.add(describe("evt.datetime.s", PT_CHARBUF, "Event date and time as YYYY-MM-DD hh:mm:ss, local time.",
                   filter::FIELD_JSON_TIMESTAMP, 60),
          text_field([](const event_context& c, std::string& s) {
              format_clock(c.evt->ts(), true, false, s);
              return true;
          }));
    t.add(describe("evt.outputtime", PT_CHARBUF, "Event time as output lines show it (evt.time).",
                   filter::FIELD_JSON_TIMESTAMP, 60),
          text_field([](const event_context& c, std::string& s) {
              format_clock(c.evt->ts(), false, true, s);
              return true;
          }));
    t.add(describe("evt.rawtime", PT_ABSTIME, "Event timestamp, nanoseconds since the epoch.", 0, 1),
          number_field([](const event_context& c) { return c.evt->ts(); }));
    t.add(describe("evt.rawtime.s", PT_ABSTIME, "Whole seconds of evt.rawtime.", 0, 1),
          number_field([](const event_context& c) { return c.evt->ts() / k_ns; }));
    t.add(describe("evt.rawtime.ns", PT_ABSTIME, "Nanoseconds within the second of evt.rawtime.", 0, 1),
          number_field([](const event_context& c) { return c.evt->ts() % k_ns; }));
    // Meta events before the first other event (a capture's user and group list) are at 0: the
    // reference shows their absolute timestamp there (docs/compat.md).
    auto rel = [](const event_context& c) -> uint64_t {
        return c.evt->first_ts && c.evt->ts() > c.evt->first_ts ? c.evt->ts() - c.evt->first_ts : 0;
    };
    t.add(describe("evt.reltime", PT_RELTIME,
                   "Nanoseconds since the capture's first event (meta events such as the user list "
                   "excepted).",
                   0, 1),
          number_field(rel));
    t.add(describe("evt.reltime.s", PT_RELTIME, "Whole seconds of evt.reltime.", 0, 1),
          number_field([rel](const event_context& c) { return rel(c) / k_ns; }));
    t.add(describe("evt.reltime.ns", PT_RELTIME, "Nanoseconds within the second of evt.reltime.", 0, 1),
          number_field([rel](const event_context& c) { return rel(c) % k_ns; }));
    auto delta = [](const event_context& c) -> uint64_t {
        return c.evt->prev_ts && c.evt->ts() > c.evt->prev_ts ? c.evt->ts() - c.evt->prev_ts : 0;
    };
    t.add(describe("evt.deltatime", PT_RELTIME, "Nanoseconds since the previous event.", 0, 1),
          number_field(delta));
    t.add(describe("evt.deltatime.s", PT_RELTIME, "Whole seconds of evt.deltatime.", 0, 1),
          number_field([delta](const event_context& c) { return delta(c) / k_ns; }));
    t.add(describe("evt.deltatime.ns", PT_RELTIME, "Nanoseconds within the second of evt.deltatime.", 0, 1),
          number_field([delta](const event_context& c) { return delta(c) % k_ns; }));
}

// evt.type compares with names only: a value that names no event and no syscall is a filter
// error (a typo would otherwise match nothing, silently), as in the reference.
void require_event_name(std::string_view value) {
    for (size_t i = 0; i < PPM_EVENT_MAX; ++i) {
        const char* n = scap_event_table[i].name;
        if (n != nullptr && value == n) return;
    }
    for (size_t i = 0; i < PPM_SC_MAX; ++i) {
        const char* n = scap_ppm_sc_names[i];
        if (n != nullptr && value == n) return;
    }
    throw std::invalid_argument("unknown event type '" + std::string(value) + "'");
}

void add_identity_fields(filter::field_table& t) {
    auto num = describe("evt.num", PT_UINT64, "Position of the event in the stream, from 1.", 0, 1);
    num.min_value = 1;
    t.add(num, number_field([](const event_context& c) { return c.evt->num; }));

    // Generic events carry the syscall they stand for in their first parameter.
    auto type =
        describe("evt.type", PT_CHARBUF, "Name of the event type (the syscall name for syscalls).", 0, 2);
    type.codes_for_name = filter::schema_codes_for_name;
    type.event_code_of = event_code;
    type.shared_codes = filter::schema_shared_codes;
    type.on_constant = require_event_name;
    t.add(type, simple([](const event_context& c, value_list& out) {
              out.push_back(value_view::text(event_name(c.evt->view)));
              return true;
          }));

    t.add(describe("evt.type.is", PT_UINT32,
                   "1 if the event's type is the one given (evt.type.is.open), else 0.",
                   filter::FIELD_ARG_REQUIRED, 2),
          [](const std::optional<std::string>& arg, field_descriptor&, std::string&) {
              std::vector<bool> codes(PPM_EVENT_MAX, false);
              filter::schema_codes_for_name(filter::code_domain::event, *arg, codes);
              auto f = [codes](const event_context& c, value_list& out) {
                  const uint16_t code = c.evt->type();
                  out.push_back(value_view::number(code < codes.size() && codes[code] ? 1 : 0));
                  return true;
              };
              return std::unique_ptr<field_extractor>(std::make_unique<lambda_extractor<decltype(f)>>(f));
          });
    // Syscalls arrive as exit events ('<'); meta, scheduler and signal events have only an
    // "enter" code (even numbers), which the reference shows as '>'.
    t.add(describe("evt.dir", PT_CHARBUF,
                   "Direction: '<' for syscall (exit) events, '>' for events with no exit (procinfo, switch, "
                   "procexit, signaldeliver, meta events).",
                   0, 1),
          simple([](const event_context& c, value_list& out) {
              out.push_back(value_view::text((c.evt->type() & 1) == 0 ? ">" : "<"));
              return true;
          }));
    t.add(
        describe("evt.category", PT_CHARBUF,
                 "Category: file, net, IPC, memory, process, sleep, system, signal, user, time, processing, "
                 "wait, meta... I/O events are named after their fd (file, net, ipc).",
                 0, 3),
        simple([](const event_context& c, value_list& out) {
            out.push_back(value_view::text(category_name(c)));
            return true;
        }));
    t.add(describe("evt.cpu", PT_INT16, "CPU the event happened on.", 0, 1),
          number_field([](const event_context& c) { return static_cast<uint64_t>(c.evt->cpu); }));
    t.add(
        describe("evt.source", PT_CHARBUF, "Where the event comes from: 'syscall' for kernel events.", 0, 1),
        simple([](const event_context&, value_list& out) {
            out.push_back(value_view::text("syscall"));
            return true;
        }));
    t.add(describe("evt.is_async", PT_BOOL, "True for events not caused by the thread itself (meta events).",
                   0, 1),
          bool_field([](const event_context& c) { return (category_of(c) & EC_METAEVENT) != 0; }));
    t.add(describe("evt.hostname", PT_CHARBUF,
                   "Name of the machine the events happen on; empty when a capture is replayed.", 0, 5),
          simple([](const event_context& c, value_list& out) {
              const scap::engine* eng = c.insp->engine();
              if (!eng) return false;
              // On replay the reference shows an empty name (its own host is not the capture's,
              // and it does not take the one the capture's machine block records): so do we.
              if (eng->name() == "savefile") {
                  out.push_back(value_view::text(""));
                  return true;
              }
              const auto& m = eng->get_snapshot().machine;
              if (!m.present || m.hostname.empty()) return false;
              out.push_back(value_view::text(m.hostname));
              return true;
          }));
    t.add(describe("evt.count", PT_UINT32, "Always 1; summed by aggregations.", 0, 1),
          number_field([](const event_context&) { return uint64_t{1}; }));
    t.add(describe("evt.count.exit", PT_UINT32,
                   "1 for exit events (syscalls); absent for events without an exit (switch, procinfo, meta "
                   "events).",
                   0, 1),
          simple([](const event_context& c, value_list& out) {
              if ((c.evt->type() & 1) == 0) return false;
              out.push_back(value_view::number(1));
              return true;
          }));
    t.add(describe("evt.count.error", PT_UINT32,
                   "1 if the event failed, 0 if it succeeded; absent for events without a result.", 0, 2),
          error_count_field(error_kind::any));
    t.add(describe("evt.count.error.file", PT_UINT32,
                   "evt.count.error for events on files or directories (or opening one).", 0, 2),
          error_count_field(error_kind::file));
    t.add(describe("evt.count.error.net", PT_UINT32,
                   "evt.count.error for events on sockets (or accepting, connecting one).", 0, 2),
          error_count_field(error_kind::net));
    t.add(describe("evt.count.error.memory", PT_UINT32, "evt.count.error for memory events.", 0, 2),
          error_count_field(error_kind::memory));
    t.add(describe("evt.count.error.other", PT_UINT32,
                   "evt.count.error for events neither on files, sockets nor memory.", 0, 2),
          error_count_field(error_kind::other));
}

void add_result_fields(filter::field_table& t) {
    t.add(describe("evt.rawres", PT_INT64, "The syscall's return value, as a number.", 0, 2),
          simple([](const event_context& c, value_list& out) {
              int64_t res;
              if (!return_value(c.evt->view, res)) return false;
              out.push_back(value_view::signed_number(res));
              return true;
          }));
    t.add(describe("evt.res", PT_CHARBUF, "The syscall's result: SUCCESS, or the error's name (ENOENT...).",
                   0, 5),
          simple([buf = std::string()](const event_context& c, value_list& out) mutable {
              int64_t res;
              if (!return_value(c.evt->view, res)) return false;
              if (res >= 0) {
                  out.push_back(value_view::text("SUCCESS"));
                  return true;
              }
              // A negative result is -errno whatever the parameter's type (an fd, a pid...).
              const char* name = res >= -4095 ? strerrorname_np(static_cast<int>(-res)) : nullptr;
              buf = name ? name : std::to_string(res);
              out.push_back(value_view::text(buf));
              return true;
          }));
    t.add(describe("evt.failed", PT_BOOL, "True if the syscall returned an error.", 0, 2),
          simple([](const event_context& c, value_list& out) {
              int64_t res;
              if (!return_value(c.evt->view, res)) return false;
              out.push_back(value_view::boolean(res < 0));
              return true;
          }));
}

void add_kind_fields(filter::field_table& t) {
    t.add(describe("evt.is_io", PT_BOOL, "True for events that read or write data through an fd.", 0, 1),
          bool_field([](const event_context& c) {
              return (flags_of(c) & (EF_READS_FROM_FD | EF_WRITES_TO_FD)) != 0;
          }));
    t.add(describe("evt.is_io_read", PT_BOOL, "True for events that read data from an fd.", 0, 1),
          bool_field([](const event_context& c) { return (flags_of(c) & EF_READS_FROM_FD) != 0; }));
    t.add(describe("evt.is_io_write", PT_BOOL, "True for events that write data to an fd.", 0, 1),
          bool_field([](const event_context& c) { return (flags_of(c) & EF_WRITES_TO_FD) != 0; }));
    t.add(describe("evt.io_dir", PT_CHARBUF, "'read' or 'write' for I/O events.", 0, 1),
          simple([](const event_context& c, value_list& out) {
              const uint32_t f = flags_of(c);
              if (f & EF_WRITES_TO_FD) {
                  out.push_back(value_view::text("write"));
              } else if (f & EF_READS_FROM_FD) {
                  out.push_back(value_view::text("read"));
              } else {
                  return false;
              }
              return true;
          }));
    t.add(describe("evt.is_wait", PT_BOOL, "True for events that make the thread wait (sleeps, polls...).", 0,
                   1),
          bool_field([](const event_context& c) { return (flags_of(c) & EF_WAITS) != 0; }));
    t.add(describe("evt.is_syslog", PT_BOOL, "True for writes to /dev/log (syslog messages).", 0, 3),
          bool_field([](const event_context& c) {
              const fd_info* fd = c.evt->fd;
              return (flags_of(c) & EF_WRITES_TO_FD) && fd && fd->name == "/dev/log";
          }));
    t.add(describe("evt.is_open_read", PT_BOOL, "True for open events with read access.", 0, 2),
          bool_field([](const event_context& c) {
              uint32_t flags;
              int mode_ix;
              return open_flags(c, flags, mode_ix) && (flags & k_o_rdonly);
          }));
    t.add(describe("evt.is_open_write", PT_BOOL, "True for open events with write access.", 0, 2),
          bool_field([](const event_context& c) {
              uint32_t flags;
              int mode_ix;
              return open_flags(c, flags, mode_ix) && (flags & k_o_wronly);
          }));
    t.add(describe("evt.is_open_create", PT_BOOL, "True for open events that created the file.", 0, 2),
          bool_field([](const event_context& c) {
              uint32_t flags;
              int mode_ix;
              if (!open_flags(c, flags, mode_ix)) return false;
              if (flags & k_o_f_created) return true;
              int64_t res;
              return (flags & k_o_tmpfile) && return_value(c.evt->view, res) && res >= 0;
          }));
    t.add(describe("evt.is_open_exec", PT_BOOL,
                   "True for open/creat events creating a file with execute bits.", 0, 2),
          bool_field([](const event_context& c) {
              uint32_t flags;
              int mode_ix;
              if (c.evt->type() == PPME_SYSCALL_CREAT_X)
                  return mode_is_exec(c, param_index(PPME_SYSCALL_CREAT_X, "mode"));
              return open_flags(c, flags, mode_ix) && (flags & (k_o_tmpfile | k_o_creat)) &&
                     mode_is_exec(c, mode_ix);
          }));
}

}  // namespace

void add_evt_fields(filter::field_table& t) {
    add_identity_fields(t);
    add_time_fields(t);
    add_result_fields(t);
    add_kind_fields(t);
    add_evt_arg_fields(t);
    add_evt_more_fields(t);
}

}  // namespace sinsp::fields
