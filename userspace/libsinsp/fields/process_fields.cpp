// proc.* and thread.*: the process and thread that generated the event, their ancestors,
// sessions, credentials-adjacent facts and standard streams. Capabilities and cgroups are in
// thread_caps.cpp.
#include <cstdlib>
#include <deque>
#include <optional>

#include "fields/field_classes.h"
#include "fields/proc_common.h"

namespace sinsp::fields {

void add_thread_detail_fields(filter::field_table& t);  // thread_caps.cpp
void add_proc_exe_fields(filter::field_table& t);       // proc_exe_fields.cpp
void add_thread_usage_fields(filter::field_table& t);   // thread_usage_fields.cpp

namespace {

std::optional<std::string_view> nonempty(std::string_view s) {
    if (s.empty()) return std::nullopt;
    return s;
}

// The thread's open fds as the event sees them: an fd the event closed still counts on it.
uint64_t open_fd_count(const event_context& c, const thread_info& t) {
    return (t.fds ? t.fds->size() : 0) + (event_closed_its_fd(c, t) ? 1 : 0);
}

const thread_info* parent_process(const event_context& c, const thread_info& t) {
    return ancestor(*c.insp, t, 1);
}

constexpr uint32_t k_cl_child_in_pidns = 0x20000000;  // PPM_CL_CHILD_IN_PIDNS

// The leader of the session or process group whose id the thread's `member` holds, found as the
// reference finds it: the thread with that id, unless the id is virtual and the thread lives in a
// pid namespace (the id then means nothing in the host's table); failing that, the oldest of the
// ancestors, from the parent up, that share the id. Null when the id is unknown or nobody fits.
const thread_info* group_leader(const event_context& c, const thread_info& th, int64_t thread_info::*member,
                                bool virtual_id) {
    const int64_t id = th.*member;
    if (id == -1) return nullptr;
    const bool in_pidns = (th.clone_flags & k_cl_child_in_pidns) || (th.vtid >= 0 && th.vtid != th.tid);
    if (!virtual_id || !in_pidns) {
        if (const thread_info* t = c.insp->threads().find(id)) return t;
    }
    const thread_info* leader = nullptr;
    for_each_ancestor(*c.insp, th, [&](const thread_info& p) {
        if (p.*member != id) return false;
        leader = &p;
        return true;
    });
    return leader;
}

// Fields indexed by ancestor: proc.aname[2]. Without an index the field lists every ancestor
// (from the parent up) and a comparison holds when it holds for one of them.
enum class ancestor_value { name, exe, exepath, cmdline, pid };

class ancestor_extractor final : public field_extractor {
  public:
    ancestor_extractor(ancestor_value what, int index) : m_what(what), m_index(index) {}

    bool extract(const event_context& c, value_list& out) override {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        if (m_index >= 0) {
            const thread_info* a = ancestor(*c.insp, *t, m_index);
            if (!a) return false;
            m_bufs.resize(1);
            push(c, *a, 0, out);
            return true;
        }
        size_t n = 0;
        for_each_ancestor(*c.insp, *t, [&](const thread_info& a) {
            if (m_bufs.size() <= n) m_bufs.resize(n + 1);
            push(c, a, n++, out);
            return true;
        });
        return n != 0;
    }

  private:
    void push(const event_context& c, const thread_info& a, size_t slot, value_list& out) {
        switch (m_what) {
            case ancestor_value::name:
                out.push_back(value_view::text(c.insp->str(a.comm)));
                return;
            case ancestor_value::exe:
                out.push_back(value_view::text(c.insp->str(a.exe)));
                return;
            case ancestor_value::exepath:
                out.push_back(value_view::text(c.insp->str(a.exepath)));
                return;
            case ancestor_value::pid:
                out.push_back(value_view::signed_number(a.pid));
                return;
            case ancestor_value::cmdline: {
                // One buffer per ancestor: every view must stay valid until the event is done.
                std::string& b = m_bufs[slot];
                b.clear();
                append_cmdline(b, *c.insp, a, false);
                out.push_back(value_view::text(b));
                return;
            }
        }
    }

