// hook_floor: attaches one stage of do-nothing BPF programs (hook_floor.bpf.c) and drains their
// ring buffer for a while, so the load generator can be timed against the kernel's own cost of
// the driver's attach points. Used by benchmark/live_overhead.sh.
//
//   hook_floor STAGE SECONDS
//   stages: exit      empty sys_exit program
//           record    sys_exit program writing a minimal timestamped ring record
//           exit+enter, record+enter   the same plus one per-syscall entry tracepoint
//
// Prints one line: "hook_floor stage=S records=N".
#include <bpf/libbpf.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hook_floor.skel.h"

namespace {

long g_records = 0;

int count_record(void*, void*, size_t) {
    ++g_records;
    return 0;
}

struct skeleton_guard {
    hook_floor* skel;
    ~skeleton_guard() { hook_floor__destroy(skel); }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: hook_floor exit|record|exit+enter|record+enter SECONDS\n");
        return 2;
    }
    const std::string stage = argv[1];
    const double seconds = std::atof(argv[2]);
    const bool record = stage.rfind("record", 0) == 0;
    const bool enter = stage.find("+enter") != std::string::npos;
    if (!record && stage.rfind("exit", 0) != 0) {
        std::fprintf(stderr, "hook_floor: unknown stage '%s'\n", stage.c_str());
        return 2;
    }

    skeleton_guard g{hook_floor__open()};
    if (!g.skel) return std::perror("hook_floor: open"), 1;
    bpf_map__set_max_entries(g.skel->maps.records, 8u << 20);
    if (hook_floor__load(g.skel) != 0) return std::perror("hook_floor: load"), 1;

    std::vector<bpf_program*> progs{record ? g.skel->progs.floor_exit_record
                                           : g.skel->progs.floor_exit_empty};
    if (enter) progs.push_back(g.skel->progs.floor_enter_openat);
    std::vector<bpf_link*> links;
    for (bpf_program* p : progs) {
        bpf_link* l = bpf_program__attach(p);
        if (!l) return std::fprintf(stderr, "hook_floor: cannot attach %s\n", bpf_program__name(p)), 1;
        links.push_back(l);
    }

    ring_buffer* rb = ring_buffer__new(bpf_map__fd(g.skel->maps.records), count_record, nullptr, nullptr);
    if (!rb) return std::perror("hook_floor: ring buffer"), 1;
    // Records are submitted without wakeups (as the driver does under load): poll on a timer.
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        ring_buffer__poll(rb, 10);
        ring_buffer__consume(rb);
    }
    ring_buffer__free(rb);
    for (bpf_link* l : links) bpf_link__destroy(l);
    std::printf("hook_floor stage=%s records=%ld\n", stage.c_str(), g_records);
    return 0;
}
