// evt.* fields about the event's parameters: evt.args, evt.arg[N] / evt.arg.NAME (text),
// evt.rawarg.NAME (typed), evt.info, evt.buffer and the evt.buflen family.
#include <cstdlib>

#include "fields/evt_common.h"
#include "fields/field_classes.h"

namespace sinsp::fields {

namespace {

// Which parameter a bound evt.arg / evt.rawarg reads: a fixed position, or a name resolved per
// event type (cached for the last type seen: events of one type tend to come in runs).
class param_selector {
  public:
    explicit param_selector(const std::string& arg) {
        char* end = nullptr;
        const long n = std::strtol(arg.c_str(), &end, 10);
        if (!arg.empty() && end && *end == '\0' && n >= 0) {
            m_index = static_cast<int>(n);
        } else {
            m_name = arg;
        }
    }
    // The parameter index in this event, or -1.
    int index_in(const scap::event_view& ev) {
        int i = m_index;
        if (m_index < 0) {
            const uint16_t type = ev.type();
            if (type != m_cached_type) {
                m_cached_type = type;
                m_cached_index = param_index(type, m_name);
            }
            i = m_cached_index;
        }
        return i >= 0 && static_cast<uint32_t>(i) < ev.nparams() ? i : -1;
    }

  private:
    int m_index = -1;
    std::string m_name;
    uint16_t m_cached_type = UINT16_MAX;
    int m_cached_index = -1;
};

class arg_text_extractor final : public field_extractor {
  public:
    explicit arg_text_extractor(const std::string& arg) : m_sel(arg) {}
    bool extract(const event_context& c, value_list& out) override {
        const int i = m_sel.index_in(c.evt->view);
        if (i < 0) return false;
        m_raw.clear();
        m_resolved.clear();
        // What the value means when the state or the flag tables know; the value itself otherwise.
        const bool resolved = param_text(c, static_cast<uint32_t>(i), m_raw, m_resolved);
        out.push_back(value_view::text(resolved && !m_resolved.empty() ? m_resolved : m_raw));
        return true;
    }

  private:
    param_selector m_sel;
    std::string m_raw, m_resolved;
};

// The parameter's value as the bound type's family wants it.
bool typed_value(ppm_param_type bound, const scap_param_info& info, scap::param_view v, value_view& out) {
    const auto fam = filter::family_of(bound);
    const auto own = filter::family_of(static_cast<ppm_param_type>(info.type));
    const bool own_signed =
        own == filter::family::signed_int || info.type == PT_FD32 || info.type == PT_PID32;
    switch (fam) {
        case filter::family::signed_int:
        case filter::family::unsigned_int:
            if (v.len == 0 || v.len > 8) return false;
            if (own_signed) {
                const int64_t s = v.len == 1   ? v.as<int8_t>()
                                  : v.len == 2 ? v.as<int16_t>()
                                  : v.len == 4 ? v.as<int32_t>()
                                               : v.as<int64_t>();
                out = value_view::signed_number(s);
            } else {
                out = value_view::number(v.as<uint64_t>());
            }
            return true;
        case filter::family::boolean:
            out = value_view::boolean(v.as<uint32_t>() != 0);
            return true;
        case filter::family::real:
            out = value_view::real(v.as<double>());
            return true;
        default:
            out = value_view::bytes(v.data, v.len);
            return true;
    }
}

class rawarg_extractor final : public field_extractor {
  public:
    rawarg_extractor(const std::string& arg, ppm_param_type type) : m_sel(arg), m_type(type) {}
    bool extract(const event_context& c, value_list& out) override {
        const auto& ev = c.evt->view;
        const int i = m_sel.index_in(ev);
        if (i < 0) return false;
        value_view v;
        if (!typed_value(m_type, ev.info().params[i], ev.param(static_cast<uint32_t>(i)), v)) return false;
        out.push_back(v);
        return true;
    }

