#include "engines/modern_bpf/driver.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "engines/modern_bpf/host_probe.h"
#include "engines/shared/bpf_counters.h"
#include "engines/shared/prefilter_table.h"
#include "modern_bpf.skel.h"

namespace scap::modern_bpf {
namespace {

template <typename T>
T& writable(const volatile T& v) {
    return const_cast<T&>(v);
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

std::string errno_text(int err) {
    return std::strerror(err < 0 ? -err : err);
}

// Tracepoint programs (the TOCTOU entry hooks) need tracefs; mount it where it belongs if no
// one has.
bool ensure_tracefs() {
    if (access("/sys/kernel/tracing/events/syscalls", F_OK) == 0) return true;
    if (access("/sys/kernel/debug/tracing/events/syscalls", F_OK) == 0) return true;
    if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0) return false;
    return access("/sys/kernel/tracing/events/syscalls", F_OK) == 0;
}

// Syscalls and tracepoints that are not syscalls but have a ppm_sc code: always "selected"; their
// own switches decide (the engine contract delivers non-syscall events whatever the selection).
bool is_tracepoint_sc(uint32_t sc) {
    return sc == PPM_SC_SCHED_PROCESS_EXIT || sc == PPM_SC_SCHED_SWITCH || sc == PPM_SC_PAGE_FAULT_USER ||
           sc == PPM_SC_PAGE_FAULT_KERNEL || sc == PPM_SC_SIGNAL_DELIVER;
}

// Whether this kernel refuses fentry programs outright. Some do, before even looking at the
// target (seen here: a locked-down guest, its ftrace files closed too), and learning it from the
// whole object's load would cost that load twice, about 300 ms of start time. A target-less
// program answers in under a millisecond: EPERM is that refusal; any other answer (EINVAL for the
// missing target) lets the real load try.
bool fentry_refused_outright() {
    const bpf_insn return_zero[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    bpf_prog_load_opts o{};
    o.sz = sizeof o;
    o.expected_attach_type = BPF_TRACE_FENTRY;
    const int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "fentry_probe", "GPL", return_zero, 2, &o);
    if (fd >= 0) close(fd);
    return fd < 0 && errno == EPERM;
}

int quiet_print(enum libbpf_print_level level, const char* fmt, va_list ap) {
    if (level == LIBBPF_WARN && std::getenv("SCAP_BPF_VERBOSE")) return vfprintf(stderr, fmt, ap);
    return 0;
}

}  // namespace

driver::~driver() {
    detach();
    discard_object();
    if (m_stats_fd >= 0) close(m_stats_fd);
}

bool driver::configure(const modern_bpf_options& opts, std::string& error) {
    const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    if (opts.buffer_bytes < page || (opts.buffer_bytes & (opts.buffer_bytes - 1)) != 0)
        return error = "buffer size must be a power of two of at least one page", false;
    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0) return error = "cannot count possible CPUs: " + errno_text(ncpus), false;
    m_ncpus = static_cast<uint32_t>(ncpus);
    const uint32_t per = opts.cpus_for_each_buffer == 0 ? m_ncpus : opts.cpus_for_each_buffer;
    const uint32_t nbuf = (m_ncpus + per - 1) / per;

    auto* ro = m_skel->rodata;
    writable(ro->boot_to_epoch_ns) = boot_to_epoch_ns();
    writable(ro->snaplen) = opts.snaplen;
    writable(ro->cpus_per_buffer) = per;
    writable(ro->n_buffers) = nbuf;
    // A quarter full: early enough that the reader drains well before drops, late enough that
    // a busy producer wakes it rarely (it also polls every k_wait_ms).
    writable(ro->wakeup_bytes) = opts.buffer_bytes / 4;
    writable(ro->ppm_o_f_created) = m_tables.o_f_created;
    std::memcpy(const_cast<mbpf_fill_spec*>(ro->fill_specs), m_tables.specs.data(),
                sizeof(mbpf_fill_spec) * m_tables.specs.size());
    // The fast path's I/O record class holds MBPF_FAST_DATA bytes of data: a larger snaplen
    // sends those rows through the generic filler.
    if (opts.snaplen > MBPF_FAST_DATA)
        for (size_t i = 0; i < m_tables.specs.size(); ++i)
            if (ro->fill_specs[i].fast == MBPF_FAST_ROW_IO) writable(ro->fill_specs[i].fast) = 0;
    std::memcpy(const_cast<uint8_t*>(ro->sockopt_kinds), m_tables.sockopt_kinds,
                sizeof m_tables.sockopt_kinds);
    std::memcpy(const_cast<mbpf_conv_rule*>(&ro->conv_rules[0][0]), &m_tables.conv[0][0],
                sizeof m_tables.conv);

