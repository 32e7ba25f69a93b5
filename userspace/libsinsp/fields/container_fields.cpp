// container.* and k8s.*: the container the event's thread runs in, and its Kubernetes pod as the
// runtime's labels describe it. Values are views into the container table's entries (built once
// per container event), so extraction never builds strings except for indexed mounts.
#include <fnmatch.h>

#include <cstdlib>

#include "fields/extractor_kit.h"
#include "fields/field_classes.h"

namespace sinsp::fields {

namespace {

// On the host: no container id and not in a pid namespace of its own (the reference's test).
bool on_host(const event_context& c, const thread_info& t) {
    return c.insp->str(t.container_id).empty() && !(t.vtid >= 0 && t.vtid != t.tid);
}

// A field of the event's container entry; host_value is what the host shows (null: absent).
template <typename F>
filter::field_table::factory container_view(const char* host_value, F get) {
    return simple([host_value, get](const event_context& c, value_list& out) {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        if (on_host(c, *t)) {
            if (!host_value) return false;
            out.push_back(value_view::text(host_value));
            return true;
        }
        if (!t->container) return false;
        const std::string* v = get(*t->container);
        if (!v || v->empty()) return false;
        out.push_back(value_view::text(*v));
        return true;
    });
}

// What a container.mount* argument selects: an index, or a glob on the source (on the
// destination for container.mount.source).
struct mount_selector {
    long index = -1;
    std::string glob;
    bool by_dest = false;

    const container_mount* pick(const container_info& ci) const {
        if (index >= 0) return static_cast<size_t>(index) < ci.mounts.size() ? &ci.mounts[index] : nullptr;
        for (const auto& m : ci.mounts) {
            if (fnmatch(glob.c_str(), (by_dest ? m.dest : m.source).c_str(), 0) == 0) return &m;
        }
        return nullptr;
    }
};

enum class mount_part { whole, source, dest, mode, rdwr, propagation };

filter::field_table::factory mount_field(mount_part part) {
    return [part](const std::optional<std::string>& arg, field_descriptor& info,
                  std::string& error) -> std::unique_ptr<field_extractor> {
        if (!arg || arg->empty()) {
            error = "'" + info.name + "' needs a mount index or path, as in " + info.name + "[0]";
            return nullptr;
        }
        mount_selector sel;
        char* end = nullptr;
        const long n = std::strtol(arg->c_str(), &end, 10);
        if (*end == '\0' && n >= 0) {
            sel.index = n;
        } else {
            sel.glob = *arg;
            sel.by_dest = part == mount_part::source;
        }
        auto f = [sel, part, buf = std::string()](const event_context& c, value_list& out) mutable {
            const thread_info* t = c.evt->thread;
            if (!t || on_host(c, *t) || !t->container) return false;
            const container_mount* m = sel.pick(*t->container);
            if (!m) return false;
            switch (part) {
                case mount_part::whole:
                    buf.clear();
                    m->append_text(buf);
                    out.push_back(value_view::text(buf));
                    break;
                case mount_part::source:
                    out.push_back(value_view::text(m->source));
                    break;
                case mount_part::dest:
                    out.push_back(value_view::text(m->dest));
                    break;
                case mount_part::mode:
                    out.push_back(value_view::text(m->mode));
                    break;
                case mount_part::rdwr:
                    out.push_back(value_view::text(m->rdwr ? "true" : "false"));
                    break;
                case mount_part::propagation:
                    out.push_back(value_view::text(m->propagation));
                    break;
            }
            return true;
        };
        return std::make_unique<lambda_extractor<decltype(f)>>(std::move(f));
    };
}

// container.label[KEY] / k8s.pod.label[KEY]. Labels of a pod may sit on its sandbox's entry.
template <typename F>
filter::field_table::factory label_field(F lookup) {
    return [lookup](const std::optional<std::string>& arg, field_descriptor& info,
                    std::string& error) -> std::unique_ptr<field_extractor> {
        if (!arg || arg->empty()) {
            error = "'" + info.name + "' needs a label name, as in " + info.name + "[app]";
            return nullptr;
        }
        auto f = [key = *arg, lookup](const event_context& c, value_list& out) {
            const thread_info* t = c.evt->thread;
            if (!t || !t->container) return false;
            const std::string* v = lookup(c, *t->container, key);
            if (!v) return false;
            out.push_back(value_view::text(*v));
            return true;
        };
        return std::make_unique<lambda_extractor<decltype(f)>>(std::move(f));
    };
}

const std::string* label_of(const container_info& ci, std::string_view key) {
    return ci.label(key);
}

// The pod's sandbox entry: CRI runtimes report pod-level facts (labels, IP, CNI result) with
// the sandbox, which has a container entry of its own.
const container_info* sandbox_of(const event_context& c, const container_info& ci) {
    if (ci.pod_sandbox_id.empty()) return nullptr;
    return c.insp->containers().find(std::string_view(ci.pod_sandbox_id).substr(0, 12));
}

// A pod-level string: the container's own, else its sandbox's.
template <typename M>
const std::string* pod_value(const event_context& c, const container_info& ci, M member) {
    if (!(ci.*member).empty()) return &(ci.*member);
    const container_info* s = sandbox_of(c, ci);
    if (s && !(s->*member).empty()) return &(s->*member);
    return nullptr;
}

const std::string* sandbox_id(const container_info& ci) {
    if (!ci.pod_sandbox_id.empty()) return &ci.pod_sandbox_id;
    return ci.label("io.kubernetes.sandbox.id");
}

void add_container_identity(filter::field_table& t) {
    t.add(describe("container.id", PT_CHARBUF,
                   "Short container id (12 characters) from the thread's cgroups; 'host' outside containers.",
                   0, 3),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th) return false;
              out.push_back(value_view::text(on_host(c, *th) ? std::string_view("host")
                                                             : c.insp->str(th->container_id)));
              return true;
          }));
    t.add(describe("container.full_id", PT_CHARBUF,
                   "Full container id (64 characters); 'host' outside containers.", 0, 4),
          container_view("host", [](const container_info& ci) { return &ci.full_id; }));
    t.add(describe("container.name", PT_CHARBUF,
                   "Container name from the runtime; 'host' outside containers.", 0, 4),
          container_view("host", [](const container_info& ci) { return &ci.name; }));
    t.add(describe("container.image", PT_CHARBUF, "Container image name (e.g. falcosecurity/falco:latest).",
                   0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.image; }));
    t.add(describe("container.image.id", PT_CHARBUF, "Container image id (e.g. 6f7e2741b66b).", 0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.image_id; }));
    t.add(
        describe("container.type", PT_CHARBUF,
                 "Container runtime: docker, containerd, cri-o, podman...; 'host' outside containers.", 0, 4),
        container_view("host", [](const container_info& ci) { return &ci.type; }));
    t.add(describe("container.privileged", PT_BOOL,
                   "True for privileged containers (reported by docker-compatible runtimes only).", 0, 4),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || on_host(c, *th) || !th->container || !th->container->privileged_known) return false;
              out.push_back(value_view::boolean(th->container->privileged));
              return true;
          }));
    t.add(describe("container.image.repository", PT_CHARBUF,
                   "Container image repository (e.g. falcosecurity/falco).", 0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.image_repo; }));
    t.add(describe("container.image.tag", PT_CHARBUF, "Container image tag (e.g. latest).", 0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.image_tag; }));
    t.add(
        describe("container.image.digest", PT_CHARBUF, "Container image registry digest (sha256:...).", 0, 4),
        container_view(nullptr, [](const container_info& ci) { return &ci.image_digest; }));
    t.add(describe("container.ip", PT_CHARBUF, "Primary IPv4 address of the container or its pod.", 0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.ip; }));
    t.add(describe("container.cni.json", PT_CHARBUF,
                   "CNI result of the container's pod, as JSON (CRI runtimes).", 0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.cni_json; }));
}

