// thread.cap_* (capability sets by name) and thread.cgroups / thread.cgroup[subsys].
#include "fields/field_classes.h"
#include "fields/proc_common.h"

namespace sinsp::fields {

namespace {

// Capability names by bit, the kernel's numbering (which the capture format keeps).
constexpr const char* k_cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

void append_caps(std::string& out, uint64_t caps) {
    for (size_t i = 0; i < sizeof k_cap_names / sizeof k_cap_names[0]; ++i) {
        if (!(caps & (uint64_t{1} << i))) continue;
        if (!out.empty()) out += ' ';
        out += k_cap_names[i];
    }
}

filter::field_table::factory caps_field(uint64_t thread_info::*set) {
    return simple([set, buf = std::string()](const event_context& c, value_list& out) mutable {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        buf.clear();
        append_caps(buf, t->*set);
        out.push_back(value_view::text(buf));
        return true;
    });
}

// Cgroups are stored as NUL-separated "subsys=path" entries, subsystems as the driver names them;
// the argument is matched against the name /proc shows (thread.cgroup[blkio] for the kernel's "io").
filter::field_table::factory cgroup_field() {
    return [](const std::optional<std::string>& arg, field_descriptor&, std::string&) {
        const std::string subsys = *arg;
        auto f = [subsys, name = std::string()](const event_context& c, value_list& out) mutable {
            const thread_info* t = c.evt->thread;
            if (!t) return false;
            std::string_view all = c.insp->str(t->cgroups);
            while (!all.empty()) {
                const size_t nul = all.find('\0');
                const std::string_view item = all.substr(0, nul);
                const size_t eq = item.find('=');
                if (eq != std::string_view::npos) {
                    name.clear();
                    append_cgroup_subsys(name, item.substr(0, eq));
                    if (name == subsys) {
                        out.push_back(value_view::text(item.substr(eq + 1)));
                        return true;
                    }
                }
                if (nul == std::string_view::npos) break;
                all.remove_prefix(nul + 1);
            }
            return false;
        };
        return std::unique_ptr<field_extractor>(
            std::make_unique<lambda_extractor<decltype(f)>>(std::move(f)));
    };
}

}  // namespace

void add_thread_detail_fields(filter::field_table& t) {
    t.add(
        describe("thread.cap_permitted", PT_CHARBUF, "Permitted capabilities of the thread, by name.", 0, 20),
        caps_field(&thread_info::cap_permitted));
    t.add(describe("thread.cap_inheritable", PT_CHARBUF, "Inheritable capabilities of the thread, by name.",
                   0, 20),
          caps_field(&thread_info::cap_inheritable));
    t.add(
        describe("thread.cap_effective", PT_CHARBUF, "Effective capabilities of the thread, by name.", 0, 20),
        caps_field(&thread_info::cap_effective));
    t.add(describe("thread.cgroups", PT_CHARBUF,
                   "Every cgroup of the thread as subsys=path, space separated.", 0, 20),
          simple([buf = std::string()](const event_context& c, value_list& out) mutable {
              const thread_info* th = c.evt->thread;
              if (!th) return false;
              buf.clear();
              append_cgroups(buf, c.insp->str(th->cgroups));
              if (buf.empty()) return false;  // no cgroups known: absent, as in the reference
              out.push_back(value_view::text(buf));
              return true;
          }));
    t.add(describe("thread.cgroup", PT_CHARBUF,
                   "The thread's cgroup path for one subsystem: thread.cgroup.cpuset.",
                   filter::FIELD_ARG_REQUIRED, 10),
          cgroup_field());
}

}  // namespace sinsp::fields