    bpf_map__set_max_entries(m_skel->maps.scratch, m_ncpus);
    bpf_map__set_max_entries(m_skel->maps.ringbufs, nbuf);
    // The ring buffers are created here; the first one is the outer map's template (the kernel
    // only accepts inner maps of the template's size).
    for (uint32_t i = 0; i < nbuf; ++i) {
        int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "scap_ring", 0, 0,
                                static_cast<uint32_t>(opts.buffer_bytes), nullptr);
        if (fd < 0) return error = "cannot create ring buffer: " + errno_text(errno), false;
        m_ring_fds.push_back(fd);
    }
    if (int err = bpf_map__set_inner_map_fd(m_skel->maps.ringbufs, m_ring_fds[0]))
        return error = "cannot set the ring buffer template: " + errno_text(err), false;
    // Programs are attached by hand (attach()): the table filler is only a tail-call target.
    return true;
}

std::vector<driver::entry_hook> driver::entry_hooks() const {
    const auto& p = m_skel->progs;
    return {{p.fentry_open, p.enter_open, "open"},
            {p.fentry_openat, p.enter_openat, "openat"},
            {p.fentry_openat2, p.enter_openat2, "openat2"},
            {p.fentry_creat, p.enter_creat, "creat"},
            {p.fentry_connect, p.enter_connect, "connect"},
            {p.fentry_execve, p.enter_execve, "execve"},
            {p.fentry_execveat, p.enter_execveat, "execveat"}};
}

void driver::choose_entry_hooks(bool fentry) {
    for (const entry_hook& h : entry_hooks()) {
        bpf_program__set_autoload(h.fentry, fentry);
        bpf_program__set_autoload(h.tracepoint, !fentry);
        if (fentry)
            bpf_program__set_attach_target(h.fentry, 0, (std::string("__x64_sys_") + h.syscall).c_str());
    }
}

void driver::discard_object() {
    if (m_skel) modern_bpf__destroy(m_skel);
    m_skel = nullptr;
    for (int fd : m_ring_fds) close(fd);
    m_ring_fds.clear();
}

bool driver::open_and_load(const modern_bpf_options& opts, bool fentry, std::string& error) {
    m_skel = modern_bpf__open();
    if (!m_skel) return error = "cannot open the BPF object: " + errno_text(errno), false;
    if (!configure(opts, error)) return false;
    choose_entry_hooks(fentry);
    if (int err = modern_bpf__load(m_skel))
        return error = "cannot load the BPF programs (set SCAP_BPF_VERBOSE=1 for the verifier log): " +
                       errno_text(err),
               false;
    return true;
}

bool driver::load(const modern_bpf_options& opts, ring_reader& rings, std::string& error) {
    m_opts = opts;
    libbpf_set_print(quiet_print);
    if (!drivers::build_driver_tables(m_tables, error)) return false;
    static_assert(sizeof(m_skel->rodata->fill_specs) / sizeof(mbpf_fill_spec) == PPM_EVENT_MAX,
                  "the driver's event table must match the schema");
    // x86_64 has every function the fentry hooks name since before ring buffers (5.8), so a
    // failed load with them means fentry itself is refused (no trampolines): load once more
    // with the tracepoints. Errors of that second load are the ones reported.
    m_entry_fentry = opts.entry_hooks_fentry && !fentry_refused_outright();
    if (!open_and_load(opts, m_entry_fentry, error)) {
        if (!m_entry_fentry) return false;
        // Not a note: the tracepoints protect the same syscalls, only at a higher cost. The
        // engine report's program list says which kind runs.
        discard_object();
        m_entry_fentry = false;
        if (!open_and_load(opts, false, error)) return false;
    }

    const uint32_t nbuf = m_skel->rodata->n_buffers;
    for (uint32_t i = 0; i < nbuf; ++i) {
        const int fd = m_ring_fds[i];
        if (bpf_map_update_elem(bpf_map__fd(m_skel->maps.ringbufs), &i, &fd, BPF_ANY) != 0)
            return error = "cannot install ring buffer: " + errno_text(errno), false;
        if (!rings.add(fd, opts.buffer_bytes, error)) return false;
    }
    if (opts.program_stats) m_stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);  // best effort
    return fill_maps(error);
}

