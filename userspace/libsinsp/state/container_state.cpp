// Threads and their containers: the id and entry from the cgroups, the role a process plays in
// its container (init, health probe), and the container meta events of captures.
#include <string>

#include "state/core.h"

namespace sinsp {

void state_core::set_container(thread_info& t, std::string_view cgroups) {
    const cgroup_container cg = container_from_cgroups(cgroups);
    strings.assign(t.container_id, cg.id);
    if (cg.id.empty()) {
        t.container = nullptr;
        return;
    }
    // Same container as before (the common case at exec): no lookup.
    if (t.container && t.container->id == cg.id) return;
    const size_t before = containers.size();
    const size_t dropped = containers.dropped();
    t.container = containers.from_cgroups(cg);
    stats.containers_dropped += containers.dropped() - dropped;
    // A container first seen now: ask its runtime (the answer comes back as a container event).
    if (runtime && containers.size() > before) runtime->request(cg.full.empty() ? cg.id : cg.full);
}

// The reference's rules: a container's pid-namespace init is its init; a process whose parent
// has a role takes it; otherwise a process whose command line is one of the container's health
// probes, started from outside the container's process tree (runtimes exec probes from the
// host side), is that probe.
void state_core::identify_role(thread_info& t) {
    t.role = container_role::none;
    if (t.container_id == 0 || strings.get(t.container_id).empty()) return;
    if (t.vpid == 1) {
        t.role = container_role::init;
        return;
    }
    const thread_info* parent = t.ptid > 0 ? threads.find(t.ptid) : nullptr;
    if (parent && parent->role != container_role::none) {
        t.role = parent->role;
        return;
    }
    if (!t.container || !t.container->from_metadata) return;
    const container_role r = t.container->probe_role(strings.get(t.exe), strings.get(t.args));
    if (r == container_role::none) return;
    // Bounded walk: a corrupt tree cannot loop.
    const thread_info* p = parent;
    for (int i = 0; i < 64 && p; ++i) {
        if (p->vpid == 1 && p->container) return;  // under the container's init: not a probe
        if (p->ptid <= 0 || p->ptid == p->tid) break;
        p = threads.find(p->ptid);
    }
    t.role = r;
}

void state_core::apply_container_json(std::string_view json) {
    container_info info;
    std::string error;
    if (!parse_container_json(json, info, error)) {
        ++stats.parse_errors;
        return;
    }
    const size_t dropped = containers.dropped();
    containers.update(std::move(info));
    stats.containers_dropped += containers.dropped() - dropped;
    ++stats.container_events;
}

}  // namespace sinsp
