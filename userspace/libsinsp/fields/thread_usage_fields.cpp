// Resource use of processes and threads: memory (proc.vm*, thread.vm*), page faults
// (thread.pf*), CPU from procinfo events (thread.cpu*), run time between context switches
// (thread.exectime, thread.totexectime), and thread.nametid.
//
// The CPU and run-time fields keep state across events, as the reference's do: each bound
// field remembers what it saw (per thread or per CPU), so two filters naming thread.cpu each
// compute their own deltas. The per-thread memories are bounded.
#include <unordered_map>
#include <vector>

#include "fields/field_classes.h"
#include "fields/proc_common.h"

namespace sinsp::fields {

namespace {

constexpr size_t k_max_remembered_threads = 262144;

template <typename T>
void remember(std::unordered_map<int64_t, T>& m, int64_t tid, T v) {
    if (m.size() >= k_max_remembered_threads && m.find(tid) == m.end()) m.clear();
    m[tid] = v;
}

enum class cpu_part { total, user, system };

// procinfo carries the thread's user and system CPU time (in jiffies); the field is the growth
// since the previous procinfo of the same thread, capped at 100 as the reference does.
filter::field_table::factory cpu_field(cpu_part part) {
    return simple([part, last = std::unordered_map<int64_t, uint64_t>()](const event_context& c,
                                                                         value_list& out) mutable {
        const thread_info* t = c.evt->thread;
        if (!t || c.evt->type() != PPME_PROCINFO_E || c.evt->view.nparams() < 2) return false;
        const uint64_t user = part != cpu_part::system ? c.evt->view.param(0).as<uint64_t>() : 0;
        const uint64_t sys = part != cpu_part::user ? c.evt->view.param(1).as<uint64_t>() : 0;
        const uint64_t now = user + sys;
        double v = 0;
        const auto it = last.find(t->tid);
        if (it != last.end() && it->second != 0) {
            v = static_cast<double>(now - it->second);
            if (v > 100) v = 100;
        }
        remember(last, t->tid, now);
        out.push_back(value_view::real(v));
        return true;
    });
}

// Nanoseconds since the previous context switch on the event's CPU, for switch events; 0 for
// the rest.
struct switch_clock {
    std::vector<uint64_t> last;
    uint64_t run_time(const event& e) {
        if (e.type() != PPME_SCHEDSWITCH_6_E) return 0;
        if (last.size() <= e.cpu) last.resize(e.cpu + 1u, 0);
        uint64_t& prev = last[e.cpu];
        const uint64_t r = prev != 0 ? e.ts() - prev : 0;
        prev = e.ts();
        return r;
    }
};

void add_memory_fields(filter::field_table& t) {
    static const struct {
        const char* name;
        uint32_t thread_info::*kb;
        const char* what;
    } proc_mem[] = {
        {"proc.vmsize", &thread_info::vmsize_kb, "Total virtual memory of the process, in KB."},
        {"proc.vmrss", &thread_info::vmrss_kb, "Resident memory of the process, in KB."},
        {"proc.vmswap", &thread_info::vmswap_kb, "Swapped memory of the process, in KB."},
    };
    for (const auto& d : proc_mem) {
        const auto kb = d.kb;
        t.add(describe(d.name, PT_UINT64, d.what, 0, 1),
              thread_uint([kb](const event_context&, const thread_info& th) -> std::optional<uint64_t> {
                  return th.*kb;
              }));
    }
    // The thread.* forms count the memory once per process: on its main thread.
    static const struct {
        const char* name;
        uint32_t thread_info::*kb;
        uint64_t unit;
        const char* what;
    } thread_mem[] = {
        {"thread.vmsize", &thread_info::vmsize_kb, 1,
         "Virtual memory of the process in KB on its main thread, 0 on the others."},
        {"thread.vmrss", &thread_info::vmrss_kb, 1,
         "Resident memory of the process in KB on its main thread, 0 on the others."},
        {"thread.vmsize.b", &thread_info::vmsize_kb, 1024, "thread.vmsize in bytes."},
        {"thread.vmrss.b", &thread_info::vmrss_kb, 1024, "thread.vmrss in bytes."},
    };
    for (const auto& d : thread_mem) {
        const auto kb = d.kb;
        const uint64_t unit = d.unit;
        t.add(describe(d.name, PT_UINT64, d.what, 0, 1),
              thread_uint([kb, unit](const event_context&, const thread_info& th) -> std::optional<uint64_t> {
                  return th.is_main_thread() ? uint64_t{th.*kb} * unit : 0;
              }));
    }
    t.add(describe("thread.pfmajor", PT_UINT64, "Major page faults of the thread since it started.", 0, 1),
          thread_uint([](const event_context&, const thread_info& th) -> std::optional<uint64_t> {
              return th.pfmajor;
          }));
    t.add(describe("thread.pfminor", PT_UINT64, "Minor page faults of the thread since it started.", 0, 1),
          thread_uint([](const event_context&, const thread_info& th) -> std::optional<uint64_t> {
              return th.pfminor;
          }));
}

void add_cpu_fields(filter::field_table& t) {
    t.add(describe("thread.cpu", PT_DOUBLE,
                   "CPU the thread used since its previous procinfo event (procinfo events).", 0, 20),
          cpu_field(cpu_part::total));
    t.add(describe("thread.cpu.user", PT_DOUBLE,
                   "User CPU the thread used since its previous procinfo event.", 0, 20),
          cpu_field(cpu_part::user));
    t.add(describe("thread.cpu.system", PT_DOUBLE,
                   "System CPU the thread used since its previous procinfo event.", 0, 20),
          cpu_field(cpu_part::system));
    t.add(
        describe("thread.exectime", PT_RELTIME,
                 "On switch events, nanoseconds the CPU ran the previous thread since the previous switch; 0 "
                 "on other events.",
                 0, 5),
        // Every event has one, with or without a known thread (a switch away from a thread the
        // state does not know still ends a run on its CPU), as in the reference.
        simple([clock = switch_clock()](const event_context& c, value_list& out) mutable {
            out.push_back(value_view::number(clock.run_time(*c.evt)));
            return true;
        }));
    t.add(describe("thread.totexectime", PT_RELTIME,
                   "Sum of thread.exectime over the thread's events so far.", 0, 20),
          simple([clock = switch_clock(), totals = std::unordered_map<int64_t, uint64_t>()](
                     const event_context& c, value_list& out) mutable {
              const thread_info* th = c.evt->thread;
              const uint64_t run = clock.run_time(*c.evt);
              if (!th) return false;
              const auto it = totals.find(th->tid);
              const uint64_t total = (it == totals.end() ? 0 : it->second) + run;
              remember(totals, th->tid, total);
              out.push_back(value_view::number(total));
              return true;
          }));
    t.add(describe("thread.nametid", PT_CHARBUF, "The thread's name followed by its id (bash1234).", 0, 10),
          thread_text([](const event_context& c, const thread_info& th, std::string& b) {
              b.append(c.insp->str(th.comm)).append(std::to_string(c.evt->tid()));
              return true;
          }));
}

}  // namespace

void add_thread_usage_fields(filter::field_table& t) {
    add_memory_fields(t);
    add_cpu_fields(t);
}

}  // namespace sinsp::fields
