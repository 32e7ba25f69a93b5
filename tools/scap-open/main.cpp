// scap-open: opens one libscap engine, reads events until EOF, N events or SIGINT, and
// reports totals per event type, throughput and engine stats. With --print it prints each
// event; with --quiet only the final summary line is printed (for benchmarking).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "scap/param_format.h"
#include "scap/scap.h"
#include "sinsp/diagnostics_run.h"

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_sigint(int) {
    g_interrupted = 1;
}

struct cli_options {
    scap::open_options open;
    uint64_t max_events = UINT64_MAX;
    double max_seconds = 0;  // 0 = no limit
    bool print = false;
    bool quiet = false;
    bool diagnostics = false;
    bool have_engine = false;
    std::vector<bool> type_selected;  // by event type; empty = all
};

void usage(FILE* out) {
    std::fprintf(
        out,
        "usage: scap-open ENGINE [options]\n"
        "engines:\n"
        "  --scap_file FILE     read a capture file (.scap, gzip or not)\n"
        "  --modern_bpf         live capture with the modern eBPF driver (root)\n"
        "  --kmod               live capture with the kernel module (root; scap_kmod loaded, or "
        "--kmod_path)\n"
        "  --bpf PROBE.o        live capture with the legacy eBPF probe built for this kernel (root;\n"
        "                       driver/bpf/build.sh)\n"
        "live engine options (modern_bpf, kmod and bpf):\n"
        "  --buffer_bytes N     bytes per ring buffer (bpf: per-CPU perf buffer; power of two, default 8 "
        "MiB)\n"
        "  --cpus_for_each_buffer N   CPUs sharing a ring buffer (0 = one buffer)\n"
        "  --snaplen N          I/O bytes copied per event (default 80)\n"
        "  --page_faults, --sched_switch   enable these tracepoints\n"
        "  --no_prog_stats      modern_bpf: no per-program run time (saves two clock reads per run)\n"
        "  --entry_tracepoints  modern_bpf: TOCTOU entry hooks on the syscall entry tracepoints, not\n"
        "                       fentry (the fallback where fentry is refused; for comparisons)\n"
        "  --kmod_path FILE     kmod: load this scap_kmod.ko when the module is not loaded\n"
        "  -e NAME also selects the syscalls producing that event in the kernel\n"
        "options:\n"
        "  -n, --num_events N   stop after N events\n"
        "  -s, --seconds S      stop after S seconds\n"
        "  -p, --print          print every event\n"
        "  -e, --evt_type NAME  only count/print events with this name (repeatable)\n"
        "  --no_convert         deliver events as stored (no conversion of old formats)\n"
        "  -q, --quiet          print only the drops line and the throughput line (events, bytes,\n"
        "                       seconds, events/s, MB/s), for benchmarks\n"
        "  --diagnostics        print the health report as JSON (host, engine, state) and exit;\n"
        "                       reads the given engine for -s seconds (default 1) or -n events,\n"
        "                       the modern eBPF engine when none is given and it can run here\n"
        "  -h, --help\n");
}

// A decimal number, all of `v`: no sign, no trailing text, no overflow. `allow_zero` for the
// options where 0 means something (a single shared buffer).
bool parse_number(const char* v, bool allow_zero, uint64_t& out) {
    if (!std::isdigit(static_cast<unsigned char>(v[0]))) return false;
    errno = 0;
    char* end = nullptr;
    out = std::strtoull(v, &end, 10);
    return *end == '\0' && errno == 0 && (allow_zero || out > 0);
}

// Selects events named `name`, and for live engines the syscalls (ppm_sc) of that name or
// producing those events, so the kernel drops the rest.
bool select_type_by_name(cli_options& o, const char* name) {
    if (o.type_selected.empty()) o.type_selected.assign(PPM_EVENT_MAX, false);
    auto& sc_sel = o.open.modern_bpf.ppm_sc_selected;
    if (sc_sel.empty()) sc_sel.assign(PPM_SC_MAX, false);
    bool found = false;
    for (int t = 0; t < PPM_EVENT_MAX; ++t) {
        if (std::strcmp(scap_event_table[t].name, name) == 0) {
            o.type_selected[t] = true;
            found = true;
        }
    }
    for (int sc = 0; sc < PPM_SC_MAX; ++sc) {
        if (scap_ppm_sc_names[sc] && std::strcmp(scap_ppm_sc_names[sc], name) == 0) {
            sc_sel[sc] = true;
            // A syscall without its own event arrives as a generic "syscall" event.
            o.type_selected[PPME_GENERIC_X] = true;
            found = true;
        }
    }
    for (uint32_t nr = 0; nr < SCAP_SYSCALL_TABLE_SIZE_X86_64; ++nr) {
        const scap_syscall_info& si = scap_syscall_table_x86_64[nr];
        if (si.ppm_sc && si.exit_event != PPME_GENERIC_X && o.type_selected[si.exit_event])
            sc_sel[si.ppm_sc] = true;
    }
    return found;
}

