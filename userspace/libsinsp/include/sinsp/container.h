// Containers: what the runtime says about each container threads run in, keyed by the short
// (12 hex digit) id the kernel's cgroup paths give every thread.
//
// Entries come from two places: the container meta events captures carry (JSON written by the
// reference's container manager or plugin, and the older binary form the converter turns into
// JSON), and, live, from each thread's cgroups, which name the runtime and the id but nothing
// else (see container_from_cgroups). Entries are never removed while the inspector lives, so a
// thread may keep a pointer to its container; the table is bounded (max_containers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sinsp {

struct container_mount {
    std::string source;
    std::string dest;
    std::string mode;
    bool rdwr = false;
    std::string propagation;
    // "source:dest:mode:rdwr:propagation", the reference's rendering of one mount.
    void append_text(std::string& out) const;
};

// A health probe: the command the runtime runs inside the container.
struct container_probe {
    std::string exe;
    std::vector<std::string> args;
    bool configured = false;
    // "exe arg1 arg2", as container.healthcheck shows it.
    std::string command_line() const;
};

// What a thread's process is to its container (proc.is_container_healthcheck & co.).
enum class container_role : uint8_t { none = 0, init, healthcheck, liveness_probe, readiness_probe };

struct container_info {
    std::string id;       // short id (12 characters)
    std::string full_id;  // 64 characters when known
    std::string type;     // "docker", "containerd", "cri-o", "podman", ...
    std::string name;
    std::string image;
    std::string image_id;
    std::string image_repo;
    std::string image_tag;
    std::string image_digest;
    std::string ip;  // dotted IPv4, empty when unknown
    std::string cni_json;
    std::string pod_sandbox_id;  // full id of the pod sandbox (Kubernetes), empty otherwise
    bool privileged = false;
    bool privileged_known = false;  // only docker-compatible runtimes report it
    bool is_pod_sandbox = false;
    bool from_metadata = false;  // filled by a container event (or runtime), not just cgroups
    int64_t created_time = 0;
    std::vector<container_mount> mounts;
    std::vector<std::pair<std::string, std::string>> labels;              // in the order given
    std::vector<std::pair<std::string, std::string>> pod_sandbox_labels;  // CRI pods
    container_probe healthcheck, liveness_probe, readiness_probe;

    // Joined views, computed once when the entry changes so extraction never builds them.
    std::string mounts_text;      // container.mounts
    std::string labels_text;      // container.labels
    std::string pod_labels_text;  // k8s.pod.labels
    std::string healthcheck_text, liveness_text, readiness_text;

    const std::string* label(std::string_view key) const;
    const std::string* pod_label(std::string_view key) const;
    // The role a process with this exe and arguments (argv[1..], each NUL-terminated, as
    // threads keep them) plays, if it is one of the container's health probes.
    container_role probe_role(std::string_view exe, std::string_view nul_separated_args) const;
    // Recomputes the joined views.
    void finish();
};

// Parses one container meta event's JSON into `out` (the reference's {"container": {...}} shape,
// or the bare object the converter makes from the oldest binary event). Returns false with a
// reason in `error` when the text is not JSON or names no id.
bool parse_container_json(std::string_view json, container_info& out, std::string& error);
// The reverse: the JSON a container event carries, in the reference's shape.
std::string container_to_json(const container_info& c);

// The container a thread's cgroups place it in: its short id and the runtime, from the cgroup
// path layouts of Docker ("/docker/<id>", "docker-<id>.scope"), containerd
// ("cri-containerd-<id>.scope", "/kubepods/.../<id>"), CRI-O ("crio-<id>.scope"), podman
// ("libpod-<id>.scope") and systemd-style scopes. `cgroups` is the NUL-separated "subsys=path"
// list. Empty id: the thread is not in a container.
struct cgroup_container {
    std::string_view id;    // 12 characters (a view into `cgroups`)
    std::string_view full;  // 64 characters
    const char* type = "";  // runtime name, "" when the layout does not say
};
cgroup_container container_from_cgroups(std::string_view cgroups);

class container_table {
  public:
    static constexpr size_t max_containers = 65536;

    // The entry for a short id; null when unknown.
    const container_info* find(std::string_view id) const;
    // Creates (or returns) the entry for a container seen in a thread's cgroups. Null when the
    // table is full (then the thread only has its id).
    container_info* from_cgroups(const cgroup_container& cg);
    // Stores the metadata of a container event, keeping the entry's address (threads point to it).
    container_info* update(container_info&& info);
    size_t size() const { return m_by_id.size(); }
    uint64_t dropped() const { return m_dropped; }
    template <typename F>
    void for_each(F&& f) const {
        for (const auto& [id, c] : m_by_id) f(*c);
    }

  private:
    std::unordered_map<std::string, std::unique_ptr<container_info>> m_by_id;
    uint64_t m_dropped = 0;
};

}  // namespace sinsp