  private:
    param_selector m_sel;
    ppm_param_type m_type;
};

// The type evt.rawarg.NAME takes, and its print format: those of the first current event with
// such a parameter.
bool rawarg_type(const std::string& name, ppm_param_type& type, uint32_t& fmt) {
    for (uint16_t t = 0; t < PPM_EVENT_MAX; ++t) {
        const scap_event_info& info = scap_event_table[t];
        if (info.flags & (EF_UNUSED | EF_OLD_VERSION)) continue;
        const int i = param_index(t, name);
        if (i >= 0) {
            type = static_cast<ppm_param_type>(info.params[i].type);
            fmt = info.params[i].fmt;
            return true;
        }
    }
    return false;
}

// "name=value(meaning) name=value ..." for every parameter, with fds shown as the state knows
// them. Generic events show nothing: their parameters only say which syscall they stand for.
bool all_args(const event_context& c, std::string& out, std::string& raw, std::string& resolved) {
    const auto& ev = c.evt->view;
    out.clear();
    if (ev.type() == PPME_GENERIC_X || ev.type() == PPME_GENERIC_E) return true;
    const scap_event_info& info = ev.info();
    const uint32_t n = ev.nparams() < info.nparams ? ev.nparams() : info.nparams;
    for (uint32_t i = 0; i < n; ++i) {
        raw.clear();
        resolved.clear();
        const bool has_meaning = param_text(c, i, raw, resolved);
        if (i) out += ' ';
        out += info.params[i].name;
        out += '=';
        out += raw;
        if (has_meaning && !resolved.empty()) {
            out += '(';
            out += resolved;
            out += ')';
        }
    }
    return true;
}

enum class buflen_kind { all, in, out, file, file_in, file_out, net, net_in, net_out };

// The bytes an I/O event moved (its non-negative return value), the reference's rule: the event
// is of an I/O category (read, write or other I/O) and uses a known fd; .in/.out ask for the read
// or write category, .file for a file (not a directory), .net for an inet socket.
bool io_bytes(const event_context& c, buflen_kind k, uint64_t& n) {
    const uint32_t cat = c.evt->view.info().category & 0x3f;
    if ((cat & EC_IO_BASE) == 0) return false;
    const fd_info* fd = c.evt->fd;
    if (!fd) return false;
    int64_t res;
    if (!return_value(c.evt->view, res) || res < 0) return false;
    const bool in = cat == EC_IO_READ, out = cat == EC_IO_WRITE;
    const bool file = fd->kind == fd_kind::file;
    const bool net = fd->is_inet();
    bool ok = true;
    switch (k) {
        case buflen_kind::all:
            break;
        case buflen_kind::in:
            ok = in;
            break;
        case buflen_kind::out:
            ok = out;
            break;
        case buflen_kind::file:
            ok = file;
            break;
        case buflen_kind::file_in:
            ok = file && in;
            break;
        case buflen_kind::file_out:
            ok = file && out;
            break;
        case buflen_kind::net:
            ok = net;
            break;
        case buflen_kind::net_in:
            ok = net && in;
            break;
        case buflen_kind::net_out:
            ok = net && out;
            break;
    }
    if (!ok) return false;
    n = static_cast<uint64_t>(res);
    return true;
}

}  // namespace

void add_evt_arg_fields(filter::field_table& t) {
    t.add(describe("evt.args", PT_CHARBUF,
                   "All parameters as name=value pairs, with fds and flags explained.", 0, 200),
          simple([out_s = std::string(), raw = std::string(), res = std::string()](const event_context& c,
                                                                                   value_list& out) mutable {
              all_args(c, out_s, raw, res);
              out.push_back(value_view::text(out_s));
              return true;
          }));
    t.add(describe("evt.info", PT_CHARBUF, "What the event says, in words: for syscalls, evt.args.", 0, 200),
          simple([out_s = std::string(), raw = std::string(), res = std::string()](const event_context& c,
                                                                                   value_list& out) mutable {
              all_args(c, out_s, raw, res);
              out.push_back(value_view::text(out_s));
              return true;
          }));
    t.add(
        describe("evt.arg", PT_CHARBUF,
                 "One parameter as text, by name (evt.arg.fd, evt.arg[name]) or position (evt.arg[0]); fds, "
                 "flags and errors shown by meaning.",
                 filter::FIELD_ARG_REQUIRED, 20),
        [](const std::optional<std::string>& arg, field_descriptor&, std::string&) {
            return std::unique_ptr<field_extractor>(std::make_unique<arg_text_extractor>(*arg));
        });
    t.add(describe("evt.rawarg", PT_CHARBUF,
                   "One parameter by name with its own type (evt.rawarg.res < 0, evt.rawarg.size > 1024).",
                   filter::FIELD_ARG_REQUIRED, 5),
          [](const std::optional<std::string>& arg, field_descriptor& info,
             std::string& error) -> std::unique_ptr<field_extractor> {
              ppm_param_type type;
              uint32_t fmt = 0;
              if (!rawarg_type(*arg, type, fmt)) {
                  error = "no event has a parameter named '" + *arg + "' (evt.rawarg." + *arg + ")";
                  return nullptr;
              }
              info.type = type;
              // Hexadecimal parameters (flags) are shown in hex, as the reference shows them.
              if (fmt == PF_HEX) info.flags |= filter::FIELD_SHOW_HEX;
              return std::make_unique<rawarg_extractor>(*arg, type);
          });
    t.add(describe("evt.buffer", PT_BYTEBUF,
                   "The data buffer of I/O events (read, write, sendto...), up to snaplen.", 0, 3),
          simple([sel = param_selector("data")](const event_context& c, value_list& out) mutable {
              const int i = sel.index_in(c.evt->view);
              if (i < 0) return false;
              const auto v = c.evt->view.param(static_cast<uint32_t>(i));
              out.push_back(value_view::bytes(v.data, v.len));
              return true;
          }));
    struct buflen_def {
        const char* name;
        buflen_kind kind;
        const char* description;
    };
    static const buflen_def defs[] = {
        {"evt.buflen", buflen_kind::all, "Bytes read or written by an I/O event."},
        {"evt.buflen.in", buflen_kind::in, "Bytes read by an I/O event."},
        {"evt.buflen.out", buflen_kind::out, "Bytes written by an I/O event."},
        {"evt.buflen.file", buflen_kind::file, "Bytes read or written on a file."},
        {"evt.buflen.file.in", buflen_kind::file_in, "Bytes read from a file."},
        {"evt.buflen.file.out", buflen_kind::file_out, "Bytes written to a file."},
        {"evt.buflen.net", buflen_kind::net, "Bytes sent or received on a network socket."},
        {"evt.buflen.net.in", buflen_kind::net_in, "Bytes received on a network socket."},
        {"evt.buflen.net.out", buflen_kind::net_out, "Bytes sent on a network socket."},
    };
    for (const auto& d : defs) {
        const buflen_kind k = d.kind;
        t.add(describe(d.name, PT_UINT64, d.description, 0, 3),
              simple([k](const event_context& c, value_list& out) {
                  uint64_t n;
                  if (!io_bytes(c, k, n)) return false;
                  out.push_back(value_view::number(n));
                  return true;
              }));
    }
}

}  // namespace sinsp::fields
