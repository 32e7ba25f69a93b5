// Containers: ids from cgroup layouts, container JSON both ways, the fields over a capture with
// Docker container events, and health-probe roles over a hand-built event stream.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "event_builder.h"
#include "event_feeder.h"
#include "field_probe.h"
#include "scap/snapshot.h"
#include "sinsp/container.h"
#include "sinsp/inspector.h"

namespace {

using scap::test::bytes;
using scap::test::str;

const std::string k_id = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";

std::string cg(std::initializer_list<std::string> entries) {
    std::string s;
    for (const auto& e : entries) s += e + '\0';
    return s;
}

TEST(ContainerCgroups, RuntimeLayouts) {
    struct layout {
        std::string path;
        const char* type;
    } layouts[] = {
        {"/docker/" + k_id, "docker"},
        {"/system.slice/docker-" + k_id + ".scope", "docker"},
        {"/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + k_id + ".scope", "containerd"},
        {"/kubepods.slice/kubepods-burstable.slice/crio-" + k_id + ".scope", "cri-o"},
        {"/machine.slice/libpod-" + k_id + ".scope/container", "podman"},
        {"/kubepods/besteffort/pod0b9c/" + k_id, ""},
    };
    for (const auto& l : layouts) {
        const std::string cgroups = cg({"cpu=/", "memory=" + l.path});  // the result points into it
        const auto r = sinsp::container_from_cgroups(cgroups);
        EXPECT_EQ(r.id, k_id.substr(0, 12)) << l.path;
        EXPECT_EQ(r.full, k_id) << l.path;
        EXPECT_STREQ(r.type, l.type) << l.path;
    }
}

TEST(ContainerCgroups, NotContainers) {
    const std::vector<std::string> paths = {
        "/", "/user.slice/user-1000.slice/session-2.scope",
        "/machine.slice/libpod-conmon-" + k_id + ".scope",  // podman's monitor
        "/docker/" + k_id.substr(0, 63), "/system.slice/docker.service"};
    for (const auto& path : paths) {
        const std::string cgroups = cg({"memory=" + path});
        EXPECT_TRUE(sinsp::container_from_cgroups(cgroups).id.empty()) << path;
    }
}

TEST(ContainerJson, ReferenceShape) {
    const std::string json =
        R"({"container":{"id":"3ad7b26ded6d","full_id":")" + k_id +
        R"(","type":7,"name":"web","image":"nginx:1.25","imageid":"abc","imagerepo":"nginx",
        "imagetag":"1.25","imagedigest":"sha256:00","privileged":true,"ip":"10.0.0.7","cni_json":"{}",
        "pod_sandbox_id":"63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a",
        "Mounts":[{"Source":"/var/run/docker.sock","Destination":"/run/docker.sock","Mode":"","RW":true,
                   "Propagation":"rprivate"}],
        "labels":{"io.kubernetes.pod.name":"web-0","io.kubernetes.pod.namespace":"prod","app":"web"},
        "Healthcheck":{"exe":"curl","args":["-f","localhost"]}}})";
    sinsp::container_info c;
    std::string err;
    ASSERT_TRUE(sinsp::parse_container_json(json, c, err)) << err;
    EXPECT_EQ(c.id, "3ad7b26ded6d");
    EXPECT_EQ(c.full_id, k_id);
    EXPECT_EQ(c.type, "containerd");
    EXPECT_EQ(c.image_repo, "nginx");
    // Only docker-compatible runtimes report privileged.
    EXPECT_FALSE(c.privileged_known);
    EXPECT_EQ(c.mounts_text, "/var/run/docker.sock:/run/docker.sock::true:rprivate");
    // Sorted by key, as the reference keeps labels.
    EXPECT_EQ(c.labels_text, "app:web, io.kubernetes.pod.name:web-0, io.kubernetes.pod.namespace:prod");
    EXPECT_EQ(c.healthcheck_text, "curl -f localhost");
    EXPECT_EQ(c.liveness_text, "NONE");
    EXPECT_EQ(c.probe_role("curl", std::string("-f\0localhost\0", 13)), sinsp::container_role::healthcheck);
    EXPECT_EQ(c.probe_role("curl", std::string("-f\0", 3)), sinsp::container_role::none);

    // What we write reads back the same.
    sinsp::container_info back;
    ASSERT_TRUE(sinsp::parse_container_json(sinsp::container_to_json(c), back, err)) << err;
    EXPECT_EQ(back.full_id, c.full_id);
    EXPECT_EQ(back.type, c.type);
    EXPECT_EQ(back.mounts_text, c.mounts_text);
    EXPECT_EQ(back.labels_text, c.labels_text);
    EXPECT_EQ(back.healthcheck_text, c.healthcheck_text);
    EXPECT_EQ(back.pod_sandbox_id, c.pod_sandbox_id);
}

TEST(ContainerJson, ConverterShapeAndBadInput) {
    sinsp::container_info c;
    std::string err;
    // What the converter makes of the oldest binary container event: no "container" wrapper.
    ASSERT_TRUE(
        sinsp::parse_container_json(R"({"id":"ad64969c62e5","type":0,"name":"n","image":"node"})", c, err));
    EXPECT_EQ(c.type, "docker");
    EXPECT_EQ(c.name, "n");
    EXPECT_FALSE(sinsp::parse_container_json("{\"container\":", c, err));
    EXPECT_NE(err.find("not a JSON object"), std::string::npos) << err;
    EXPECT_FALSE(sinsp::parse_container_json(R"({"container":{"name":"x"}})", c, err));
    EXPECT_NE(err.find("no container id"), std::string::npos) << err;
}