bool driver::fill_maps(std::string& error) {
    const int table_fd = bpf_map__fd(m_skel->maps.syscall_table);
    for (uint32_t nr = 0; nr < MBPF_SYSCALL_SLOTS; ++nr) {
        mbpf_syscall_entry e = drivers::syscall_entry(m_tables, nr);
        if (bpf_map_update_elem(table_fd, &nr, &e, BPF_ANY) != 0)
            return error = "cannot fill the syscall table: " + errno_text(errno), false;
    }
    const int progs_fd = bpf_map__fd(m_skel->maps.exit_programs);
    const int filler_fd = bpf_program__fd(m_skel->progs.sys_exit_table);
    for (uint32_t code = 0; code < PPM_EVENT_MAX; ++code) {
        if (!m_tables.has_row[code]) continue;
        if (bpf_map_update_elem(progs_fd, &code, &filler_fd, BPF_ANY) != 0)
            return error = "cannot fill the exit program table: " + errno_text(errno), false;
    }
    uint32_t bits = 0;
    if (m_opts.proc_exit) bits |= MBPF_TP_PROC_EXIT;
    if (m_opts.sched_switch) bits |= MBPF_TP_SCHED_SWITCH;
    if (m_opts.page_faults) bits |= MBPF_TP_PAGE_FAULT;
    if (m_opts.signal_deliver) bits |= MBPF_TP_SIGNAL_DELIVER;
    const uint32_t zero = 0;
    if (bpf_map_update_elem(bpf_map__fd(m_skel->maps.tp_enabled), &zero, &bits, BPF_ANY) != 0)
        return error = "cannot set the tracepoint switches: " + errno_text(errno), false;
    if (!set_prefilter(m_opts.pre_filter, error)) return false;
    return set_selection(m_opts.ppm_sc_selected, error);
}

bool driver::set_prefilter(const prefilter& pf, std::string& error) {
    if (!m_skel) return error = "the driver is not loaded", false;
    auto* bss = m_skel->bss;
    // Off while the table changes, so no event is judged by a half-written set of entries.
    __atomic_store_n(&bss->prefilter_on, 0, __ATOMIC_RELEASE);
    m_prefilter = pf;
    const int fd = bpf_map__fd(m_skel->maps.prefilter);
    bool any = false;
    for (uint32_t code = 0; code < PPM_EVENT_MAX; ++code) {
        const prefilter_rule* rule = pf.rule(static_cast<uint16_t>(code));
        prefilter_rule accept_all;
        mbpf_prefilter e =
            drivers::prefilter_entry(m_tables, static_cast<uint16_t>(code), rule ? *rule : accept_all);
        // Without rename tracking a renamed thread would be judged by a comm userspace does not
        // know: comm conditions are left out.
        if (!m_rename_tracked && e.n_comm) {
            e.n_comm = 0;
            if (!(e.flags & (MBPF_PF_RET | MBPF_PF_NEVER)) && !e.n_tid && !e.n_pid) e.flags = 0;
        }
        any = any || e.flags != 0;
        if (bpf_map_update_elem(fd, &code, &e, BPF_ANY) != 0)
            return error = "cannot fill the pre-filter table: " + errno_text(errno), false;
    }
    __atomic_store_n(&bss->prefilter_on, any ? 1u : 0u, __ATOMIC_RELEASE);
    return true;
}

bool driver::set_selection(const std::vector<bool>& sel, std::string& error) {
    const int fd = bpf_map__fd(m_skel->maps.sc_selected);
    for (uint32_t sc = 0; sc < PPM_SC_MAX; ++sc) {
        const uint8_t on = sel.empty() || is_tracepoint_sc(sc) || (sc < sel.size() && sel[sc]) ? 1 : 0;
        if (bpf_map_update_elem(fd, &sc, &on, BPF_ANY) != 0)
            return error = "cannot update the syscall selection: " + errno_text(errno), false;
    }
    return true;
}