int parse_args(int argc, char** argv, cli_options& o) {
    bool have_engine = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto need_value = [&](const char* what) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "scap-open: %s needs a value\n", what);
                std::exit(2);
            }
            return argv[++i];
        };
        // Reads the option's value as a number no larger than `max`; says why not otherwise.
        uint64_t n = 0;
        auto number = [&](const std::string& flag, bool allow_zero, uint64_t max, uint64_t& out) {
            const char* v = need_value(flag.c_str());
            if (parse_number(v, allow_zero, out) && out <= max) return true;
            std::fprintf(stderr, "scap-open: %s needs a %s number, got '%s'\n", flag.c_str(),
                         allow_zero ? "non-negative" : "positive", v);
            return false;
        };
        if (a == "--scap_file" || a == "-f") {
            o.open.kind = scap::engine_kind::savefile;
            o.open.file.path = need_value("--scap_file");
            have_engine = true;
        } else if (a == "--modern_bpf") {
            o.open.kind = scap::engine_kind::modern_bpf;
            have_engine = true;
        } else if (a == "--bpf") {
            o.open.kind = scap::engine_kind::bpf;
            o.open.bpf.probe_path = need_value("--bpf");
            have_engine = true;
        } else if (a == "--kmod") {
            o.open.kind = scap::engine_kind::kmod;
            have_engine = true;
        } else if (a == "--kmod_path") {
            o.open.kmod.module_path = need_value("--kmod_path");
        } else if (a == "--buffer_bytes") {
            if (!number(a, false, UINT64_MAX, n)) return 2;
            o.open.modern_bpf.buffer_bytes = n;
        } else if (a == "--cpus_for_each_buffer") {
            if (!number(a, true, UINT32_MAX, n)) return 2;
            o.open.modern_bpf.cpus_for_each_buffer = static_cast<uint32_t>(n);
        } else if (a == "--snaplen") {
            if (!number(a, false, UINT32_MAX, n)) return 2;
            o.open.modern_bpf.snaplen = static_cast<uint32_t>(n);
        } else if (a == "--page_faults") {
            o.open.modern_bpf.page_faults = true;
        } else if (a == "--sched_switch") {
            o.open.modern_bpf.sched_switch = true;
        } else if (a == "--no_prog_stats") {
            o.open.modern_bpf.program_stats = false;
        } else if (a == "--entry_tracepoints") {
            o.open.modern_bpf.entry_hooks_fentry = false;
        } else if (a == "-s" || a == "--seconds") {
            const char* v = need_value("--seconds");
            char* end = nullptr;
            o.max_seconds = std::isdigit(static_cast<unsigned char>(v[0])) ? std::strtod(v, &end) : 0;
            if (!end || *end || !(o.max_seconds > 0)) {
                std::fprintf(stderr, "scap-open: %s needs a positive number of seconds, got '%s'\n",
                             a.c_str(), v);
                return 2;
            }
        } else if (a == "-n" || a == "--num_events") {
            if (!number(a, false, UINT64_MAX, n)) return 2;
            o.max_events = n;
        } else if (a == "-p" || a == "--print") {
            o.print = true;
        } else if (a == "-q" || a == "--quiet") {
            o.quiet = true;
        } else if (a == "--no_convert") {
            o.open.file.convert = false;
        } else if (a == "-e" || a == "--evt_type") {
            const char* name = need_value("--evt_type");
            if (!select_type_by_name(o, name)) {
                std::fprintf(stderr, "scap-open: unknown event type '%s'\n", name);
                return 2;
            }
        } else if (a == "--diagnostics") {
            o.diagnostics = true;
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            std::exit(0);
        } else {
            std::fprintf(stderr, "scap-open: unknown option '%s'\n", a.c_str());
            usage(stderr);
            return 2;
        }
    }
    o.have_engine = have_engine;
    if (!have_engine && !o.diagnostics) {
        usage(stderr);
        return 2;
    }
    // The live options are parsed into the modern_bpf set; kmod takes the ones it shares.
    const scap::modern_bpf_options& m = o.open.modern_bpf;
    o.open.kmod.buffer_bytes = m.buffer_bytes;
    o.open.kmod.snaplen = m.snaplen;
    o.open.kmod.ppm_sc_selected = m.ppm_sc_selected;
    o.open.kmod.page_faults = m.page_faults;
    o.open.kmod.sched_switch = m.sched_switch;
    o.open.bpf.buffer_bytes = m.buffer_bytes;
    o.open.bpf.snaplen = m.snaplen;
    o.open.bpf.ppm_sc_selected = m.ppm_sc_selected;
    o.open.bpf.page_faults = m.page_faults;
    o.open.bpf.sched_switch = m.sched_switch;
    return 0;
}

void print_event(uint64_t num, const scap::event_ref& ref, std::string& line) {
    scap::event_view ev = ref.view();
    line.clear();
    char head[160];
    std::snprintf(head, sizeof head, "%lu %lu.%09lu cpu=%u tid=%lu %s ", static_cast<unsigned long>(num),
                  static_cast<unsigned long>(ev.ts() / 1000000000ull),
                  static_cast<unsigned long>(ev.ts() % 1000000000ull), ref.cpu,
                  static_cast<unsigned long>(ev.tid()), ev.info().name);
    line += head;
    scap::append_params(line, ev);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
}