// The shared capture with Docker container events: values read off its container events.
TEST(ContainerFields, DockerCapture) {
    sinsp::inspector insp;
    scap_test::field_probe probe({"container.id", "container.name", "container.image", "container.type",
                                  "container.ip", "container.full_id", "container.privileged", "k8s.pod.name",
                                  "fd.containername"});
    size_t in_container = 0, on_host = 0;
    scap_test::for_each_match(insp, "falco_open-multiple-files.scap", "evt.type=procinfo",
                              [&](const sinsp::event& e) {
                                  const std::string id = probe.text("container.id", e, insp);
                                  // Procinfo of a thread the snapshot lacks (a kernel thread) has
                                  // no thread: it is looked up, not invented.
                                  if (id == "<NA>") return;
                                  if (id == "host") {
                                      ++on_host;
                                      EXPECT_EQ(probe.text("container.name", e, insp), "host");
                                      EXPECT_EQ(probe.text("container.image", e, insp), "<NA>");
                                      return;
                                  }
                                  ++in_container;
                                  if (id == "ad64969c62e5") {
                                      EXPECT_EQ(probe.text("container.name", e, insp), "express_server");
                                      EXPECT_EQ(probe.text("container.image", e, insp), "node:latest");
                                      EXPECT_EQ(probe.text("container.ip", e, insp), "172.17.0.2");
                                  } else {
                                      EXPECT_EQ(id, "5ea733068030");
                                      EXPECT_EQ(probe.text("container.name", e, insp), "falco");
                                  }
                                  EXPECT_EQ(probe.text("container.type", e, insp), "docker");
                                  // From the cgroups: the events only carry the short id.
                                  EXPECT_EQ(probe.text("container.full_id", e, insp).substr(0, 12), id);
                                  EXPECT_EQ(probe.text("k8s.pod.name", e, insp), "<NA>");
                              });
    EXPECT_GT(in_container, 0u);
    EXPECT_GT(on_host, 0u);
    EXPECT_EQ(insp.stats().container_events, 3u);
}

// Health probes, by the reference's rule: the probe's command line, started from outside the
// container's init; its children inherit the role; the container's own processes do not.
class ContainerRoles : public ::testing::Test {
  protected:
    static bytes make(uint16_t type, uint64_t tid, const std::map<std::string, bytes>& params) {
        return scap::test::make_event(type, tid, params);
    }
    const sinsp::event& feed(const bytes& e) { return scap::test::feed_event(insp, m_keep, e); }
    static bytes raw(const std::string& s) { return bytes(s.begin(), s.end()); }
    // An exec in `tid` (process `tid`, parent `ptid`) of exe with args, in the container.
    void exec(uint64_t tid, uint64_t ptid, const std::string& exe, const std::string& args) {
        feed(make(PPME_SYSCALL_EXECVE_19_X, tid,
                  {{"exe", str(exe)},
                   {"args", raw(args)},
                   {"pid", scap::test::val<int64_t>(tid)},
                   {"ptid", scap::test::val<int64_t>(ptid)},
                   {"comm", str(exe)},
                   {"cgroups", raw(cg({"memory=/docker/" + k_id}))}}));
    }
    bool role(uint64_t tid, const char* field) {
        const sinsp::thread_info* t = insp.threads().find(static_cast<int64_t>(tid));
        EXPECT_NE(t, nullptr);
        if (!t) return false;
        if (std::string(field) == "health") return t->role == sinsp::container_role::healthcheck;
        return t->role == sinsp::container_role::init;
    }
    sinsp::inspector insp;
    bytes m_keep;
};

TEST_F(ContainerRoles, HealthcheckProcessesAreRecognised) {
    scap::snapshot snap;
    for (uint64_t tid : {50u, 60u}) {  // 50: the runtime's shim on the host, 60: the container's init
        scap::process_info p;
        p.tid = p.pid = tid;
        p.ptid = 1;
        p.comm = p.exe = tid == 50 ? "containerd-shim" : "nginx";
        p.vtid = p.vpid = tid == 50 ? 50 : 1;
        if (tid == 60) p.cgroups = cg({"memory=/docker/" + k_id});
        snap.processes.push_back(p);
    }
    insp.load_snapshot(snap);
    feed(
        make(PPME_CONTAINER_JSON_2_E, 50,
             {{"json",
               str(R"({"container":{"id":")" + k_id.substr(0, 12) +
                   R"(","type":0,"name":"web","Healthcheck":{"exe":"curl","args":["-f","localhost"]}}})")}}));
    EXPECT_EQ(insp.stats().container_events, 1u);
    exec(70, 50, "curl", std::string("-f\0localhost\0", 13));  // the probe, started by the shim
    EXPECT_TRUE(role(70, "health"));
    exec(71, 70, "sh", "");  // something the probe starts
    EXPECT_TRUE(role(71, "health"));
    exec(72, 60, "curl", std::string("-f\0localhost\0", 13));  // the same command under the init
    EXPECT_FALSE(role(72, "health"));
    exec(73, 50, "curl", std::string("-v\0", 3));  // another command line
    EXPECT_FALSE(role(73, "health"));
}

}  // namespace