    ancestor_value m_what;
    int m_index;
    // A deque: growing it never moves the strings already pushed as views (a vector would, and
    // short strings live inside the element, so their views would dangle).
    std::deque<std::string> m_bufs;
};

filter::field_table::factory ancestor_field(ancestor_value what) {
    return [what](const std::optional<std::string>& arg, field_descriptor& info,
                  std::string& error) -> std::unique_ptr<field_extractor> {
        int index = -1;
        if (arg) {
            char* end = nullptr;
            const long n = std::strtol(arg->c_str(), &end, 10);
            if (arg->empty() || *end != '\0' || n < 0 || n > k_max_ancestors) {
                error = "'" + info.name + "' takes an ancestor level from 0 to " +
                        std::to_string(k_max_ancestors) + ", not '" + *arg + "'";
                return nullptr;
            }
            index = static_cast<int>(n);
        } else {
            info.flags |= filter::FIELD_ANY_VALUE;
        }
        return std::make_unique<ancestor_extractor>(what, index);
    };
}

// proc.env[NAME]: one variable's value; without an argument the whole environment.
filter::field_table::factory env_field() {
    return [](const std::optional<std::string>& arg, field_descriptor&, std::string&) {
        std::string name = arg ? *arg : std::string();
        auto f = [name, buf = std::string()](const event_context& c, value_list& out) mutable {
            const thread_info* t = c.evt->thread;
            if (!t) return false;
            const thread_info* m = main_of(*c.insp, *t);
            std::string_view env = c.insp->str(m->env);
            if (env.empty()) env = c.insp->str(t->env);
            if (name.empty()) {
                buf.clear();
                append_joined(buf, env);
                out.push_back(value_view::text(buf));
                return true;
            }
            while (!env.empty()) {
                const size_t nul = env.find('\0');
                const std::string_view item = env.substr(0, nul);
                if (item.size() > name.size() && item[name.size()] == '=' &&
                    item.compare(0, name.size(), name) == 0) {
                    out.push_back(value_view::text(item.substr(name.size() + 1)));
                    return true;
                }
                if (nul == std::string_view::npos) break;
                env.remove_prefix(nul + 1);
            }
            return false;
        };
        return std::unique_ptr<field_extractor>(
            std::make_unique<lambda_extractor<decltype(f)>>(std::move(f)));
    };
}

// The fd 0/1/2 of the process, for proc.stdin.* etc. The close of one still shows it, as the
// reference removes a closed fd only after its event.
const fd_info* std_fd(const event_context& c, const thread_info& t, int64_t fd) {
    const fd_info* f = t.fds ? t.fds->find(fd) : nullptr;
    if (!f && c.evt->fd && c.evt->fd_num == fd && c.evt->thread == &t &&
        (c.evt->view.info().flags & EF_DESTROYS_FD))
        f = c.evt->fd;
    return f;
}

void add_std_stream_fields(filter::field_table& t) {
    static const struct {
        const char* type_name;
        const char* name_name;
        int64_t fd;
        const char* what;
    } streams[] = {{"proc.stdin.type", "proc.stdin.name", 0, "standard input"},
                   {"proc.stdout.type", "proc.stdout.name", 1, "standard output"},
                   {"proc.stderr.type", "proc.stderr.name", 2, "standard error"}};
    for (const auto& s : streams) {
        const int64_t fd = s.fd;
        t.add(describe(s.type_name, PT_CHARBUF,
                       (std::string("Type of the process's ") + s.what + " fd.").c_str(), 0, 4),
              thread_view(
                  [fd](const event_context& c, const thread_info& th) -> std::optional<std::string_view> {
                      const fd_info* f = std_fd(c, th, fd);
                      if (!f) return std::nullopt;
                      return std::string_view(to_string(f->kind));
                  }));
        t.add(describe(s.name_name, PT_CHARBUF,
                       (std::string("Name of the process's ") + s.what + " fd.").c_str(), 0, 6),
              thread_text([fd](const event_context& c, const thread_info& th, std::string& b) {
                  const fd_info* f = std_fd(c, th, fd);
                  if (!f) return false;
                  f->append_display_name(b);
                  return true;
              }));
    }
}

void add_identity_fields(filter::field_table& t) {
    t.add(describe("proc.name", PT_CHARBUF,
                   "Name of the executable (the kernel's comm, up to 15 characters).", 0, 3),
          thread_view([](const event_context& c, const thread_info& th) -> std::optional<std::string_view> {
              return c.insp->str(th.comm);
          }));
    t.add(describe("proc.exe", PT_CHARBUF, "First command-line argument (argv[0]) of the process.", 0, 3),
          thread_view(
              [](const event_context& c, const thread_info& th) { return nonempty(c.insp->str(th.exe)); }));
    t.add(describe("proc.exepath", PT_CHARBUF, "Full path of the process's executable.", 0, 3),
          // Empty (not absent) when unknown, as in the reference.
          thread_view([](const event_context& c, const thread_info& th) -> std::optional<std::string_view> {
              return c.insp->str(th.exepath);
          }));
    t.add(describe("proc.args", PT_CHARBUF, "Command-line arguments after argv[0], space separated.", 0, 20),
          thread_text([](const event_context& c, const thread_info& th, std::string& b) {
              append_joined(b, c.insp->str(th.args));
              return true;
          }));
    t.add(describe("proc.cmdline", PT_CHARBUF, "Full command line: proc.name followed by proc.args.", 0, 25),
          thread_text([](const event_context& c, const thread_info& th, std::string& b) {
              append_cmdline(b, *c.insp, th, false);
              return true;
          }));
    t.add(describe("proc.exeline", PT_CHARBUF, "Full command line: proc.exe followed by proc.args.", 0, 25),
          thread_text([](const event_context& c, const thread_info& th, std::string& b) {
              // exe, a space, then the arguments: the space stays when there are none, as the
              // reference writes it.
              b.append(c.insp->str(th.exe));
              b += ' ';
              append_joined(b, c.insp->str(th.args));
              return true;
          }));
    t.add(describe("proc.cmdnargs", PT_UINT64, "Number of command-line arguments after argv[0].", 0, 10),
          thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
              const std::string_view a = c.insp->str(th.args);
              uint64_t n = 0;
              for (char ch : a) n += ch == '\0';
              if (!a.empty() && a.back() != '\0') ++n;
              return n;
          }));
    t.add(describe("proc.cmdlenargs", PT_UINT64, "Total length of the command-line arguments after argv[0].",
                   0, 10),
          thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
              const std::string_view a = c.insp->str(th.args);
              uint64_t n = 0;
              for (char ch : a) n += ch != '\0';
              return n;
          }));
    // Shown with a trailing '/', as the reference keeps it.
    t.add(
        describe("proc.cwd", PT_CHARBUF, "Current working directory of the process, ending with '/'.", 0, 3),
        thread_text([](const event_context& c, const thread_info& th, std::string& b) {
            const std::string_view cwd = c.insp->cwd(th);
            if (cwd.empty()) return false;
            b.append(cwd);
            if (b.back() != '/') b += '/';
            return true;
        }));
    t.add(describe("proc.env", PT_CHARBUF,
                   "Environment of the process, space separated; proc.env[NAME] is one variable's value.",
                   filter::FIELD_ARG_ALLOWED, 30),
          env_field());
    t.add(describe("proc.tty", PT_UINT32, "Controlling terminal of the process (0 for none).", 0, 2),
          thread_uint(
              [](const event_context&, const thread_info& th) -> std::optional<uint64_t> { return th.tty; }));
    t.add(describe("proc.pid", PT_INT64, "Id of the process.", 0, 1),
          thread_int([](const event_context&, const thread_info& th) -> std::optional<int64_t> {
              if (th.pid < 0) return std::nullopt;
              return th.pid;
          }));
    t.add(describe("proc.vpid", PT_INT64, "Id of the process in its own pid namespace.", 0, 1),
          thread_int([](const event_context&, const thread_info& th) -> std::optional<int64_t> {
              if (th.vpid < 0) return std::nullopt;
              return th.vpid;
          }));
    t.add(describe("proc.exe_ino", PT_INT64, "Inode number of the executable.", 0, 2),
          thread_int([](const event_context&, const thread_info& th) -> std::optional<int64_t> {
              if (!th.exe_ino) return std::nullopt;
              return static_cast<int64_t>(th.exe_ino);
          }));
    t.add(describe("proc.fdlimit", PT_INT64, "Maximum number of fds the process may open.", 0, 2),
          thread_int([](const event_context& c, const thread_info& th) -> std::optional<int64_t> {
              const uint64_t lim = main_of(*c.insp, th)->fdlimit;
              if (!lim) return std::nullopt;
              return static_cast<int64_t>(lim);
          }));
    t.add(describe("proc.fdopencount", PT_UINT64, "Number of fds the process has open.", 0, 2),
          thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
              return open_fd_count(c, th);
          }));
    t.add(describe("proc.fdusage", PT_DOUBLE, "Open fds as a percentage of proc.fdlimit.", 0, 3),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th) return false;
              const uint64_t lim = main_of(*c.insp, *th)->fdlimit;
              if (!lim) return false;
              const double open = static_cast<double>(open_fd_count(c, *th));
              out.push_back(value_view::real(100.0 * open / static_cast<double>(lim)));
              return true;
          }));
    t.add(describe("proc.nthreads", PT_UINT64,
                   "Number of live threads of the process, the main thread included.", 0, 2),
          thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
              return main_of(*c.insp, th)->live_threads;
          }));
    t.add(describe("proc.nchilds", PT_UINT64,
                   "Number of live threads of the process besides the main thread.", 0, 2),
          thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
              const uint32_t n = main_of(*c.insp, th)->live_threads;
              return n ? n - 1 : 0;
          }));
    t.add(describe("proc.duration", PT_RELTIME, "Nanoseconds since the process started.", 0, 2),
          thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
              const uint64_t start = main_of(*c.insp, th)->clone_ts;
              if (!start || start > c.evt->ts()) return std::nullopt;
              return c.evt->ts() - start;
          }));
    t.add(
        describe("proc.pid.ts", PT_RELTIME, "Start time of the process, nanoseconds since the epoch.", 0, 2),
        thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
            const uint64_t start = main_of(*c.insp, th)->clone_ts;
            if (!start) return std::nullopt;
            return start;
        }));
}

