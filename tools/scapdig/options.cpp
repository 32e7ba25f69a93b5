#include "options.h"

#include <cctype>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace scapdig {

namespace {

void usage(FILE* out) {
    std::fprintf(
        out,
        "usage: scapdig [options] [filter expression]\n"
        "Replays a capture (-r) or captures live (no -r, as root), printing the events that match\n"
        "the filter.\n"
        "  -r FILE       read a capture (.scap, gzip or not, any format version)\n"
        "  -w FILE       write matching events, with the initial snapshot, as a current capture;\n"
        "                prints nothing unless -p or -j is given too (as sysdig -w)\n"
        "  -z            gzip the capture written with -w (also implied by a .gz name)\n"
        "  -p FORMAT     output format, e.g. \"%%evt.num %%proc.name %%evt.type %%fd.name\";\n"
        "                a leading '*' prints events even when some fields do not apply\n"
        "  -j            print JSON objects instead of text lines\n"
        "  -n N          stop after N matching events\n"
        "  -l            list the fields filters and formats can use\n"
        "  -q            print no events, only the summary\n"
        "  --threads N   1 (default): read and process on one thread; 2: read (decompress,\n"
        "                parse, convert) on a second thread, same output\n"
        "  --cpu N       run the event loop (state, filters, output) on CPU N only, and the\n"
        "                library's reading threads on the other CPUs allowed (repeatable timings)\n"
        "  --max-state-mb M  bound the state (threads, fds, strings) to M MiB (its estimate): past\n"
        "                it the least useful threads are evicted with their fds (exited, then idle),\n"
        "                counted in the summary\n"
        "  --container-socket PATH  live: ask this Docker/Podman Engine API socket for container\n"
        "                metadata (repeatable; default /var/run/docker.sock, /run/podman/podman.sock)\n"
        "  --no-container-runtime  live: containers get only what cgroups say (id, runtime)\n"
        "  --no-prefilter  live: deliver every event of the selected syscalls (by default those the\n"
        "                filter or the rules cannot match, by return value, comm, tid or pid, are\n"
        "                dropped in the kernel with the modern eBPF driver and counted as\n"
        "                pre-filtered)\n"
        "  --diagnostics print the health report as JSON (host, engine, state) and exit: reads\n"
        "                -r FILE to the end (or -n N events), else captures live for --seconds S\n"
        "                (default 1) when the modern eBPF engine can run here\n"
        "  --kmod        capture live with the kernel module (default: the modern eBPF driver)\n"
        "  --kmod_path F with --kmod: load this scap_kmod.ko first when the module is not loaded\n"
        "  --bpf PROBE.o capture live with the legacy eBPF probe built for this kernel "
        "(driver/bpf/build.sh)\n"
        "  -h            this help\n"
        "Rules (Falco's rule format; prints alerts instead of events):\n"
        "  --rules FILE       load a rule file (repeatable, applied in order)\n"
        "  --min-priority P   evaluate only rules at least this severe (emergency .. debug)\n"
        "  --list-rules       print the loaded rules (name, priority, event types, enabled); with -j\n"
        "                     one JSON object per rule, its condition also with macros/lists expanded\n"
        "  --strict-rules     any error in a rule file is fatal\n"
        "  --all-matches      report every matching rule per event (default: the first)\n"
        "  -j                 with --rules: one Falco-style JSON alert per line\n"
        "A summary of what was read, matched, written and dropped goes to stderr at the end.\n");
}

bool ends_with(const std::string& s, const char* suffix) {
    const size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace

int parse_options(int argc, char** argv, options& o) {
    int i = 1;
    auto value = [&](const char* flag) -> const char* {
        if (i + 1 >= argc) {
            std::fprintf(stderr, "scapdig: %s needs a value\n", flag);
            return nullptr;
        }
        return argv[++i];
    };
    for (; i < argc; ++i) {
        const char* a = argv[i];
        if (a[0] != '-' || a[1] == '\0') break;  // the filter starts here
        if (std::strcmp(a, "--") == 0) {
            ++i;
            break;
        }
        if (std::strcmp(a, "-h") == 0 || std::strcmp(a, "--help") == 0) {
            usage(stdout);
            return -1;
        }
        const char* v = nullptr;
        if (std::strcmp(a, "-r") == 0) {
            if (!(v = value(a))) return 2;
            o.read_file = v;
        } else if (std::strcmp(a, "-w") == 0) {
            if (!(v = value(a))) return 2;
            o.write_file = v;
        } else if (std::strcmp(a, "-p") == 0) {
            if (!(v = value(a))) return 2;
            o.format = v;
            o.want_output = true;
        } else if (std::strcmp(a, "-n") == 0) {
            if (!(v = value(a))) return 2;
            // strtoull would take "-1" as 2^64-1: only plain digits are a count.
            char* end = nullptr;
            o.max_events = std::isdigit(static_cast<unsigned char>(v[0])) ? std::strtoull(v, &end, 10) : 0;
            if (!end || *end || o.max_events == 0 || o.max_events == ULLONG_MAX) {
                std::fprintf(stderr, "scapdig: -n needs a positive number, got '%s'\n", v);
                return 2;
            }
        } else if (std::strcmp(a, "--threads") == 0) {
            if (!(v = value(a))) return 2;
            char* end = nullptr;
            const unsigned long n = std::strtoul(v, &end, 10);
            if (!end || *end || n == 0 || n > 64) {
                std::fprintf(stderr, "scapdig: --threads needs a number from 1 to 64, got '%s'\n", v);
                return 2;
            }
            o.threads = static_cast<unsigned>(n);
        } else if (std::strcmp(a, "--cpu") == 0) {
            if (!(v = value(a))) return 2;
            char* end = nullptr;
            const unsigned long n =
                std::isdigit(static_cast<unsigned char>(v[0])) ? std::strtoul(v, &end, 10) : 0;
            if (!end || *end || n >= 4096) {
                std::fprintf(stderr, "scapdig: --cpu needs a CPU number, got '%s'\n", v);
                return 2;
            }
            o.cpu = static_cast<int>(n);
        } else if (std::strcmp(a, "--max-state-mb") == 0) {
            if (!(v = value(a))) return 2;
            char* end = nullptr;
            const unsigned long long mb =
                std::isdigit(static_cast<unsigned char>(v[0])) ? std::strtoull(v, &end, 10) : 0;
            if (!end || *end || mb == 0 || mb > (1ULL << 30)) {
                std::fprintf(stderr, "scapdig: --max-state-mb needs a positive number of MiB, got '%s'\n", v);
                return 2;
            }
            o.max_state_bytes = static_cast<size_t>(mb) << 20;
        } else if (std::strcmp(a, "--container-socket") == 0) {
            if (!(v = value(a))) return 2;
            o.container_sockets.push_back(v);
        } else if (std::strcmp(a, "--no-container-runtime") == 0) {
            o.container_runtime = false;
        } else if (std::strcmp(a, "--no-prefilter") == 0) {
            o.prefilter = false;
        } else if (std::strcmp(a, "--rules") == 0) {
            if (!(v = value(a))) return 2;
            o.rule_files.push_back(v);
        } else if (std::strcmp(a, "--min-priority") == 0) {
            if (!(v = value(a))) return 2;
            o.min_priority = v;
        } else if (std::strcmp(a, "--list-rules") == 0) {
            o.list_rules = true;
        } else if (std::strcmp(a, "--strict-rules") == 0) {
            o.strict_rules = true;
        } else if (std::strcmp(a, "--all-matches") == 0) {
            o.all_matches = true;
        } else if (std::strcmp(a, "-z") == 0) {
            o.compress = true;
        } else if (std::strcmp(a, "-j") == 0) {
            o.json = true;
            o.want_output = true;
        } else if (std::strcmp(a, "-l") == 0) {
            o.list_fields = true;
        } else if (std::strcmp(a, "-q") == 0) {
            o.quiet = true;
        } else if (std::strcmp(a, "--diagnostics") == 0) {
            o.diagnostics = true;
        } else if (std::strcmp(a, "--seconds") == 0) {
            if (!(v = value(a))) return 2;
            char* end = nullptr;
            o.seconds = std::strtod(v, &end);
            if (!end || *end || !(o.seconds > 0)) {
                std::fprintf(stderr, "scapdig: --seconds needs a positive number, got '%s'\n", v);
                return 2;
            }
        } else if (std::strcmp(a, "--kmod") == 0) {
            o.kmod = true;
        } else if (std::strcmp(a, "--kmod_path") == 0) {
            if (!(v = value(a))) return 2;
            o.kmod = true;
            o.kmod_path = v;
        } else if (std::strcmp(a, "--bpf") == 0) {
            if (!(v = value(a))) return 2;
            o.bpf_probe = v;
        } else {
            std::fprintf(stderr, "scapdig: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    for (; i < argc; ++i) {
        if (!o.filter.empty()) o.filter += ' ';
        o.filter += argv[i];
    }
    if (ends_with(o.write_file, ".gz")) o.compress = true;
    return 0;
}

bool pin_to_cpu(options& o) {
    if (o.cpu < 0) return true;
    const scap::cpu_list allowed = scap::current_thread_cpus();
    const unsigned cpu = static_cast<unsigned>(o.cpu);
    o.worker_cpus.clear();
    bool found = false;
    std::string list;
    for (unsigned c : allowed) {
        list += (list.empty() ? "" : ",") + std::to_string(c);
        if (c == cpu)
            found = true;
        else
            o.worker_cpus.push_back(c);
    }
    if (!found) {
        std::fprintf(stderr, "scapdig: --cpu %u: not a CPU this process may run on (allowed: %s)\n", cpu,
                     list.c_str());
        return false;
    }
    if (o.worker_cpus.empty()) o.worker_cpus.push_back(cpu);
    std::string error;
    if (!scap::pin_current_thread({cpu}, error)) {
        std::fprintf(stderr, "scapdig: --cpu %u: %s\n", cpu, error.c_str());
        return false;
    }
    return true;
}

}  // namespace scapdig
