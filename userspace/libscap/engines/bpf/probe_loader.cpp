#include "engines/bpf/probe_loader.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <map>

#include "engines/bpf/filler_route.h"
#include "engines/bpf/probe_file.h"
#include "engines/shared/bpf_counters.h"
#include "engines/modern_bpf/host_probe.h"
#include "shared/abi.h"

namespace scap::bpf {
namespace {

std::string errno_text(int err) {
    return std::strerror(err < 0 ? -err : err);
}

uint64_t boot_to_epoch_ns() {
    timespec rt{}, bt{};
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    const auto ns = [](const timespec& t) {
        return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + t.tv_nsec;
    };
    return ns(rt) - ns(bt);
}

bool is_tracepoint_sc(uint32_t sc) {
    return sc == PPM_SC_SCHED_PROCESS_EXIT || sc == PPM_SC_SCHED_SWITCH || sc == PPM_SC_PAGE_FAULT_USER ||
           sc == PPM_SC_PAGE_FAULT_KERNEL || sc == PPM_SC_SIGNAL_DELIVER;
}

// libbpf's warnings with SCAP_BPF_VERBOSE=1; =tail keeps only the end of each message: a verifier
// log runs to hundreds of MB, its verdict is in the last lines (what a slow serial console needs).
int quiet_print(enum libbpf_print_level level, const char* fmt, va_list ap) {
    const char* verbose = std::getenv("SCAP_BPF_VERBOSE");
    if (level != LIBBPF_WARN || !verbose) return 0;
    if (std::strcmp(verbose, "tail") != 0) return vfprintf(stderr, fmt, ap);
    static char msg[1 << 24];
    const int n = vsnprintf(msg, sizeof msg, fmt, ap);
    if (n <= 0) return n;
    const size_t len = std::min(static_cast<size_t>(n), sizeof msg - 1);
    const size_t keep = 6000;
    return std::fprintf(stderr, "%s%s", len > keep ? "[...]\n" : "", msg + (len > keep ? len - keep : 0));
}

struct var_slot {
    uint32_t offset;
    uint32_t size;
};

// Offsets of the variables of data section `sec` (".rodata", ".bss") from the object's own BTF
// (the program's types, which clang -g emits; not the kernel's BTF).
std::map<std::string, var_slot> section_vars(bpf_object* obj, const char* sec) {
    std::map<std::string, var_slot> out;
    const btf* b = bpf_object__btf(obj);
    if (!b) return out;
    const int id = btf__find_by_name_kind(b, sec, BTF_KIND_DATASEC);
    if (id <= 0) return out;
    const btf_type* t = btf__type_by_id(b, id);
    const btf_var_secinfo* vi = btf_var_secinfos(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i, ++vi) {
        const btf_type* var = btf__type_by_id(b, vi->type);
        if (!var) continue;
        out[btf__name_by_offset(b, var->name_off)] = var_slot{vi->offset, vi->size};
    }
    return out;
}

// The object's internal map for data section `suffix` (libbpf names it "<object prefix>.rodata").
bpf_map* internal_map(bpf_object* obj, const char* suffix) {
    bpf_map* m;
    bpf_object__for_each_map(m, obj) {
        const std::string name = bpf_map__name(m);
        if (name.size() >= std::strlen(suffix) &&
            name.compare(name.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
            return m;
    }
    return nullptr;
}

}  // namespace

probe_loader::~probe_loader() {
    detach();
    if (m_obj) bpf_object__close(m_obj);
}

bpf_map* probe_loader::map(const char* name, std::string& error) const {
    bpf_map* m = bpf_object__find_map_by_name(m_obj, name);
    if (!m)
        error =
            std::string("the probe has no map '") + name + "' (built from another version of driver/bpf?)";
    return m;
}

bool probe_loader::configure(std::string& error) {
    bpf_map* ro = internal_map(m_obj, ".rodata");
    if (!ro) return error = "the probe has no .rodata section (not a scap legacy probe)", false;
    size_t ro_size = 0;
    const auto* initial = static_cast<const uint8_t*>(bpf_map__initial_value(ro, &ro_size));
    if (!initial) return error = "cannot access the probe's read-only data", false;
    // Edited as a copy and handed back whole (libbpf's own copy is read-only to callers).
    std::vector<uint8_t> ro_copy(initial, initial + ro_size);
    uint8_t* ro_data = ro_copy.data();
    const auto vars = section_vars(m_obj, ".rodata");
    // Every setting is checked against the size this engine writes: a probe of another ABI is
    // refused instead of getting values at the wrong places.
    const auto put = [&](const char* name, const void* value, size_t size) {
        auto it = vars.find(name);
        if (it == vars.end() || it->second.size != size || uint64_t{it->second.offset} + size > ro_size) {
            error = std::string("the probe's setting '") + name +
                    "' is missing or has another size (probe of another version?)";
            return false;
        }
        std::memcpy(ro_data + it->second.offset, value, size);
        return true;
    };
    const uint64_t epoch = boot_to_epoch_ns();
    const uint32_t snaplen = m_opts.snaplen, one = 1;
    if (!put("boot_to_epoch_ns", &epoch, sizeof epoch) || !put("snaplen", &snaplen, sizeof snaplen) ||
        !put("cpus_per_buffer", &one, sizeof one) || !put("n_buffers", &one, sizeof one) ||
        !put("ppm_o_f_created", &m_tables.o_f_created, sizeof m_tables.o_f_created) ||
        !put("fill_specs", m_tables.specs.data(), sizeof(mbpf_fill_spec) * m_tables.specs.size()) ||
        !put("conv_rules", &m_tables.conv[0][0], sizeof m_tables.conv) ||
        !put("sockopt_kinds", m_tables.sockopt_kinds, sizeof m_tables.sockopt_kinds))
        return false;
    if (int err = bpf_map__set_initial_value(ro, ro_copy.data(), ro_copy.size()))
        return error = "cannot set the probe's read-only data: " + errno_text(err), false;

    bpf_map* scratch = map("scratch", error);
    if (!scratch) return false;
    bpf_map__set_max_entries(scratch, m_ncpus);
    const auto bss = section_vars(m_obj, ".bss");
    auto it = bss.find("ignored_tgid");
    if (it == bss.end() || it->second.size != sizeof(uint32_t))
        return error = "the probe has no 'ignored_tgid' switch (probe of another version?)", false;
    m_ignored_off = it->second.offset;
    return true;
}

bool probe_loader::load(const bpf_options& opts, perf_rings& rings, std::string& error) {
    m_opts = opts;
    libbpf_set_print(quiet_print);
    // RLIMIT_MEMLOCK is never raised here. libbpf 1.x raises it itself only on kernels that still
    // charge BPF memory to it (before 5.11); Debian's libbpf 1.1 does not export the call that
    // would turn that off (libbpf_set_memlock_rlim), see proposal 0010.
    if (opts.probe_path.empty())
        return error =
                   "no probe object given: build one with driver/bpf/build.sh and pass its path (scap-open "
                   "--bpf PATH.o)",
               false;
    utsname u{};
    uname(&u);
    if (!check_probe_kernel(opts.probe_path, u.release, error)) return false;
    if (!drivers::build_driver_tables(m_tables, error)) return false;
    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0) return error = "cannot count possible CPUs: " + errno_text(ncpus), false;
    m_ncpus = static_cast<uint32_t>(ncpus);

    m_obj = bpf_object__open_file(opts.probe_path.c_str(), nullptr);
    if (!m_obj) return error = "cannot open the probe " + opts.probe_path + ": " + errno_text(errno), false;
    if (!configure(error)) return false;
    // SCAP_BPF_VERBOSE=stats: the verifier's messages without its per-instruction trace (log level 4),
    // small enough to read the reason of a refusal whatever the program's size.
    const char* verbose = std::getenv("SCAP_BPF_VERBOSE");
    std::vector<std::vector<char>> logs;
    if (verbose && std::strcmp(verbose, "stats") == 0) {
        bpf_program* p;
        bpf_object__for_each_program(p, m_obj) {
            logs.emplace_back(1 << 20, '\0');
            bpf_program__set_log_buf(p, logs.back().data(), logs.back().size());
            bpf_program__set_log_level(p, 4);
        }
    }
    if (int err = bpf_object__load(m_obj)) {
        size_t i = 0;
        bpf_program* p;
        bpf_object__for_each_program(p, m_obj) {
            if (i < logs.size() && logs[i][0])
                std::fprintf(stderr, "verifier (%s):\n%s\n", bpf_program__name(p), logs[i].data());
            ++i;
        }
        error = "cannot load the probe " + opts.probe_path + ": " + errno_text(err);
        if (err == -EPERM)
            error +=
                " (no CAP_BPF/CAP_SYS_ADMIN, or a kernel before 5.11 that charges BPF memory to "
                "RLIMIT_MEMLOCK: "
                "the engine does not raise it, raise it for this process with ulimit -l)";
        return error += " (set SCAP_BPF_VERBOSE=1 for the verifier log)", false;
    }
    bpf_map* bss = internal_map(m_obj, ".bss");
    if (!bss) return error = "the probe has no .bss section", false;
    m_bss_fd = bpf_map__fd(bss);
    m_bss_size = bpf_map__value_size(bss);
    bpf_map* perf = map("perf_buffers", error);
    if (!perf || !rings.open(bpf_map__fd(perf), opts.buffer_bytes, error)) return false;
    return fill_maps(error);
}

bool probe_loader::fill_maps(std::string& error) {
    bpf_map* table = map("syscall_table", error);
    bpf_map* progs = map("exit_programs", error);
    bpf_map* tp = map("tp_enabled", error);
    if (!table || !progs || !tp) return false;
    for (uint32_t nr = 0; nr < MBPF_SYSCALL_SLOTS; ++nr) {
        mbpf_syscall_entry e = drivers::syscall_entry(m_tables, nr);
        if (bpf_map_update_elem(bpf_map__fd(table), &nr, &e, BPF_ANY) != 0)
            return error = "cannot fill the syscall table: " + errno_text(errno), false;
    }
    // Every event goes to the table filler built for its row's source families (fillers.def).
    uint32_t nfillers = 0;
    const filler_info* fl = fillers(nfillers);
    std::vector<int> filler_fds(nfillers, -1);
    for (uint32_t code = 0; code < PPM_EVENT_MAX; ++code) {
        if (!m_tables.has_row[code]) continue;
        std::string why;
        const int f = filler_for(m_tables.specs[code], why);
        if (f < 0) return error = "event " + std::to_string(code) + ": " + why, false;
        if (filler_fds[f] < 0) {
            const std::string name = std::string("sys_exit_table_") + fl[f].name;
            bpf_program* p = bpf_object__find_program_by_name(m_obj, name.c_str());
            if (!p)
                return error = "the probe has no " + name + " program (built from another fillers.def?)",
                       false;
            filler_fds[f] = bpf_program__fd(p);
        }
        if (bpf_map_update_elem(bpf_map__fd(progs), &code, &filler_fds[f], BPF_ANY) != 0)
            return error = "cannot fill the exit program table: " + errno_text(errno), false;
    }
    uint32_t bits = 0;
    if (m_opts.proc_exit) bits |= MBPF_TP_PROC_EXIT;
    if (m_opts.sched_switch) bits |= MBPF_TP_SCHED_SWITCH;
    if (m_opts.page_faults) bits |= MBPF_TP_PAGE_FAULT;
    if (m_opts.signal_deliver) bits |= MBPF_TP_SIGNAL_DELIVER;
    const uint32_t zero = 0;
    if (bpf_map_update_elem(bpf_map__fd(tp), &zero, &bits, BPF_ANY) != 0)
        return error = "cannot set the tracepoint switches: " + errno_text(errno), false;
    return set_selection(m_opts.ppm_sc_selected, error);
}

bool probe_loader::set_selection(const std::vector<bool>& sel, std::string& error) {
    bpf_map* m = map("sc_selected", error);
    if (!m) return false;
    for (uint32_t sc = 0; sc < PPM_SC_MAX; ++sc) {
        const uint8_t on = sel.empty() || is_tracepoint_sc(sc) || (sc < sel.size() && sel[sc]) ? 1 : 0;
        if (bpf_map_update_elem(bpf_map__fd(m), &sc, &on, BPF_ANY) != 0)
            return error = "cannot update the syscall selection: " + errno_text(errno), false;
    }
    return true;
}

bool probe_loader::attach(std::string& error) {
    if (!m_links.empty()) return true;
    struct {
        const char* prog;
        const char* tracepoint;
        bool wanted;
    } table[] = {
        // Entry and exec/fork hooks before the exit hook: no TOCTOU exit without its entry.
        {"sys_enter_toctou", "sys_enter", true},
        {"exec_filename", "sched_process_exec", true},
        {"clone3_flags_at_fork", "sched_process_fork", true},
        {"sys_exit_dispatch", "sys_exit", true},
        {"proc_exit", "sched_process_exit", m_opts.proc_exit},
        {"signal_deliver", "signal_deliver", m_opts.signal_deliver},
        {"sched_switch", "sched_switch", m_opts.sched_switch},
        {"page_fault_user", "page_fault_user", m_opts.page_faults},
    };
    for (const auto& t : table) {
        if (!t.wanted) continue;
        bpf_program* p = bpf_object__find_program_by_name(m_obj, t.prog);
        if (!p) return detach(), error = std::string("the probe has no program ") + t.prog, false;
        bpf_link* l = bpf_program__attach_raw_tracepoint(p, t.tracepoint);
        if (!l) {
            const int err = errno;
            detach();
            return error = std::string("cannot attach ") + t.prog + " to raw tracepoint " + t.tracepoint +
                           ": " + errno_text(err),
                   false;
        }
        m_links.push_back(l);
    }
    return true;
}

void probe_loader::detach() {
    for (bpf_link* l : m_links) bpf_link__destroy(l);
    m_links.clear();
}

void probe_loader::ignore_process(uint32_t tgid) {
    if (m_bss_fd < 0 || m_bss_size == 0 || m_bss_size > 4096 || uint64_t{m_ignored_off} + 4 > m_bss_size)
        return;
    uint8_t value[4096];
    const uint32_t zero = 0;
    if (bpf_map_lookup_elem(m_bss_fd, &zero, value) != 0) return;
    std::memcpy(value + m_ignored_off, &tgid, sizeof tgid);
    bpf_map_update_elem(m_bss_fd, &zero, value, BPF_ANY);
}

void probe_loader::report(engine_report& out) const {
    out.ring_buffer_bytes = m_opts.buffer_bytes;
    out.cpus_for_each_buffer = 1;
    if (!m_obj) return;
    bpf_program* prog;
    bpf_object__for_each_program(prog, m_obj) {
        const int fd = bpf_program__fd(prog);
        bpf_program_report r;
        if (fd < 0 || !modern_bpf::program_report(fd, r)) continue;
        r.name = bpf_program__name(prog);
        out.programs.push_back(std::move(r));
    }
}

void probe_loader::read_stats(engine_stats& out) const {
    if (!m_obj) return;
    bpf_map* m = bpf_object__find_map_by_name(m_obj, "counters");
    if (!m) return;
    std::vector<mbpf_counters> per_cpu(m_ncpus);
    const uint32_t zero = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(m), &zero, per_cpu.data()) != 0) return;
    drivers::report_bpf_counters(per_cpu, out);
}

}  // namespace scap::bpf