void add_parent_fields(filter::field_table& t) {
    t.add(describe("proc.ppid", PT_INT64, "Id of the parent process.", 0, 2),
          thread_int([](const event_context& c, const thread_info& th) -> std::optional<int64_t> {
              const thread_info* m = main_of(*c.insp, th);
              if (m->ptid <= 0) return std::nullopt;
              return m->ptid;
          }));
    t.add(describe("proc.pname", PT_CHARBUF, "Name of the parent process.", 0, 5),
          thread_view([](const event_context& c, const thread_info& th) -> std::optional<std::string_view> {
              const thread_info* p = parent_process(c, th);
              if (!p) return std::nullopt;
              return c.insp->str(p->comm);
          }));
    t.add(describe("proc.pexe", PT_CHARBUF, "argv[0] of the parent process.", 0, 5),
          thread_view([](const event_context& c, const thread_info& th) -> std::optional<std::string_view> {
              const thread_info* p = parent_process(c, th);
              if (!p) return std::nullopt;
              return c.insp->str(p->exe);
          }));
    t.add(describe("proc.pexepath", PT_CHARBUF, "Executable path of the parent process.", 0, 5),
          thread_view([](const event_context& c, const thread_info& th) -> std::optional<std::string_view> {
              const thread_info* p = parent_process(c, th);
              if (!p) return std::nullopt;
              return c.insp->str(p->exepath);
          }));
    t.add(describe("proc.pcmdline", PT_CHARBUF, "Command line of the parent process.", 0, 25),
          thread_text([](const event_context& c, const thread_info& th, std::string& b) {
              const thread_info* p = parent_process(c, th);
              if (!p) return false;
              append_cmdline(b, *c.insp, *p, false);
              return true;
          }));
    t.add(describe("proc.pvpid", PT_INT64, "Id of the parent process in its pid namespace.", 0, 5),
          thread_int([](const event_context& c, const thread_info& th) -> std::optional<int64_t> {
              const thread_info* p = parent_process(c, th);
              if (!p || p->vpid < 0) return std::nullopt;
              return p->vpid;
          }));
    t.add(describe("proc.ppid.ts", PT_RELTIME,
                   "Start time of the parent process, nanoseconds since the epoch.", 0, 5),
          thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
              const thread_info* p = parent_process(c, th);
              // 0 when the parent's start is unknown (a process of the capture's snapshot), as
              // the reference prints it.
              if (!p) return std::nullopt;
              return p->clone_ts;
          }));
    t.add(describe("proc.ppid.duration", PT_RELTIME, "Nanoseconds since the parent process started.", 0, 5),
          thread_uint([](const event_context& c, const thread_info& th) -> std::optional<uint64_t> {
              const thread_info* p = parent_process(c, th);
              if (!p || !p->clone_ts || p->clone_ts > c.evt->ts()) return std::nullopt;
              return c.evt->ts() - p->clone_ts;
          }));

    const uint32_t indexed = filter::FIELD_ARG_ALLOWED | filter::FIELD_NO_RHS | filter::FIELD_NO_TRANSFORMERS;
    t.add(
        describe(
            "proc.aname", PT_CHARBUF,
            "Name of an ancestor: proc.aname[1] is the parent, [2] the grandparent, [0] the process itself; "
            "without a level, any ancestor.",
            indexed, 15),
        ancestor_field(ancestor_value::name));
    t.add(describe("proc.aexe", PT_CHARBUF, "argv[0] of an ancestor, by level as proc.aname.", indexed, 15),
          ancestor_field(ancestor_value::exe));
    t.add(describe("proc.aexepath", PT_CHARBUF, "Executable path of an ancestor, by level as proc.aname.",
                   indexed, 15),
          ancestor_field(ancestor_value::exepath));
    t.add(describe("proc.acmdline", PT_CHARBUF, "Command line of an ancestor, by level as proc.aname.",
                   indexed, 40),
          ancestor_field(ancestor_value::cmdline));
    t.add(describe("proc.apid", PT_INT64, "Id of an ancestor process, by level as proc.aname.", indexed, 15),
          ancestor_field(ancestor_value::pid));
    t.add(describe("proc.loginshellid", PT_INT64,
                   "Id of the oldest shell (a name ending in 'sh') among the process and its ancestors.", 0,
                   20),
          thread_int([](const event_context& c, const thread_info& th) -> std::optional<int64_t> {
              std::optional<int64_t> shell;
              auto check = [&](const thread_info& p) {
                  const std::string_view n = c.insp->str(p.comm);
                  if (n.size() >= 2 && n.compare(n.size() - 2, 2, "sh") == 0) shell = p.pid;
                  return true;
              };
              check(*main_of(*c.insp, th));
              for_each_ancestor(*c.insp, th, check);
              return shell;
          }));
}

