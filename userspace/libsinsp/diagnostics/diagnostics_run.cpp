#include "sinsp/diagnostics_run.h"

#include <chrono>

#include "scap/diagnostics.h"
#include "sinsp/diagnostics.h"
#include "sinsp/inspector.h"

namespace sinsp {

std::string run_diagnostics(const diagnostics_run_options& o) {
    scap::open_options open = o.open;
    if (!o.explicit_engine) {
        bool can_run = false;
        for (const auto& e : scap::collect_host_report().engines)
            if (e.name == "modern_bpf") can_run = e.can_run;
        if (!can_run)
            return diagnostics_json(nullptr, nullptr, "no engine given and modern_bpf cannot run here");
        open.kind = scap::engine_kind::modern_bpf;
    }
    std::string error;
    auto eng = scap::open_engine(open, error);
    if (!eng) return diagnostics_json(nullptr, nullptr, "cannot open the engine: " + error);
    if (eng->start() == scap::status::error)
        return diagnostics_json(nullptr, eng.get(), "cannot start the engine: " + eng->last_error());
    inspector insp;
    insp.open(std::move(eng));
    const auto t0 = std::chrono::steady_clock::now();
    const bool live = open.kind != scap::engine_kind::savefile;
    uint64_t n = 0;
    std::string read_error;
    for (;;) {
        if (live && std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >= o.seconds)
            break;
        if (o.max_events && n >= o.max_events) break;
        const event* e = nullptr;
        const scap::status s = insp.next(e);
        if (s == scap::status::ok) {
            ++n;
            continue;
        }
        if (s == scap::status::timeout) continue;
        if (s == scap::status::error) read_error = "reading events: " + insp.last_error();
        break;
    }
    insp.engine()->stop();
    return diagnostics_json(&insp, nullptr, read_error);
}

}  // namespace sinsp
