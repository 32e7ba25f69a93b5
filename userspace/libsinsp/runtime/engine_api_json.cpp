// Docker's inspect answer (also Podman's, through its Docker-compatible API) to a container_info.
#include <nlohmann/json.hpp>

#include <ctime>

#include "sinsp/container_runtime.h"

namespace sinsp {

namespace {

using json = nlohmann::json;

const json* member(const json& o, const char* key) {
    if (!o.is_object()) return nullptr;
    const auto it = o.find(key);
    return it == o.end() || it->is_null() ? nullptr : &*it;
}

std::string text(const json& o, const char* key) {
    const json* v = member(o, key);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

// "2024-05-01T10:20:30.123456789Z" (RFC 3339, UTC as the Engine API gives it) to seconds.
int64_t rfc3339_seconds(const std::string& s) {
    struct tm tm {};
    if (!::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
    return static_cast<int64_t>(::timegm(&tm));
}

// "registry:5000/team/app:1.2@sha256:..." -> repository, tag, digest. A ':' after the last '/'
// starts the tag; '@' starts the digest.
void split_image(const std::string& image, container_info& out) {
    std::string rest = image;
    const size_t at = rest.find('@');
    if (at != std::string::npos) {
        out.image_digest = rest.substr(at + 1);
        rest.resize(at);
    }
    const size_t slash = rest.rfind('/');
    const size_t colon = rest.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        out.image_tag = rest.substr(colon + 1);
        rest.resize(colon);
    }
    out.image_repo = rest;
    if (out.image_tag.empty() && out.image_digest.empty()) out.image_tag = "latest";
}

// Config.Healthcheck.Test: ["CMD", exe, args...] or ["CMD-SHELL", "command"] (run by /bin/sh -c);
// ["NONE"] or nothing: no probe.
void read_healthcheck(const json& config, container_probe& p) {
    const json* hc = member(config, "Healthcheck");
    const json* test = hc ? member(*hc, "Test") : nullptr;
    if (!test || !test->is_array() || test->empty() || !(*test)[0].is_string()) return;
    const std::string kind = (*test)[0].get<std::string>();
    std::vector<std::string> words;
    for (size_t i = 1; i < test->size(); ++i)
        if ((*test)[i].is_string()) words.push_back((*test)[i].get<std::string>());
    if (kind == "CMD-SHELL" && !words.empty()) {
        p.exe = "/bin/sh";
        p.args = {"-c", words[0]};
    } else if (kind == "CMD" && !words.empty()) {
        p.exe = words[0];
        p.args.assign(words.begin() + 1, words.end());
    } else {
        return;
    }
    p.configured = true;
}

}  // namespace

bool container_from_engine_api(std::string_view text_in, std::string_view type, container_info& out,
                               std::string& error) {
    const json root = json::parse(text_in.begin(), text_in.end(), nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        error = "runtime answer is not a JSON object";
        return false;
    }
    out = container_info{};
    out.full_id = text(root, "Id");
    if (out.full_id.size() < 12) {
        error = "runtime answer has no container Id";
        return false;
    }
    out.id = out.full_id.substr(0, 12);
    out.type = std::string(type);
    out.name = text(root, "Name");
    if (!out.name.empty() && out.name.front() == '/') out.name.erase(0, 1);
    out.created_time = rfc3339_seconds(text(root, "Created"));
    // The image id without its algorithm, as container.image.id shows it.
    out.image_id = text(root, "Image");
    if (out.image_id.compare(0, 7, "sha256:") == 0) out.image_id.erase(0, 7);
    static const json k_empty = json::object();
    const json* config = member(root, "Config");
    const json& cfg = config ? *config : k_empty;
    out.image = text(cfg, "Image");
    split_image(out.image, out);
    if (const json* labels = member(cfg, "Labels"); labels && labels->is_object()) {
        for (auto it = labels->begin(); it != labels->end(); ++it)
            out.labels.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
    }
    read_healthcheck(cfg, out.healthcheck);
    if (const json* host = member(root, "HostConfig")) {
        if (const json* priv = member(*host, "Privileged"); priv && priv->is_boolean()) {
            out.privileged = priv->get<bool>();
            out.privileged_known = true;
        }
    }
    if (const json* mounts = member(root, "Mounts"); mounts && mounts->is_array()) {
        for (const json& m : *mounts) {
            container_mount mi;
            mi.source = text(m, "Source");
            mi.dest = text(m, "Destination");
            mi.mode = text(m, "Mode");
            const json* rw = member(m, "RW");
            mi.rdwr = rw && rw->is_boolean() && rw->get<bool>();
            mi.propagation = text(m, "Propagation");
            out.mounts.push_back(std::move(mi));
        }
    }
    if (const json* net = member(root, "NetworkSettings")) {
        out.ip = text(*net, "IPAddress");
        const json* nets = member(*net, "Networks");
        if (out.ip.empty() && nets && nets->is_object()) {
            for (auto it = nets->begin(); it != nets->end() && out.ip.empty(); ++it)
                out.ip = text(*it, "IPAddress");
        }
    }
    // Kubernetes pods run by dockershim/cri-dockerd carry the sandbox in a label.
    for (const auto& [k, v] : out.labels)
        if (k == "io.kubernetes.sandbox.id") out.pod_sandbox_id = v;
    out.from_metadata = true;
    out.finish();
    return true;
}

}  // namespace sinsp
