// proc.* facts about the executable and the lineage: the executable's inode times and what the
// kernel said about it at exec (writable, overlay layer, memfd), the pid namespace's start,
// container health-probe roles, and ancestors' arguments and environments.
#include <cstdlib>

#include "fields/field_classes.h"
#include "fields/proc_common.h"

namespace sinsp::fields {

namespace {

// proc.aargs / proc.aenv arguments: a level ("2") or, for aenv, a variable name.
struct lineage_arg {
    int level = -1;
    std::string name;
};

bool parse_lineage_arg(const std::optional<std::string>& arg, bool names_allowed, const std::string& field,
                       lineage_arg& out, std::string& error) {
    if (!arg) return true;
    char* end = nullptr;
    const long n = std::strtol(arg->c_str(), &end, 10);
    if (!arg->empty() && *end == '\0' && n >= 0 && n <= k_max_ancestors) {
        out.level = static_cast<int>(n);
        return true;
    }
    if (names_allowed && !arg->empty()) {
        out.name = *arg;
        return true;
    }
    error = "'" + field + "' takes an ancestor level from 0 to " + std::to_string(k_max_ancestors) +
            (names_allowed ? " or a variable name" : "") + ", not '" + *arg + "'";
    return false;
}

// One variable's value in a NUL-separated environment; nullopt when it is not set.
std::optional<std::string_view> env_value(std::string_view env, std::string_view name) {
    while (!env.empty()) {
        const size_t nul = env.find('\0');
        const std::string_view item = env.substr(0, nul);
        if (item.size() > name.size() && item[name.size()] == '=' && item.compare(0, name.size(), name) == 0)
            return item.substr(name.size() + 1);
        if (nul == std::string_view::npos) break;
        env.remove_prefix(nul + 1);
    }
    return std::nullopt;
}

std::string_view env_of(const inspector& insp, const thread_info& t) {
    const std::string_view own = insp.str(main_of(insp, t)->env);
    return own.empty() ? insp.str(t.env) : own;
}

filter::field_table::factory aargs_field() {
    return [](const std::optional<std::string>& arg, field_descriptor& info,
              std::string& error) -> std::unique_ptr<field_extractor> {
        lineage_arg a;
        if (!parse_lineage_arg(arg, false, info.name, a, error)) return nullptr;
        auto f = [a, buf = std::string()](const event_context& c, value_list& out) mutable {
            const thread_info* t = c.evt->thread;
            if (!t) return false;
            buf.clear();
            if (a.level >= 0) {
                const thread_info* p = ancestor(*c.insp, *t, a.level);
                if (!p) return false;
                append_joined(buf, c.insp->str(p->args));
            } else {
                // Every ancestor's arguments, from the parent up, space separated.
                for_each_ancestor(*c.insp, *t, [&](const thread_info& p) {
                    if (!buf.empty()) buf += ' ';
                    append_joined(buf, c.insp->str(p.args));
                    return true;
                });
                if (buf.empty()) return false;
            }
            out.push_back(value_view::text(buf));
            return true;
        };
        return std::make_unique<lambda_extractor<decltype(f)>>(std::move(f));
    };
}

// proc.aenv: without an argument (or [0]) the process's environment; [N] the N-th ancestor's;
// [NAME] the first ancestor (from the parent up) that sets NAME, empty when none does.
filter::field_table::factory aenv_field() {
    return [](const std::optional<std::string>& arg, field_descriptor& info,
              std::string& error) -> std::unique_ptr<field_extractor> {
        lineage_arg a;
        if (!parse_lineage_arg(arg, true, info.name, a, error)) return nullptr;
        auto f = [a, buf = std::string()](const event_context& c, value_list& out) mutable {
            const thread_info* t = c.evt->thread;
            if (!t) return false;
            buf.clear();
            if (!a.name.empty()) {
                std::string_view found;
                for_each_ancestor(*c.insp, *t, [&](const thread_info& p) {
                    const auto v = env_value(env_of(*c.insp, p), a.name);
                    if (v && !v->empty()) {
                        found = *v;
                        return false;
                    }
                    return true;
                });
                out.push_back(value_view::text(found));
                return true;
            }
            const thread_info* p = ancestor(*c.insp, *t, a.level < 0 ? 0 : a.level);
            if (!p) return false;
            append_joined(buf, env_of(*c.insp, *p));
            out.push_back(value_view::text(buf));
            return true;
        };
        return std::make_unique<lambda_extractor<decltype(f)>>(std::move(f));
    };
}

// A time of the thread, absent when zero (the reference's null value for these fields).
template <typename M>
filter::field_table::factory nonzero_time(M member) {
    return thread_uint([member](const event_context&, const thread_info& th) -> std::optional<uint64_t> {
        if (th.*member == 0) return std::nullopt;
        return th.*member;
    });
}

}  // namespace

void add_proc_exe_fields(filter::field_table& t) {
    const uint32_t lineage = filter::FIELD_ARG_ALLOWED;
    t.add(describe(
              "proc.aargs", PT_CHARBUF,
              "Arguments of an ancestor: proc.aargs[1] is the parent's; without a level, every ancestor's.",
              lineage, 40),
          aargs_field());
    t.add(describe("proc.aenv", PT_CHARBUF,
                   "Environment of an ancestor: proc.aenv[2] is the grandparent's, proc.aenv[NAME] the value "
                   "the nearest ancestor sets.",
                   lineage | filter::FIELD_NO_RHS | filter::FIELD_NO_TRANSFORMERS, 40),
          aenv_field());
    t.add(describe("proc.exe_ino.ctime", PT_ABSTIME, "Last status change time of the executable's inode.", 0,
                   2),
          nonzero_time(&thread_info::exe_ino_ctime));
    t.add(
        describe("proc.exe_ino.mtime", PT_ABSTIME, "Last modification time of the executable's inode.", 0, 2),
        nonzero_time(&thread_info::exe_ino_mtime));
    // Computed from the process's own times (the reference stores them at exec and copies the
    // parent's into clones; see docs/compat.md).
    t.add(describe("proc.exe_ino.ctime_duration_proc_start", PT_ABSTIME,
                   "Nanoseconds from the executable's inode change to the process start.", 0, 2),
          thread_uint([](const event_context&, const thread_info& th) -> std::optional<uint64_t> {
              if (th.exe_ino_ctime == 0 || th.clone_ts == 0) return std::nullopt;
              return th.clone_ts - th.exe_ino_ctime;
          }));
    t.add(describe("proc.exe_ino.ctime_duration_pidns_start", PT_ABSTIME,
                   "Nanoseconds from the pid namespace's start to the executable's inode change.", 0, 2),
          thread_uint([](const event_context&, const thread_info& th) -> std::optional<uint64_t> {
              if (th.pidns_init_start_ts == 0 || th.exe_ino_ctime <= th.pidns_init_start_ts)
                  return std::nullopt;
              return th.exe_ino_ctime - th.pidns_init_start_ts;
          }));
    t.add(describe("proc.pidns_init_start_ts", PT_UINT64,
                   "Start time of the init process of the process's pid namespace (the container start).", 0,
                   2),
          nonzero_time(&thread_info::pidns_init_start_ts));

    static const struct {
        const char* name;
        uint32_t bit;
        const char* what;
    } exe_flags[] = {
        {"proc.is_exe_writable", k_exe_writable, "True if the process's user could write its executable."},
        {"proc.is_exe_upper_layer", k_exe_upper_layer,
         "True if the executable is in the upper layer of an overlay filesystem (added or changed in a "
         "container)."},
        {"proc.is_exe_lower_layer", k_exe_lower_layer,
         "True if the executable is in a lower layer of an overlay filesystem (from the image)."},
        {"proc.is_exe_from_memfd", k_exe_from_memfd,
         "True if the executable is a memfd (fileless execution)."},
    };
    for (const auto& d : exe_flags) {
        const uint32_t bit = d.bit;
        t.add(describe(d.name, PT_BOOL, d.what, 0, 1),
              thread_bool(
                  [bit](const event_context&, const thread_info& th) { return (th.exe_flags & bit) != 0; }));
    }

    static const struct {
        const char* name;
        container_role role;
        const char* what;
    } roles[] = {
        {"proc.is_container_healthcheck", container_role::healthcheck,
         "True if the process runs as part of its container's health check."},
        {"proc.is_container_liveness_probe", container_role::liveness_probe,
         "True if the process runs as part of its container's liveness probe."},
        {"proc.is_container_readiness_probe", container_role::readiness_probe,
         "True if the process runs as part of its container's readiness probe."},
    };
    for (const auto& d : roles) {
        const container_role role = d.role;
        t.add(describe(d.name, PT_BOOL, d.what, 0, 1),
              thread_bool([role](const event_context&, const thread_info& th) { return th.role == role; }));
    }
}

}  // namespace sinsp::fields
