// A mock field registry for the filter tests: a few fields of every value type, backed by a
// plain struct standing in for the state layer's event context.
#pragma once

#include <arpa/inet.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sinsp/filter.h"

namespace filter_test {

using namespace sinsp::filter;

struct mock_event {
    uint16_t type = PPME_SYSCALL_OPENAT_2_X;
    uint64_t num = 42;
    int64_t res = -2;
    int64_t fd = 3;
    std::string proc_name = "loader";
    std::string pname = "bash";
    std::vector<std::string> anames = {"bash", "sshd", "systemd"};
    std::string fd_name = "/opt/dir/subdir/file.txt";
    uint8_t sip[16] = {192, 168, 1, 10};
    uint32_t sip_len = 4;
    uint16_t sport = 443;
    std::string buffer = std::string("hello\0world", 11);
    bool is_io = true;
    double ratio = 3.0;
    std::vector<std::string> args = {"-l", "-a"};
    std::vector<uint64_t> codes = {1, 2, 3};
    bool has_fd = true;
    std::string generic_syscall = "syncfs";  // what a generic event (type 0 or 1) stands for
};

inline const sinsp::event_context& as_ctx(const mock_event& e) {
    return reinterpret_cast<const sinsp::event_context&>(e);
}
inline const mock_event& as_event(const sinsp::event_context& c) {
    return reinterpret_cast<const mock_event&>(c);
}

using extract_fn = std::function<bool(const mock_event&, const std::optional<std::string>& arg, value_list&)>;

class fn_extractor : public field_extractor {
  public:
    fn_extractor(extract_fn f, std::optional<std::string> arg) : m_f(std::move(f)), m_arg(std::move(arg)) {}
    bool extract(const sinsp::event_context& ctx, value_list& out) override {
        return m_f(as_event(ctx), m_arg, out);
    }

  private:
    extract_fn m_f;
    std::optional<std::string> m_arg;
};

inline uint16_t mock_event_code(const sinsp::event_context& c) {
    return as_event(c).type;
}

class mock_fields : public field_table {
  public:
    // `fast_evt_type`: let the compiler turn evt.type comparisons into code bitset lookups.
    explicit mock_fields(bool fast_evt_type = true) {
        field_descriptor evt_type{"evt.type",
                                  PT_CHARBUF,
                                  0,
                                  0,
                                  2,
                                  schema_codes_for_name,
                                  fast_evt_type ? mock_event_code : nullptr,
                                  schema_shared_codes};
        // Generic events show the syscall they stand for, as the real evt.type does.
        add_field(evt_type, [](const mock_event& e, const auto&, value_list& out) {
            const bool generic = e.type == PPME_GENERIC_E || e.type == PPME_GENERIC_X;
            out.push_back(generic ? value_view::text(e.generic_syscall)
                                  : value_view::text(scap_event_table[e.type].name));
            return true;
        });
        field_descriptor evt_num{"evt.num", PT_UINT64};
        evt_num.min_value = 1;  // events are counted from 1
        add_field(evt_num, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::number(e.num));
            return true;
        });
        add_field({"evt.res", PT_ERRNO}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::signed_number(e.res));
            return true;
        });
        add_field({"evt.ratio", PT_DOUBLE}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::real(e.ratio));
            return true;
        });
        add_field({"evt.is_io", PT_BOOL}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::boolean(e.is_io));
            return true;
        });
        add_field({"evt.buffer", PT_BYTEBUF}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::text(e.buffer));
            return true;
        });
        add_field({"evt.codes", PT_UINT64, FIELD_LIST},
                  [](const mock_event& e, const auto&, value_list& out) {
                      for (auto c : e.codes) out.push_back(value_view::number(c));
                      return true;
                  });
        // evt.arg[x] / evt.arg.x: the text "arg:x", so tests can see which argument arrived.
        add_field({"evt.arg", PT_CHARBUF, FIELD_ARG_REQUIRED},
                  [this](const mock_event&, const auto& arg, value_list& out) {
                      m_arg_text = "arg:" + *arg;
                      out.push_back(value_view::text(m_arg_text));
                      return true;
                  });
        add_field({"proc.name", PT_CHARBUF, 0, 0, 5}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::text(e.proc_name));
            return true;
        });
        add_field({"proc.pname", PT_CHARBUF}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::text(e.pname));
            return true;
        });
        add_field({"proc.aname", PT_CHARBUF, FIELD_ARG_ALLOWED},
                  [](const mock_event& e, const auto& arg, value_list& out) {
                      size_t i = arg ? std::stoul(*arg) : 1;
                      if (i == 0 || i > e.anames.size()) return false;
                      out.push_back(value_view::text(e.anames[i - 1]));
                      return true;
                  });
        add_field({"proc.args", PT_CHARBUF, FIELD_LIST},
                  [](const mock_event& e, const auto&, value_list& out) {
                      for (const auto& a : e.args) out.push_back(value_view::text(a));
                      return true;
                  });
        add_field({"fd.name", PT_FSPATH}, [](const mock_event& e, const auto&, value_list& out) {
            if (!e.has_fd) return false;
            out.push_back(value_view::text(e.fd_name));
            return true;
        });
        add_field({"fd.num", PT_FD}, [](const mock_event& e, const auto&, value_list& out) {
            if (!e.has_fd) return false;
            out.push_back(value_view::signed_number(e.fd));
            return true;
        });
        add_field({"fd.sip", PT_IPADDR}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::bytes(e.sip, e.sip_len));
            return true;
        });
        add_field({"fd.snet", PT_IPNET}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::bytes(e.sip, e.sip_len));
            return true;
        });
        add_field({"fd.sport", PT_PORT}, [](const mock_event& e, const auto&, value_list& out) {
            out.push_back(value_view::number(e.sport));
            return true;
        });
        add_field({"fd.plain", PT_CHARBUF, FIELD_NO_TRANSFORMERS | FIELD_NO_RHS},
                  [](const mock_event& e, const auto&, value_list& out) {
                      out.push_back(value_view::text(e.fd_name));
                      return true;
                  });
    }

  private:
    void add_field(field_descriptor d, extract_fn f) {
        add(std::move(d), [f](const std::optional<std::string>& arg, field_descriptor&, std::string&) {
            return std::make_unique<fn_extractor>(f, arg);
        });
    }
    std::string m_arg_text;
};

// Compiles and evaluates; a compile error fails the calling test through the exception.
inline bool eval(const std::string& filter, const mock_event& e = mock_event{}, bool fast = true) {
    mock_fields fields(fast);
    auto f = compile(filter, fields);
    return f->matches(as_ctx(e));
}

// The compile error's full message, or "" when the filter compiles.
inline std::string compile_error(const std::string& filter) {
    mock_fields fields;
    try {
        compile(filter, fields);
    } catch (const filter_error& e) {
        return e.what();
    }
    return "";
}

inline bool compiles(const std::string& filter) {
    return compile_error(filter).empty();
}

}  // namespace filter_test
