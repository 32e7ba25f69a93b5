// The container table, container JSON (read and written) and container ids from cgroup paths.
#include <nlohmann/json.hpp>

#include "sinsp/container.h"

namespace sinsp {

namespace {

using json = nlohmann::json;

// The reference's container type numbers, as its container events carry them.
constexpr const char* k_type_names[] = {"docker", "lxc",        "libvirt-lxc", "mesos", "rkt",    "custom",
                                        "cri",    "containerd", "cri-o",       "bpm",   "static", "podman"};
constexpr size_t k_type_count = sizeof(k_type_names) / sizeof(k_type_names[0]);

int type_number(std::string_view name) {
    for (size_t i = 0; i < k_type_count; ++i)
        if (name == k_type_names[i]) return static_cast<int>(i);
    return 5;  // custom
}

bool is_docker_compatible(std::string_view type) {
    return type == "docker" || type == "podman";
}

std::string str_of(const json& o, const char* key) {
    const auto it = o.find(key);
    if (it == o.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

bool bool_of(const json& o, const char* key, bool& known) {
    const auto it = o.find(key);
    if (it == o.end() || !it->is_boolean()) return false;
    known = true;
    return it->get<bool>();
}

void read_labels(const json& o, const char* key, std::vector<std::pair<std::string, std::string>>& out) {
    const auto it = o.find(key);
    if (it == o.end() || !it->is_object()) return;
    for (auto l = it->begin(); l != it->end(); ++l) {
        out.emplace_back(l.key(), l->is_string() ? l->get<std::string>() : l->dump());
    }
}

void read_probe(const json& o, const char* key, container_probe& p) {
    const auto it = o.find(key);
    if (it == o.end() || !it->is_object()) return;
    const auto exe = it->find("exe");
    if (exe == it->end() || !exe->is_string()) return;
    p.configured = true;
    p.exe = exe->get<std::string>();
    const auto args = it->find("args");
    if (args != it->end() && args->is_array()) {
        for (const auto& a : *args)
            if (a.is_string()) p.args.push_back(a.get<std::string>());
    }
}

void join_labels(const std::vector<std::pair<std::string, std::string>>& labels, std::string& out,
                 bool skip_internal) {
    out.clear();
    for (const auto& [k, v] : labels) {
        // Like the reference, runtime-internal labels and annotations are left out of the list.
        if (skip_internal && (k.rfind("annotation.", 0) == 0 || k.rfind("io.kubernetes.", 0) == 0)) continue;
        if (!out.empty()) out += ", ";
        out += k;
        if (!v.empty()) out.append(":").append(v);
    }
}

bool hex_run(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// One cgroup path component that names a container: "<id>" directly (cgroupfs layouts under
// /docker, /kubepods, /machine.slice ...) or "<prefix><id>.scope" (systemd layouts).
struct scope_layout {
    std::string_view prefix;
    const char* type;
};
constexpr scope_layout k_layouts[] = {
    {"docker-", "docker"}, {"cri-containerd-", "containerd"}, {"crio-", "cri-o"},
    {"libpod-", "podman"}, {"containerd-", "containerd"},
};

cgroup_container match_component(std::string_view comp, std::string_view parent) {
    cgroup_container r;
    std::string_view id;
    const char* type = "";
    if (comp.size() == 64 && hex_run(comp)) {
        id = comp;
        // cgroupfs layouts say the runtime in the parent directory.
        if (parent == "docker")
            type = "docker";
        else if (parent.rfind("crio", 0) == 0)
            type = "cri-o";
        else if (parent.rfind("libpod", 0) == 0)
            type = "podman";
    } else {
        std::string_view c = comp;
        if (c.size() > 6 && c.substr(c.size() - 6) == ".scope") c.remove_suffix(6);
        for (const auto& l : k_layouts) {
            if (c.size() == l.prefix.size() + 64 && c.compare(0, l.prefix.size(), l.prefix) == 0 &&
                hex_run(c.substr(l.prefix.size()))) {
                id = c.substr(l.prefix.size());
                type = l.type;
                break;
            }
        }
    }
    if (id.empty()) return r;
    r.full = id;
    r.id = id.substr(0, 12);
    r.type = type;
    return r;
}

}  // namespace

void container_mount::append_text(std::string& out) const {
    out.append(source).append(":").append(dest).append(":").append(mode).append(":");
    out.append(rdwr ? "true" : "false").append(":").append(propagation);
}

std::string container_probe::command_line() const {
    std::string s = exe;
    for (const auto& a : args) s.append(" ").append(a);
    return s;
}

const std::string* container_info::label(std::string_view key) const {
    for (const auto& [k, v] : labels)
        if (k == key) return &v;
    return nullptr;
}

const std::string* container_info::pod_label(std::string_view key) const {
    for (const auto& [k, v] : pod_sandbox_labels)
        if (k == key) return &v;
    return nullptr;
}

container_role container_info::probe_role(std::string_view exe, std::string_view args) const {
    const std::pair<const container_probe*, container_role> probes[] = {
        {&healthcheck, container_role::healthcheck},
        {&liveness_probe, container_role::liveness_probe},
        {&readiness_probe, container_role::readiness_probe}};
    for (const auto& [p, role] : probes) {
        if (!p->configured || p->exe != exe) continue;
        std::string_view rest = args;
        bool same = true;
        for (const auto& a : p->args) {
            const size_t nul = rest.find('\0');
            const std::string_view item = rest.substr(0, nul);
            if (item != a || (nul == std::string_view::npos && rest.empty())) {
                same = false;
                break;
            }
            rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
        }
        if (same && rest.empty()) return role;
    }
    return container_role::none;
}

void container_info::finish() {
    mounts_text.clear();
    for (const auto& m : mounts) {
        if (!mounts_text.empty()) mounts_text += ",";
        m.append_text(mounts_text);
    }
    join_labels(labels, labels_text, false);
    join_labels(pod_sandbox_labels, pod_labels_text, true);
    // A probe the runtime does not have shows "NONE" (the reference's wording).
    healthcheck_text = healthcheck.configured ? healthcheck.command_line() : "NONE";
    liveness_text = liveness_probe.configured ? liveness_probe.command_line() : "NONE";
    readiness_text = readiness_probe.configured ? readiness_probe.command_line() : "NONE";
    if (!is_docker_compatible(type)) privileged_known = false;
}

bool parse_container_json(std::string_view text, container_info& out, std::string& error) {
    // Payloads end with the NUL the capture format puts after strings.
    while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
    json root = json::parse(text.begin(), text.end(), nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        error = "container event: the payload is not a JSON object";
        return false;
    }
    const auto wrapped = root.find("container");
    const json& c = (wrapped != root.end() && wrapped->is_object()) ? *wrapped : root;
    out = container_info{};
    out.id = str_of(c, "id");
    if (out.id.empty()) {
        error = "container event: the JSON has no container id";
        return false;
    }
    out.full_id = str_of(c, "full_id");
    if (out.id.size() > 12) {
        if (out.full_id.empty()) out.full_id = out.id;
        out.id.resize(12);
    }
    const auto type = c.find("type");
    if (type != c.end() && type->is_number_integer()) {
        const int64_t t = type->get<int64_t>();
        out.type = (t >= 0 && static_cast<size_t>(t) < k_type_count) ? k_type_names[t] : "custom";
    } else if (type != c.end() && type->is_string()) {
        out.type = type->get<std::string>();
    }
    out.name = str_of(c, "name");
    out.image = str_of(c, "image");
    out.image_id = str_of(c, "imageid");
    out.image_repo = str_of(c, "imagerepo");
    out.image_tag = str_of(c, "imagetag");
    out.image_digest = str_of(c, "imagedigest");
    out.ip = str_of(c, "ip");
    if (out.ip == "0.0.0.0") out.ip.clear();
    out.cni_json = str_of(c, "cni_json");
    out.pod_sandbox_id = str_of(c, "pod_sandbox_id");
    out.privileged = bool_of(c, "privileged", out.privileged_known);
    bool known = false;
    out.is_pod_sandbox = bool_of(c, "is_pod_sandbox", known);
    const auto created = c.find("created_time");
    if (created != c.end() && created->is_number_integer()) out.created_time = created->get<int64_t>();
    const auto mounts = c.find("Mounts");
    if (mounts != c.end() && mounts->is_array()) {
        for (const auto& m : *mounts) {
            if (!m.is_object()) continue;
            container_mount mi;
            mi.source = str_of(m, "Source");
            mi.dest = str_of(m, "Destination");
            mi.mode = str_of(m, "Mode");
            bool rw_known = false;
            mi.rdwr = bool_of(m, "RW", rw_known);
            mi.propagation = str_of(m, "Propagation");
            out.mounts.push_back(std::move(mi));
        }
    }
    read_labels(c, "labels", out.labels);
    read_labels(c, "pod_sandbox_labels", out.pod_sandbox_labels);
    read_probe(c, "Healthcheck", out.healthcheck);
    read_probe(c, "LivenessProbe", out.liveness_probe);
    read_probe(c, "ReadinessProbe", out.readiness_probe);
    out.from_metadata = true;
    out.finish();
    return true;
}

std::string container_to_json(const container_info& ci) {
    json c = json::object();
    c["id"] = ci.id;
    c["full_id"] = ci.full_id;
    c["type"] = type_number(ci.type);
    c["name"] = ci.name;
    c["image"] = ci.image;
    c["imageid"] = ci.image_id;
    c["imagerepo"] = ci.image_repo;
    c["imagetag"] = ci.image_tag;
    c["imagedigest"] = ci.image_digest;
    c["privileged"] = ci.privileged;
    c["is_pod_sandbox"] = ci.is_pod_sandbox;
    c["created_time"] = ci.created_time;
    c["ip"] = ci.ip.empty() ? "0.0.0.0" : ci.ip;
    c["cni_json"] = ci.cni_json;
    c["pod_sandbox_id"] = ci.pod_sandbox_id;
    json mounts = json::array();
    for (const auto& m : ci.mounts) {
        mounts.push_back({{"Source", m.source},
                          {"Destination", m.dest},
                          {"Mode", m.mode},
                          {"RW", m.rdwr},
                          {"Propagation", m.propagation}});
    }
    c["Mounts"] = std::move(mounts);
    json labels = json::object();
    for (const auto& [k, v] : ci.labels) labels[k] = v;
    c["labels"] = std::move(labels);
    json pod_labels = json::object();
    for (const auto& [k, v] : ci.pod_sandbox_labels) pod_labels[k] = v;
    c["pod_sandbox_labels"] = std::move(pod_labels);
    const std::pair<const container_probe*, const char*> probes[] = {{&ci.healthcheck, "Healthcheck"},
                                                                     {&ci.liveness_probe, "LivenessProbe"},
                                                                     {&ci.readiness_probe, "ReadinessProbe"}};
    for (const auto& [p, key] : probes) {
        if (p->configured) c[key] = {{"exe", p->exe}, {"args", p->args}};
    }
    json root = json::object();
    root["container"] = std::move(c);
    return root.dump(-1, ' ', false, json::error_handler_t::replace);
}

cgroup_container container_from_cgroups(std::string_view cg) {
    // Entries are "subsys=path", NUL-separated; the first path naming a container wins.
    while (!cg.empty()) {
        const size_t nul = cg.find('\0');
        std::string_view entry = cg.substr(0, nul);
        cg = nul == std::string_view::npos ? std::string_view{} : cg.substr(nul + 1);
        const size_t eq = entry.find('=');
        std::string_view path = eq == std::string_view::npos ? entry : entry.substr(eq + 1);
        std::string_view parent;
        while (!path.empty()) {
            const size_t slash = path.find('/');
            const std::string_view comp = path.substr(0, slash);
            if (!comp.empty()) {
                const cgroup_container r = match_component(comp, parent);
                if (!r.id.empty()) return r;
                parent = comp;
            }
            if (slash == std::string_view::npos) break;
            path.remove_prefix(slash + 1);
        }
    }
    return {};
}

const container_info* container_table::find(std::string_view id) const {
    const auto it = m_by_id.find(std::string(id));
    return it == m_by_id.end() ? nullptr : it->second.get();
}

container_info* container_table::from_cgroups(const cgroup_container& cg) {
    if (cg.id.empty()) return nullptr;
    const std::string key(cg.id);
    auto it = m_by_id.find(key);
    if (it != m_by_id.end()) return it->second.get();
    if (m_by_id.size() >= max_containers) {
        ++m_dropped;
        return nullptr;
    }
    auto c = std::make_unique<container_info>();
    c->id = key;
    c->full_id = std::string(cg.full);
    c->type = cg.type;
    c->finish();
    return m_by_id.emplace(key, std::move(c)).first->second.get();
}

container_info* container_table::update(container_info&& info) {
    auto it = m_by_id.find(info.id);
    if (it != m_by_id.end()) {
        container_info& cur = *it->second;
        // What the cgroups said stays when the event does not say it.
        if (info.full_id.empty()) info.full_id = std::move(cur.full_id);
        if (info.type.empty()) info.type = std::move(cur.type);
        info.finish();
        cur = std::move(info);
        return &cur;
    }
    if (m_by_id.size() >= max_containers) {
        ++m_dropped;
        return nullptr;
    }
    auto c = std::make_unique<container_info>(std::move(info));
    std::string key = c->id;
    return m_by_id.emplace(std::move(key), std::move(c)).first->second.get();
}

}  // namespace sinsp