void print_summary(const cli_options& o, const std::vector<uint64_t>& per_type, uint64_t n, uint64_t bytes,
                   double seconds, const scap::engine& eng) {
    const double evps = seconds > 0 ? n / seconds : 0;
    const double mbps = seconds > 0 ? bytes / seconds / 1e6 : 0;
    if (!o.quiet) {
        std::vector<std::pair<uint64_t, int>> rows;
        for (int t = 0; t < PPM_EVENT_MAX; ++t)
            if (per_type[t]) rows.emplace_back(per_type[t], t);
        std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first > b.first; });
        std::printf("--- events per type\n");
        for (auto& [count, t] : rows)
            std::printf("%10lu  %-24s (code %d)\n", static_cast<unsigned long>(count),
                        scap_event_table[t].name, t);
        scap::engine_stats st;
        eng.get_stats(st);
        std::printf("--- engine stats (%.*s)\n", static_cast<int>(eng.name().size()), eng.name().data());
        std::printf(
            "delivered: %lu  drops: %lu (buffer %lu, scratch %lu, page faults %lu, bug %lu)\n",
            static_cast<unsigned long>(st.n_evts), static_cast<unsigned long>(st.n_drops),
            static_cast<unsigned long>(st.n_drops_buffer), static_cast<unsigned long>(st.n_drops_scratch_map),
            static_cast<unsigned long>(st.n_drops_page_faults), static_cast<unsigned long>(st.n_drops_bug));
        for (auto& [name, value] : st.extra)
            std::printf("%s: %lu\n", name.c_str(), static_cast<unsigned long>(value));
    } else {
        // Benchmarks need the drops and the kernel-side cost next to the rate.
        scap::engine_stats st;
        eng.get_stats(st);
        std::printf("drops: %lu (buffer %lu, scratch %lu, bug %lu)", static_cast<unsigned long>(st.n_drops),
                    static_cast<unsigned long>(st.n_drops_buffer),
                    static_cast<unsigned long>(st.n_drops_scratch_map),
                    static_cast<unsigned long>(st.n_drops_bug));
        for (auto& [name, value] : st.extra)
            if (name.find("sys_exit") != std::string::npos || name == "kernel_events")
                std::printf("  %s: %lu", name.c_str(), static_cast<unsigned long>(value));
        std::printf("\n");
    }
    std::printf("events: %lu  bytes: %lu  seconds: %.3f  events/s: %.0f  MB/s: %.1f\n",
                static_cast<unsigned long>(n), static_cast<unsigned long>(bytes), seconds, evps, mbps);
}

}  // namespace

int main(int argc, char** argv) {
    cli_options o;
    if (int rc = parse_args(argc, argv, o)) return rc;
    if (o.diagnostics) {
        sinsp::diagnostics_run_options d;
        d.open = o.open;
        d.explicit_engine = o.have_engine;
        if (o.max_seconds > 0) d.seconds = o.max_seconds;
        if (o.max_events != UINT64_MAX) d.max_events = o.max_events;
        std::printf("%s\n", sinsp::run_diagnostics(d).c_str());
        return 0;
    }

    std::string error;
    auto eng = scap::open_engine(o.open, error);
    if (!eng) {
        std::fprintf(stderr, "scap-open: cannot open %s engine: %s\n", scap::to_string(o.open.kind),
                     error.c_str());
        return 1;
    }
    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);
    if (eng->start() == scap::status::error) {
        std::fprintf(stderr, "scap-open: cannot start: %s\n", eng->last_error().c_str());
        return 1;
    }
    for (const std::string& note : eng->notes()) std::fprintf(stderr, "scap-open: note: %s\n", note.c_str());
    const size_t notes_at_start = eng->notes().size();

    std::vector<uint64_t> per_type(PPM_EVENT_MAX, 0);
    uint64_t n = 0, bytes = 0;
    std::string line;
    int rc = 0;
    const auto t0 = std::chrono::steady_clock::now();
    scap::event_ref ref;
    while (n < o.max_events && !g_interrupted) {
        if (o.max_seconds > 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >= o.max_seconds)
            break;
        scap::status s = eng->next(ref);
        if (s == scap::status::timeout) continue;
        if (s == scap::status::eof) break;
        if (s != scap::status::ok) {
            std::fprintf(stderr, "scap-open: %s\n", eng->last_error().c_str());
            rc = 1;
            break;
        }
        const uint16_t type = ref.hdr->type;
        if (!o.type_selected.empty() && !o.type_selected[type]) continue;
        ++per_type[type];
        bytes += ref.hdr->len;
        if (o.print) print_event(n, ref, line);
        ++n;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    eng->stop();
    // Notes added while reading (a capture block of an unknown type skipped), each once.
    for (size_t i = notes_at_start; i < eng->notes().size(); ++i)
        std::fprintf(stderr, "scap-open: note: %s\n", eng->notes()[i].c_str());
    print_summary(o, per_type, n, bytes, seconds, *eng);
    return rc;
}
