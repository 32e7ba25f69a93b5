// Meta events that change state without a syscall: users and groups added or deleted while
// the capture ran (written by the reference when it refreshes its user tables), and container
// metadata (the JSON container events; the oldest binary form arrives converted to JSON).
//
// Users and groups of containers (a non-empty container_id) are not tracked: the user table is
// the host's, as in the snapshot, and a container's uid 0 must not rename the host's root.
#include "state/core.h"

namespace sinsp {

namespace {

enum user_slot { u_uid, u_gid, u_name, u_home, u_shell, u_container };
enum group_slot { g_gid, g_name, g_container };

bool host_scoped(const parse_ctx& c, int container_slot) {
    return !c.has(container_slot) || c.p(container_slot).str().empty();
}

void parse_user_added(parse_ctx& c) {
    if (!host_scoped(c, u_container)) return;
    scap::user_info u;
    u.uid = c.u32(u_uid);
    u.gid = c.u32(u_gid);
    u.name = std::string(c.p(u_name).str());
    u.homedir = std::string(c.p(u_home).str());
    u.shell = std::string(c.p(u_shell).str());
    c.core.users[u.uid] = std::move(u);
}

void parse_user_deleted(parse_ctx& c) {
    if (host_scoped(c, u_container)) c.core.users.erase(c.u32(u_uid));
}

void parse_group_added(parse_ctx& c) {
    if (!host_scoped(c, g_container)) return;
    scap::group_info g;
    g.gid = c.u32(g_gid);
    g.name = std::string(c.p(g_name).str());
    c.core.groups[g.gid] = std::move(g);
}

void parse_group_deleted(parse_ctx& c) {
    if (host_scoped(c, g_container)) c.core.groups.erase(c.u32(g_gid));
}

void parse_container(parse_ctx& c) {
    c.core.apply_container_json(c.p(0).str());
}

}  // namespace

void register_meta_parsers(parser_registry& r) {
    r.add(PPME_USER_ADDED_E, parse_user_added, {"uid", "gid", "name", "home", "shell", "container_id"});
    r.add(PPME_USER_DELETED_E, parse_user_deleted, {"uid", "gid", "name", "home", "shell", "container_id"});
    r.add(PPME_GROUP_ADDED_E, parse_group_added, {"gid", "name", "container_id"});
    r.add(PPME_GROUP_DELETED_E, parse_group_deleted, {"gid", "name", "container_id"});
    r.add(PPME_CONTAINER_JSON_E, parse_container, {"json"});
    r.add(PPME_CONTAINER_JSON_2_E, parse_container, {"json"});
}

}  // namespace sinsp