void add_container_mounts(filter::field_table& t) {
    t.add(
        describe("container.mounts", PT_CHARBUF,
                 "The container's mounts, comma separated, each 'source:dest:mode:rdwr:propagation'.", 0, 4),
        simple([](const event_context& c, value_list& out) {
            const thread_info* th = c.evt->thread;
            if (!th || on_host(c, *th) || !th->container) return false;
            out.push_back(value_view::text(th->container->mounts_text));
            return true;
        }));
    static const struct {
        const char* name;
        mount_part part;
        const char* what;
    } mounts[] = {
        {"container.mount", mount_part::whole,
         "One mount, by index (container.mount[0]) or source glob (container.mount[/usr/*]): "
         "'source:dest:mode:rdwr:propagation'."},
        {"container.mount.source", mount_part::source,
         "Source of a mount, by index or destination glob (container.mount.source[/host/lib/modules])."},
        {"container.mount.dest", mount_part::dest, "Destination of a mount, by index or source glob."},
        {"container.mount.mode", mount_part::mode, "Mode of a mount, by index or source glob."},
        {"container.mount.rdwr", mount_part::rdwr,
         "Whether a mount is read-write ('true'/'false'), by index or source glob."},
        {"container.mount.propagation", mount_part::propagation,
         "Propagation of a mount, by index or source glob."},
    };
    for (const auto& m : mounts)
        t.add(describe(m.name, PT_CHARBUF, m.what, filter::FIELD_ARG_REQUIRED, 6), mount_field(m.part));
}

