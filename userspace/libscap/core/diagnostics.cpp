// Host facts for scap::collect_host_report: read from /proc, /sys and uname, never assumed.
#include "scap/diagnostics.h"

#include "scap/bpf.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "scap/modern_bpf.h"
#include "schema_version.h"

#ifdef SCAP_HAVE_MODERN_BPF
#include "engines/modern_bpf/host_probe.h"
#endif

namespace scap {
namespace {

constexpr int k_cap_sys_admin = 21, k_cap_perfmon = 38, k_cap_bpf = 39;

bool readable(const char* path) {
    return access(path, R_OK) == 0;
}

// First line of a small /proc or /sys file, or "" when it cannot be read.
std::string first_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// Effective capabilities of this process (CapEff in /proc/self/status).
uint64_t effective_caps() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
    return 0;
}

uint64_t limit_bytes(rlim_t v) {
    return v == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(v);
}

// Kernel release as major * 1000 + minor (5.8 -> 5008), 0 when unparsable.
unsigned release_number(const std::string& rel) {
    unsigned major = 0, minor = 0;
    if (std::sscanf(rel.c_str(), "%u.%u", &major, &minor) != 2) return 0;
    return major * 1000 + minor;
}

engine_support modern_bpf_support(const host_report& h) {
    engine_support s{"modern_bpf", false, {}};
    if (!modern_bpf_available()) s.why_not.push_back("this libscap was built without the modern_bpf engine");
    if (!h.btf)
        s.why_not.push_back("the kernel exposes no BTF (/sys/kernel/btf/vmlinux): CO-RE cannot relocate");
    const unsigned rel = release_number(h.kernel_release);
    if (rel != 0 && rel < 5008) s.why_not.push_back("kernel older than 5.8: no BPF ring buffers");
    if (!h.cap_sys_admin && !(h.cap_bpf && h.cap_perfmon))
        s.why_not.push_back("needs CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON");
    if (!h.bpf_map_probe.empty())
        s.why_not.push_back("creating a BPF ring buffer failed: " + h.bpf_map_probe);
    s.can_run = s.why_not.empty();
    return s;
}

engine_support kmod_support(const host_report& h) {
    engine_support s{"kmod", false, {}};
    if (!h.modules_supported) s.why_not.push_back("kernel built without module support (no /proc/modules)");
    if (h.modules_disabled) s.why_not.push_back("module loading disabled (kernel.modules_disabled=1)");
    if (!h.kernel_headers)
        s.why_not.push_back("no kernel headers at /lib/modules/" + h.kernel_release + "/build");
    if (!h.cap_sys_admin) s.why_not.push_back("needs CAP_SYS_MODULE and CAP_SYS_ADMIN");
    s.can_run = s.why_not.empty();
    return s;
}

engine_support legacy_bpf_support(const host_report& h) {
    // Its probe is built per kernel from that kernel's headers (driver/bpf/build.sh): without
    // them here, only a probe built elsewhere for exactly this release can run.
    engine_support s{"bpf", false, {}};
    if (!bpf_available()) s.why_not.push_back("this libscap was built without the legacy eBPF engine");
    if (!h.kernel_headers)
        s.why_not.push_back("no kernel headers at /lib/modules/" + h.kernel_release +
                            "/build to build its probe (a probe built elsewhere for this release can run)");
    if (!h.cap_sys_admin) s.why_not.push_back("needs CAP_SYS_ADMIN");
    s.can_run = s.why_not.empty();
    return s;
}

}  // namespace

const char* library_version() {
    return SCAP_LIBRARY_VERSION;
}

void engine::get_report(engine_report& out) const {
    out.name = std::string(name());
    get_stats(out.stats);
    out.notes = notes();
}

host_report collect_host_report() {
    host_report h;
    h.library_version = library_version();
    h.schema_version = SCAP_SCHEMA_VERSION_STRING;
    utsname u{};
    if (uname(&u) == 0) {
        h.kernel_release = u.release;
        h.kernel_version = u.version;
        h.machine = u.machine;
    }
    h.btf = readable("/sys/kernel/btf/vmlinux");
    h.tracefs = access("/sys/kernel/tracing/events/syscalls", F_OK) == 0 ||
                access("/sys/kernel/debug/tracing/events/syscalls", F_OK) == 0;
    h.modules_supported = access("/proc/modules", F_OK) == 0;
    h.modules_disabled = first_line("/proc/sys/kernel/modules_disabled") == "1";
    h.kernel_headers = access(("/lib/modules/" + h.kernel_release + "/build").c_str(), F_OK) == 0;
    h.euid = geteuid();
    const uint64_t caps = effective_caps();
    h.cap_sys_admin = caps >> k_cap_sys_admin & 1;
    h.cap_perfmon = caps >> k_cap_perfmon & 1;
    h.cap_bpf = caps >> k_cap_bpf & 1;
    const std::string unpriv = first_line("/proc/sys/kernel/unprivileged_bpf_disabled");
    if (!unpriv.empty()) h.unprivileged_bpf_disabled = std::atoi(unpriv.c_str());
    rlimit rl{};
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
        h.memlock_soft = limit_bytes(rl.rlim_cur);
        h.memlock_hard = limit_bytes(rl.rlim_max);
    }
#ifdef SCAP_HAVE_MODERN_BPF
    h.bpf_map_probe = modern_bpf::probe_ring_buffer();
    h.bpf_programs_error = modern_bpf::list_loaded_programs(h.bpf_programs);
#else
    h.bpf_map_probe = "no BPF support built in";
    h.bpf_programs_error = "no BPF support built in";
#endif
    h.engines.push_back(engine_support{"savefile", true, {}});
    h.engines.push_back(modern_bpf_support(h));
    h.engines.push_back(legacy_bpf_support(h));
    h.engines.push_back(kmod_support(h));
    return h;
}

}  // namespace scap
