#include "engines/modern_bpf/host_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace scap::modern_bpf {

std::string probe_ring_buffer() {
    const int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "scap_probe", 0, 0,
                                  static_cast<uint32_t>(sysconf(_SC_PAGESIZE)), nullptr);
    if (fd < 0) return std::strerror(errno);
    close(fd);
    return "";
}

bool program_report(int fd, bpf_program_report& out) {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return false;
    out.id = info.id;
    out.name = info.name;
    const char* type = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(info.type));
    out.type = type ? type : std::to_string(info.type);
    out.verified_insns = info.verified_insns;
    out.run_cnt = info.run_cnt;
    out.run_time_ns = info.run_time_ns;
    return true;
}

std::string list_loaded_programs(std::vector<bpf_program_report>& out) {
    uint32_t id = 0;
    for (;;) {
        if (bpf_prog_get_next_id(id, &id) != 0) {
            if (errno == ENOENT) return "";
            return std::string("cannot list BPF programs: ") + std::strerror(errno);
        }
        const int fd = bpf_prog_get_fd_by_id(id);
        if (fd < 0) continue;  // unloaded meanwhile
        bpf_program_report r;
        if (program_report(fd, r)) out.push_back(std::move(r));
        close(fd);
    }
}

}  // namespace scap::modern_bpf