void add_session_fields(filter::field_table& t) {
    struct leader_def {
        const char* id_name;
        const char* name_name;
        const char* exe_name;
        const char* exepath_name;
        const char* leader_name;
        int64_t thread_info::*id;
        const char* what;
    };
    static const leader_def defs[] = {
        {"proc.sid", "proc.sname", "proc.sid.exe", "proc.sid.exepath", "proc.is_sid_leader",
         &thread_info::sid, "session"},
        {"proc.vpgid", "proc.vpgid.name", "proc.vpgid.exe", "proc.vpgid.exepath", "proc.is_vpgid_leader",
         &thread_info::vpgid, "process group (in its pid namespace)"},
        {"proc.pgid", "proc.pgid.name", "proc.pgid.exe", "proc.pgid.exepath", "proc.is_pgid_leader",
         &thread_info::pgid, "process group"},
    };
    for (const auto& d : defs) {
        const auto id = d.id;
        t.add(describe(d.id_name, PT_INT64, (std::string("Id of the ") + d.what + " of the process.").c_str(),
                       0, 2),
              // The event thread's own value, -1 when unknown, as the reference shows it.
              thread_int([id](const event_context&, const thread_info& th) -> std::optional<int64_t> {
                  return th.*id;
              }));
        // The reference compares the leader id with the virtual pid for sessions and virtual
        // groups, and with the pid for (host) process groups.
        const bool virtual_id = id != &thread_info::pgid;
        using member = string_id thread_info::*;
        const std::pair<const char*, member> texts[] = {{d.name_name, &thread_info::comm},
                                                        {d.exe_name, &thread_info::exe},
                                                        {d.exepath_name, &thread_info::exepath}};
        for (const auto& [name, field] : texts) {
            const member m = field;
            t.add(describe(name, PT_CHARBUF,
                           (std::string("Of the leader of the ") + d.what + ": " +
                            (m == &thread_info::comm  ? "its name."
                             : m == &thread_info::exe ? "its argv[0]."
                                                      : "its path."))
                               .c_str(),
                           0, 5),
                  thread_view([id, m, virtual_id](const event_context& c,
                                                  const thread_info& th) -> std::optional<std::string_view> {
                      // Empty when the leader is not known, as in the reference.
                      const thread_info* leader = group_leader(c, th, id, virtual_id);
                      if (!leader) return std::string_view();
                      return c.insp->str(leader->*m);
                  }));
        }
        t.add(describe(d.leader_name, PT_BOOL,
                       (std::string("True if the process leads its ") + d.what + ".").c_str(), 0, 2),
              simple([id, virtual_id](const event_context& c, value_list& out) {
                  // The event thread's ids, compared even when unknown (-1), as in the reference.
                  const thread_info* th = c.evt->thread;
                  if (!th) return false;
                  const int64_t self = virtual_id ? th->vpid : th->pid;
                  out.push_back(value_view::boolean(th->*id == self));
                  return true;
              }));
    }
}

void add_thread_fields(filter::field_table& t) {
    t.add(describe("thread.tid", PT_INT64, "Id of the thread that generated the event.", 0, 1),
          simple([](const event_context& c, value_list& out) {
              out.push_back(value_view::signed_number(static_cast<int64_t>(c.evt->tid())));
              return true;
          }));
    t.add(describe("thread.ismain", PT_BOOL, "True if the thread is its process's main thread.", 0, 1),
          thread_bool([](const event_context&, const thread_info& th) { return th.is_main_thread(); }));
    t.add(describe("thread.vtid", PT_INT64, "Id of the thread in its pid namespace.", 0, 1),
          thread_int([](const event_context&, const thread_info& th) -> std::optional<int64_t> {
              if (th.vtid < 0) return std::nullopt;
              return th.vtid;
          }));
}

}  // namespace

void add_process_fields(filter::field_table& t) {
    add_identity_fields(t);
    add_parent_fields(t);
    add_session_fields(t);
    add_std_stream_fields(t);
    add_thread_fields(t);
    add_thread_detail_fields(t);
    add_proc_exe_fields(t);
    add_thread_usage_fields(t);
}

}  // namespace sinsp::fields
