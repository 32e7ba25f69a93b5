// Renders the health report (sinsp/diagnostics.h). Keys are stable names in snake_case; sizes
// in bytes, times in nanoseconds; a section that does not apply is null, never left out, so a
// consumer can tell "not reported" from a typo.
#include "sinsp/diagnostics.h"

#include <nlohmann/json.hpp>

#include "scap/diagnostics.h"
#include "sinsp/inspector.h"

namespace sinsp {
namespace {

using json = nlohmann::ordered_json;

json programs_json(const std::vector<scap::bpf_program_report>& progs) {
    json a = json::array();
    for (const auto& p : progs)
        a.push_back({{"id", p.id},
                     {"name", p.name},
                     {"type", p.type},
                     {"verified_insns", p.verified_insns},
                     {"run_cnt", p.run_cnt},
                     {"run_time_ns", p.run_time_ns}});
    return a;
}

json limit_json(uint64_t v) {
    return v == UINT64_MAX ? json("unlimited") : json(v);
}

json host_json(const scap::host_report& h) {
    json engines = json::array();
    for (const auto& e : h.engines)
        engines.push_back({{"name", e.name}, {"can_run", e.can_run}, {"why_not", e.why_not}});
    return {
        {"kernel_release", h.kernel_release},
        {"kernel_version", h.kernel_version},
        {"machine", h.machine},
        {"btf", h.btf},
        {"tracefs", h.tracefs},
        {"modules",
         {{"supported", h.modules_supported},
          {"disabled", h.modules_disabled},
          {"kernel_headers", h.kernel_headers}}},
        {"bpf_permissions",
         {{"euid", h.euid},
          {"cap_sys_admin", h.cap_sys_admin},
          {"cap_bpf", h.cap_bpf},
          {"cap_perfmon", h.cap_perfmon},
          {"unprivileged_bpf_disabled", h.unprivileged_bpf_disabled},
          {"memlock_soft", limit_json(h.memlock_soft)},
          {"memlock_hard", limit_json(h.memlock_hard)},
          {"ring_buffer_probe", h.bpf_map_probe.empty() ? json("ok") : json(h.bpf_map_probe)}}},
        {"engines", engines},
        {"bpf_programs_loaded", programs_json(h.bpf_programs)},
        {"bpf_programs_error", h.bpf_programs_error.empty() ? json(nullptr) : json(h.bpf_programs_error)}};
}

json engine_json(const scap::engine& eng) {
    scap::engine_report r;
    eng.get_report(r);
    const scap::engine_stats& s = r.stats;
    json extra = json::object();
    // Per-program figures are in "programs" already.
    for (const auto& [name, value] : s.extra)
        if (name.rfind("prog.", 0) != 0) extra[name] = value;
    return {{"name", r.name},
            {"ring_buffers", r.ring_buffers},
            {"ring_buffer_bytes", r.ring_buffer_bytes},
            {"cpus_for_each_buffer", r.cpus_for_each_buffer},
            {"events", s.n_evts},
            {"drops",
             {{"total", s.n_drops},
              {"buffer_full", s.n_drops_buffer},
              {"scratch_space", s.n_drops_scratch_map},
              {"page_faults", s.n_drops_page_faults},
              {"driver_bug", s.n_drops_bug}}},
            // Not a loss: events the in-kernel pre-filter proved unmatchable (proposal 0011).
            {"prefiltered", s.n_prefiltered},
            {"programs", programs_json(r.programs)},
            {"notes", r.notes},
            {"counters", extra}};
}

json state_json(const inspector& insp) {
    const state_stats& s = insp.stats();
    const inspector::memory_report m = insp.memory();
    return {{"threads", insp.threads().size()},
            {"max_threads", insp.threads().max_threads()},
            {"events", s.events},
            {"threads_created", s.threads_created},
            {"threads_incomplete", s.threads_incomplete},
            {"threads_child_first", s.threads_child_first},
            {"threads_removed", s.threads_removed},
            {"threads_evicted", s.threads_evicted},
            {"threads_evicted_for_memory", s.threads_evicted_for_memory},
            {"fds_evicted", s.fds_evicted},
            {"state_bytes", s.state_bytes},
            {"state_bytes_peak", s.state_bytes_peak},
            {"state_bytes_evicted", s.state_bytes_evicted},
            {"fds_added", s.fds_added},
            {"fds_removed", s.fds_removed},
            {"parse_errors", s.parse_errors},
            {"memory",
             {{"total_bytes", m.total()},
              {"thread_bytes", m.thread_bytes},
              {"fd_tables", m.fd_tables},
              {"fd_bytes", m.fd_bytes},
              {"strings", m.strings},
              {"string_bytes", m.string_bytes}}}};
}

}  // namespace

std::string diagnostics_json(const inspector* insp, const scap::engine* eng, std::string_view engine_error,
                             int indent) {
    if (!eng && insp) eng = insp->engine();
    const scap::host_report host = scap::collect_host_report();
    json doc = {{"format", k_diagnostics_format},
                {"library_version", host.library_version},
                {"schema_version", host.schema_version},
                {"host", host_json(host)},
                {"engine", eng ? engine_json(*eng) : json(nullptr)},
                {"engine_error", engine_error.empty() ? json(nullptr) : json(std::string(engine_error))},
                {"state", insp ? state_json(*insp) : json(nullptr)}};
    return doc.dump(indent < 0 ? -1 : indent);
}

}  // namespace sinsp