bool driver::attach_toctou() {
    if (!m_entry_fentry && !ensure_tracefs()) return false;
    // Each on its own: a kernel without one of these syscalls has no tracepoint or function for
    // it, and the others still protect theirs.
    for (const entry_hook& h : entry_hooks()) {
        bpf_program* p = m_entry_fentry ? h.fentry : h.tracepoint;
        bpf_link* l = bpf_program__attach(p);
        if (!l) {
            m_notes.push_back(std::string("syscall entry hook ") + bpf_program__name(p) + " cannot attach (" +
                              errno_text(errno) + "): " + h.syscall + "'s arguments are read at exit");
            continue;
        }
        m_links.push_back(l);
    }
    return true;
}

bool driver::attach(std::string& error) {
    if (!m_links.empty()) return true;
    // Entry hooks first, so no exit of a TOCTOU syscall is seen without its saved arguments.
    if (!attach_toctou()) {
        detach();
        m_notes.push_back(
            "syscall entry tracepoints unavailable (tracefs): TOCTOU syscall arguments are read at exit");
    }
    // Before the exit hook, so no rename goes unseen while comm conditions are checked.
    if (bpf_link* l = bpf_program__attach(m_skel->progs.task_renamed)) {
        m_links.push_back(l);
    } else {
        m_rename_tracked = false;
        m_notes.push_back("task_rename tracepoint unavailable: the pre-filter does not check comm");
        const prefilter keep = m_prefilter;
        if (!set_prefilter(keep, error)) return detach(), false;
    }
    struct {
        bpf_program* prog;
        bool wanted;
    } progs[] = {
        {m_skel->progs.exec_filename, true},         // before the exit hook: see toctou_enter.h
        {m_skel->progs.clone3_flags_at_fork, true},  // same: see tracepoints.h
        {m_skel->progs.sys_exit_dispatch, true},
        {m_skel->progs.proc_exit, m_opts.proc_exit},
        {m_skel->progs.signal_deliver, m_opts.signal_deliver},
        {m_skel->progs.sched_switch, m_opts.sched_switch},
        {m_skel->progs.page_fault_user, m_opts.page_faults},
    };
    for (auto& p : progs) {
        if (!p.wanted) continue;
        bpf_link* l = bpf_program__attach(p.prog);
        if (!l) {
            const int err = errno;
            detach();
            return error = std::string("cannot attach ") + bpf_program__name(p.prog) + ": " + errno_text(err),
                   false;
        }
        m_links.push_back(l);
    }
    return true;
}

void driver::detach() {
    for (bpf_link* l : m_links) bpf_link__destroy(l);
    m_links.clear();
}

void driver::ignore_process(uint32_t tgid) {
    // .bss is mmap'ed by the skeleton: a plain store, seen by the next program run.
    if (m_skel && m_skel->bss) __atomic_store_n(&m_skel->bss->ignored_tgid, tgid, __ATOMIC_RELEASE);
}

void driver::report(engine_report& out) const {
    if (!m_skel) return;
    out.ring_buffers = static_cast<uint32_t>(m_ring_fds.size());
    out.ring_buffer_bytes = m_opts.buffer_bytes;
    out.cpus_for_each_buffer = m_skel->rodata->cpus_per_buffer;
    bpf_program* prog;
    bpf_object__for_each_program(prog, m_skel->obj) {
        const int fd = bpf_program__fd(prog);
        bpf_program_report r;
        if (fd < 0 || !program_report(fd, r)) continue;
        r.name = bpf_program__name(prog);  // the kernel keeps only 15 characters
        out.programs.push_back(std::move(r));
    }
}

void driver::read_stats(engine_stats& out) const {
    if (!m_skel) return;
    std::vector<mbpf_counters> per_cpu(m_ncpus);
    const uint32_t zero = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(m_skel->maps.counters), &zero, per_cpu.data()) == 0)
        drivers::report_bpf_counters(per_cpu, out);
    bpf_program* prog;
    bpf_object__for_each_program(prog, m_skel->obj) {
        const int fd = bpf_program__fd(prog);
        if (fd < 0) continue;
        bpf_prog_info info{};
        uint32_t len = sizeof info;
        if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) continue;
        const std::string name = std::string("prog.") + bpf_program__name(prog);
        out.extra.emplace_back(name + ".run_cnt", info.run_cnt);
        out.extra.emplace_back(name + ".run_time_ns", info.run_time_ns);
        // How much of the verifier's budget (1M instructions) the program took to load.
        out.extra.emplace_back(name + ".verified_insns", info.verified_insns);
    }
}

}  // namespace scap::modern_bpf
