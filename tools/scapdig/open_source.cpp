#include "open_source.h"

#include <cstdio>

#include "sinsp/inspector.h"

namespace scapdig {

std::unique_ptr<scap::engine> open_source(const options& o, const std::vector<bool>& wanted,
                                          const scap::prefilter* pre_filter, sinsp::inspector& insp,
                                          std::string& error) {
    scap::open_options opts;
    if (!o.read_file.empty()) {
        opts.kind = scap::engine_kind::savefile;
        opts.file = insp.file_options(o.read_file);
        return scap::open_engine(opts, error);
    }
    opts.kind = o.kmod ? scap::engine_kind::kmod : scap::engine_kind::modern_bpf;
    opts.kmod.module_path = o.kmod_path;
    // The /proc scan's processes load into the state while the scan reads the next ones.
    opts.modern_bpf.processes_to = opts.kmod.processes_to = opts.bpf.processes_to = insp.process_loader();
    if (!o.bpf_probe.empty()) {
        opts.kind = scap::engine_kind::bpf;
        opts.bpf.probe_path = o.bpf_probe;
    }
    auto eng = scap::open_engine(opts, error);
    if (!eng) return nullptr;
    std::vector<bool> selected = sinsp::inspector::state_syscalls();
    for (size_t i = 0; i < selected.size() && i < wanted.size(); ++i) selected[i] = selected[i] || wanted[i];
    if (eng->set_selection(selected) != scap::status::ok) {
        error = "cannot apply the syscall selection: " + eng->last_error();
        return nullptr;
    }
    if (pre_filter && !pre_filter->empty()) {
        const scap::status st = eng->set_prefilter(*pre_filter);
        if (st == scap::status::not_supported) {
            std::fprintf(stderr, "scapdig: note: this engine cannot pre-filter in the kernel\n");
        } else if (st != scap::status::ok) {
            error = "cannot apply the pre-filter: " + eng->last_error();
            return nullptr;
        }
    }
    if (eng->start() != scap::status::ok && !eng->last_error().empty()) {
        error = "cannot start the capture: " + eng->last_error();
        return nullptr;
    }
    for (const std::string& note : eng->notes()) std::fprintf(stderr, "scapdig: note: %s\n", note.c_str());
    return eng;
}

sinsp::inspector_options inspector_options_for(const options& o) {
    sinsp::inspector_options io;
    io.threads = o.threads;
    io.worker_cpus = o.worker_cpus;
    io.max_state_bytes = o.max_state_bytes;
    // -w copies the capture's process list into the written file.
    io.keep_engine_processes = !o.write_file.empty();
    // A capture's containers are what its container events say; live, the runtime is asked.
    io.container_runtime_lookups = o.read_file.empty() && o.container_runtime;
    if (!o.container_sockets.empty()) io.container_runtime.sockets = o.container_sockets;
    return io;
}

}  // namespace scapdig