void add_container_probes_and_times(filter::field_table& t) {
    t.add(describe("container.healthcheck", PT_CHARBUF,
                   "The container's health check command line; 'NONE' when it has none.", 0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.healthcheck_text; }));
    t.add(describe("container.liveness_probe", PT_CHARBUF,
                   "The container's liveness probe command line; 'NONE' when it has none.", 0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.liveness_text; }));
    t.add(describe("container.readiness_probe", PT_CHARBUF,
                   "The container's readiness probe command line; 'NONE' when it has none.", 0, 4),
          container_view(nullptr, [](const container_info& ci) { return &ci.readiness_text; }));
    t.add(describe("container.start_ts", PT_UINT64,
                   "Container start, nanoseconds since the epoch: the start of its pid namespace's init "
                   "(proc.pidns_init_start_ts, from the kernel).",
                   0, 2),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || on_host(c, *th) || th->pidns_init_start_ts == 0) return false;
              out.push_back(value_view::number(th->pidns_init_start_ts));
              return true;
          }));
    t.add(describe("container.duration", PT_RELTIME, "Nanoseconds since container.start_ts.", 0, 2),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || on_host(c, *th) || th->pidns_init_start_ts == 0 ||
                  th->pidns_init_start_ts > c.evt->ts())
                  return false;
              out.push_back(value_view::number(c.evt->ts() - th->pidns_init_start_ts));
              return true;
          }));
    t.add(describe("container.label", PT_CHARBUF,
                   "One label of the container: container.label[com.example.key].",
                   filter::FIELD_ARG_REQUIRED, 6),
          label_field([](const event_context&, const container_info& ci, const std::string& key) {
              return label_of(ci, key);
          }));
    t.add(describe("container.labels", PT_CHARBUF, "The container's labels, 'key:value' joined with ', '.", 0,
                   4),
          container_view(nullptr, [](const container_info& ci) { return &ci.labels_text; }));
}

void add_k8s_fields(filter::field_table& t) {
    struct label_def {
        const char* name;
        const char* label;
        const char* what;
    };
    static const label_def from_labels[] = {
        {"k8s.pod.name", "io.kubernetes.pod.name", "Name of the Kubernetes pod, from the runtime's labels."},
        {"k8s.ns.name", "io.kubernetes.pod.namespace",
         "Namespace of the Kubernetes pod, from the runtime's labels."},
        {"k8s.pod.uid", "io.kubernetes.pod.uid", "UID of the Kubernetes pod, from the runtime's labels."},
        {"k8s.pod.id", "io.kubernetes.pod.uid", "Legacy name of k8s.pod.uid."},
    };
    for (const auto& d : from_labels) {
        const char* label = d.label;
        t.add(describe(d.name, PT_CHARBUF, d.what, 0, 5),
              simple([label](const event_context& c, value_list& out) {
                  const thread_info* th = c.evt->thread;
                  if (!th || !th->container) return false;
                  const std::string* v = th->container->label(label);
                  if (!v) return false;
                  out.push_back(value_view::text(*v));
                  return true;
              }));
    }
    t.add(describe("k8s.pod.sandbox_id", PT_CHARBUF, "Short id (12 characters) of the pod's sandbox.", 0, 5),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || !th->container) return false;
              const std::string* v = sandbox_id(*th->container);
              if (!v || v->empty()) return false;
              out.push_back(value_view::text(std::string_view(*v).substr(0, 12)));
              return true;
          }));
    t.add(describe("k8s.pod.full_sandbox_id", PT_CHARBUF, "Full id of the pod's sandbox.", 0, 5),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || !th->container) return false;
              const std::string* v = sandbox_id(*th->container);
              if (!v || v->empty()) return false;
              out.push_back(value_view::text(*v));
              return true;
          }));
    t.add(describe("k8s.pod.label", PT_CHARBUF,
                   "One label of the pod: k8s.pod.label[app] or k8s.pod.label.app (CRI runtimes).",
                   filter::FIELD_ARG_REQUIRED, 6),
          label_field([](const event_context& c, const container_info& ci, const std::string& key) {
              if (const std::string* v = ci.pod_label(key)) return v;
              const container_info* s = sandbox_of(c, ci);
              return s ? s->pod_label(key) : nullptr;
          }));
    t.add(describe("k8s.pod.labels", PT_CHARBUF, "The pod's labels, 'key:value' joined with ', '.", 0, 5),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || !th->container) return false;
              const std::string* v = pod_value(c, *th->container, &container_info::pod_labels_text);
              if (!v) return false;
              out.push_back(value_view::text(*v));
              return true;
          }));
    t.add(describe("k8s.pod.ip", PT_CHARBUF, "Primary IPv4 address of the pod.", 0, 5),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || !th->container || sandbox_id(*th->container) == nullptr) return false;
              const std::string* v = pod_value(c, *th->container, &container_info::ip);
              if (!v) return false;
              out.push_back(value_view::text(*v));
              return true;
          }));
    t.add(describe("k8s.pod.cni.json", PT_CHARBUF, "CNI result of the pod, as JSON.", 0, 5),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || !th->container) return false;
              const std::string* v = pod_value(c, *th->container, &container_info::cni_json);
              if (!v) return false;
              out.push_back(value_view::text(*v));
              return true;
          }));
}

}  // namespace

void add_container_fields(filter::field_table& t) {
    add_container_identity(t);
    add_container_mounts(t);
    add_container_probes_and_times(t);
}

void add_k8s_fields_class(filter::field_table& t) {
    add_k8s_fields(t);
}

}  // namespace sinsp::fields
