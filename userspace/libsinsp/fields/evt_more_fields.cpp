// evt.* fields beyond the basics: the reference's deprecated latency fields (constant in an
// exit-only stream, as in the reference), evt.around, evt.abspath*, the procinfo counters,
// syscall.type and evt.asynctype.
#include <cstdlib>

#include "fields/evt_common.h"
#include "fields/field_classes.h"
#include "state/helpers.h"

namespace sinsp::fields {

namespace {

void add_latency_fields(filter::field_table& t) {
    // The reference keeps these names for old rules and gives 0: with exit-only events there is
    // no enter event to measure from.
    static const struct {
        const char* name;
        ppm_param_type type;
        const char* what;
    } zeros[] = {
        {"evt.latency", PT_RELTIME, "Deprecated: 0 (exit-only events have no enter event to measure from)."},
        {"evt.latency.s", PT_RELTIME, "Deprecated: 0."},
        {"evt.latency.ns", PT_RELTIME, "Deprecated: 0."},
        {"evt.latency.quantized", PT_UINT64, "Deprecated: 0."},
        {"evt.wait_latency", PT_RELTIME, "Deprecated: 0."},
    };
    for (const auto& z : zeros) {
        t.add(describe(z.name, z.type, z.what, 0, 1), simple([](const event_context&, value_list& out) {
                  out.push_back(value_view::number(0));
                  return true;
              }));
    }
    t.add(describe("evt.latency.human", PT_CHARBUF, "Deprecated: \"0ns\".", 0, 1),
          simple([](const event_context&, value_list& out) {
              out.push_back(value_view::text("0ns"));
              return true;
          }));
}

// evt.around[T] = D: the event is within D milliseconds of the time T (ns since the epoch). The
// value is the distance to T in whole milliseconds, rounded up; `=` means "at most" here.
filter::field_table::factory around_field() {
    return [](const std::optional<std::string>& arg, field_descriptor& info,
              std::string& error) -> std::unique_ptr<field_extractor> {
        char* end = nullptr;
        const unsigned long long t = arg ? std::strtoull(arg->c_str(), &end, 10) : 0;
        if (!arg || arg->empty() || *end != '\0') {
            error =
                "'" + info.name + "' needs a time in nanoseconds, as in evt.around[1404996934793590564]=1000";
            return nullptr;
        }
        auto f = [t](const event_context& c, value_list& out) {
            const uint64_t ts = c.evt->ts();
            const uint64_t dist = ts > t ? ts - t : t - ts;
            out.push_back(value_view::number(dist / 1000000 + (dist % 1000000 != 0)));
            return true;
        };
        return std::make_unique<lambda_extractor<decltype(f)>>(std::move(f));
    };
}

// Which (dirfd, path) parameters evt.abspath resolves for an event type; `which` is 0 for
// evt.abspath, 1 for .src, 2 for .dst.
bool abspath_params(uint16_t type, int which, const char*& dirfd, const char*& path) {
    switch (type) {
        case PPME_SYSCALL_RENAMEAT_X:
        case PPME_SYSCALL_RENAMEAT2_X:
            dirfd = which == 2 ? "newdirfd" : "olddirfd";
            path = which == 2 ? "newpath" : "oldpath";
            return true;
        case PPME_SYSCALL_LINKAT_2_X:
            dirfd = which == 2 ? "newdir" : "olddir";
            path = which == 2 ? "newpath" : "oldpath";
            return true;
        case PPME_SYSCALL_SYMLINKAT_X:
            dirfd = "linkdirfd";
            path = "linkpath";
            return true;
        case PPME_SYSCALL_OPENAT_2_X:
        case PPME_SYSCALL_OPENAT2_X:
        case PPME_SYSCALL_UNLINKAT_2_X:
            dirfd = "dirfd";
            path = "name";
            return true;
        case PPME_SYSCALL_MKDIRAT_X:
            dirfd = "dirfd";
            path = "path";
            return true;
        case PPME_SYSCALL_FCHMODAT_X:
            dirfd = "dirfd";
            path = "filename";
            return true;
        case PPME_SYSCALL_FCHOWNAT_X:
            dirfd = "dirfd";
            path = "pathname";
            return true;
        default:
            return false;
    }
}

filter::field_table::factory abspath_field(int which) {
    return simple([which, buf = std::string()](const event_context& c, value_list& out) mutable {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        const auto& ev = c.evt->view;
        const uint16_t type = ev.type();
        if (type == PPME_SYSCALL_OPEN_BY_HANDLE_AT_X) {
            // The kernel resolved the path; only successful opens have one.
            int64_t fd = 0;
            const int pi = param_index(type, "path");
            if (!return_value(ev, fd) || fd <= 0 || pi < 0 || static_cast<uint32_t>(pi) >= ev.nparams())
                return false;
            buf = join_path("", ev.param(static_cast<uint32_t>(pi)).str());
            out.push_back(value_view::text(buf));
            return true;
        }
        const char *dirfd_name = nullptr, *path_name = nullptr;
        if (!abspath_params(type, which, dirfd_name, path_name)) return false;
        const int di = param_index(type, dirfd_name), pi = param_index(type, path_name);
        if (di < 0 || pi < 0 || static_cast<uint32_t>(di) >= ev.nparams() ||
            static_cast<uint32_t>(pi) >= ev.nparams())
            return false;
        const auto dp = ev.param(static_cast<uint32_t>(di));
        const auto pp = ev.param(static_cast<uint32_t>(pi));
        if (dp.empty() || pp.empty()) return false;
        const int64_t dirfd = dp.len == 4 ? dp.as<int32_t>() : dp.as<int64_t>();
        std::string_view path = pp.str();
        while (!path.empty() && path.back() == '\0') path.remove_suffix(1);
        std::string_view base;
        if (!path.empty() && path[0] == '/') {
            base = "/";
        } else if (dirfd == k_at_fdcwd) {
            base = c.insp->cwd(*t);
        } else {
            const fd_info* d = t->fds ? t->fds->find(dirfd) : nullptr;
            base = d ? std::string_view(d->name) : std::string_view("<UNKNOWN>");
        }
        buf = join_path(base, path);
        out.push_back(value_view::text(buf));
        return true;
    });
}

void add_path_and_kind_fields(filter::field_table& t) {
    field_descriptor around = describe(
        "evt.around", PT_UINT64,
        "evt.around[T]=D matches events within D milliseconds of time T (nanoseconds since the epoch, as "
        "%evt.rawtime shows it).",
        filter::FIELD_ARG_REQUIRED | filter::FIELD_NO_RHS | filter::FIELD_NO_TRANSFORMERS |
            filter::FIELD_EQ_MEANS_WITHIN,
        2);
    around.allowed_ops = filter::op_bit(filter::cmp_op::eq);
    t.add(std::move(around), around_field());
    // "evt.abspath" names the single path, or the source of two-path calls; .src and .dst pick.
    t.add(describe("evt.abspath", PT_CHARBUF,
                   "Absolute path of the *at call's path argument, resolved against its dirfd.", 0, 30),
          abspath_field(0));
    t.add(describe("evt.abspath.src", PT_CHARBUF, "Absolute source path of renameat/linkat.", 0, 30),
          abspath_field(1));
    t.add(describe("evt.abspath.dst", PT_CHARBUF, "Absolute destination path of renameat/linkat.", 0, 30),
          abspath_field(2));
    t.add(describe("evt.count.procinfo", PT_UINT32, "1 for procinfo events of a main thread, else 0.", 0, 1),
          simple([](const event_context& c, value_list& out) {
              const bool yes =
                  c.evt->type() == PPME_PROCINFO_E && c.evt->thread && c.evt->thread->is_main_thread();
              out.push_back(value_view::number(yes ? 1 : 0));
              return true;
          }));
    t.add(describe("evt.count.threadinfo", PT_UINT32, "1 for procinfo events, else 0.", 0, 1),
          simple([](const event_context& c, value_list& out) {
              out.push_back(value_view::number(c.evt->type() == PPME_PROCINFO_E ? 1 : 0));
              return true;
          }));
    t.add(describe("syscall.type", PT_CHARBUF,
                   "For syscall events, the syscall's name; absent for other events.", 0, 2),
          simple([](const event_context& c, value_list& out) {
              if (!(c.evt->view.info().category & EC_SYSCALL)) return false;
              out.push_back(value_view::text(event_name(c.evt->view)));
              return true;
          }));
    t.add(describe(
              "evt.asynctype", PT_CHARBUF,
              "For meta events (container, user added...), their name; async plugin events give their own.",
              0, 2),
          simple([](const event_context& c, value_list& out) {
              const auto& ev = c.evt->view;
              if (!(ev.info().category & EC_METAEVENT)) return false;
              if (ev.type() == PPME_ASYNCEVENT_E) {
                  if (ev.nparams() < 2) return false;
                  std::string_view n = ev.param(1).str();
                  while (!n.empty() && n.back() == '\0') n.remove_suffix(1);
                  out.push_back(value_view::text(n));
                  return true;
              }
              out.push_back(value_view::text(ev.info().name));
              return true;
          }));
}

}  // namespace

void add_evt_more_fields(filter::field_table& t) {
    add_latency_fields(t);
    add_path_and_kind_fields(t);
}

}  // namespace sinsp::fields
