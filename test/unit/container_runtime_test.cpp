// Container metadata from a runtime's Engine API socket: the HTTP framing, the inspect JSON, the
// fetcher against a local fake runtime (answers, 404s, a runtime that never answers, the queue
// bound), and the inspector turning answers into container events in its stream.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "runtime/unix_http.h"
#include "scap/engine.h"
#include "scap/scap.h"
#include "sinsp/container_runtime.h"
#include "sinsp/inspector.h"
#include "test_paths.h"

namespace {

const std::string k_full_id = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";

// What `docker inspect` gives (trimmed to what is read, plus noise that must be ignored).
std::string inspect_json(const std::string& id) {
    return R"({"Id":")" + id + R"(","Created":"2024-05-01T10:20:30.123456789Z","Name":"/web",
      "Image":"sha256:0123456789abcdef","State":{"Status":"running","Pid":4242},
      "Config":{"Image":"registry.local:5000/team/nginx:1.25","Labels":{"app":"web","tier":"front"},
                "Healthcheck":{"Test":["CMD-SHELL","curl -f http://localhost/"]}},
      "HostConfig":{"Privileged":true},
      "Mounts":[{"Type":"bind","Source":"/srv/www","Destination":"/usr/share/nginx/html","Mode":"ro",
                 "RW":false,"Propagation":"rprivate"}],
      "NetworkSettings":{"IPAddress":"","Networks":{"bridge":{"IPAddress":"172.17.0.5"}}}})";
}

// A fake runtime: a unix socket server on a thread, one connection at a time, answering with
// what `respond` returns for each request line ("" = never answer until the test ends).
class fake_runtime {
  public:
    explicit fake_runtime(const std::string& name, std::function<std::string(const std::string&)> respond)
        : m_path(scap_test::temp_dir(name) + "/api.sock"), m_respond(std::move(respond)) {
        ::unlink(m_path.c_str());
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, m_path.c_str(), sizeof a.sun_path - 1);
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(m_fd, 16), 0);
        m_thread = std::thread([this] { serve(); });
    }
    ~fake_runtime() {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        m_thread.join();
        ::close(m_fd);
        ::unlink(m_path.c_str());
    }
    const std::string& path() const { return m_path; }
    int requests() const { return m_requests.load(); }

  private:
    void serve() {
        while (!m_stop) {
            const int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) return;
            std::string req;
            char buf[4096];
            while (req.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                req.append(buf, static_cast<size_t>(n));
            }
            ++m_requests;
            const std::string answer = m_respond(req.substr(0, req.find("\r\n")));
            if (answer.empty()) {  // a runtime that hangs: hold the connection until the end
                while (!m_stop) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            } else {
                ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
            }
            ::close(c);
        }
    }

    std::string m_path;
    std::function<std::string(const std::string&)> m_respond;
    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_requests{0};
    std::thread m_thread;
};

std::string http(int status, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

// Serves the inspect JSON for k_full_id (by full id or any prefix), 404 otherwise.
std::string docker_like(const std::string& request_line) {
    const std::string prefix = "GET /containers/";
    if (request_line.compare(0, prefix.size(), prefix) != 0) return http(400, "{}");
    const std::string id =
        request_line.substr(prefix.size(), request_line.find('/', prefix.size()) - prefix.size());
    if (k_full_id.compare(0, id.size(), id) == 0) return http(200, inspect_json(k_full_id));
    return http(404, R"({"message":"No such container"})");
}

// Polls until pred holds or 5 s pass.
template <typename F>
bool eventually(F pred) {
    for (int i = 0; i < 500; ++i) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

TEST(ContainerRuntimeHttp, FramingByLengthChunksAndErrors) {
    sinsp::runtime::http_answer a;
    std::string err;
    ASSERT_TRUE(
        sinsp::runtime::parse_http_answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello+extra", a, err));
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, "hello");
    ASSERT_TRUE(sinsp::runtime::parse_http_answer(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n", a,
        err));
    EXPECT_EQ(a.body, "Wikipedia");
    ASSERT_TRUE(sinsp::runtime::parse_http_answer("HTTP/1.0 404 Not Found\r\n\r\nnope", a, err));
    EXPECT_EQ(a.status, 404);
    EXPECT_EQ(a.body, "nope");
    EXPECT_FALSE(
        sinsp::runtime::parse_http_answer("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", a, err));
    EXPECT_NE(err.find("Content-Length"), std::string::npos);
    EXPECT_FALSE(sinsp::runtime::parse_http_answer("SSH-2.0-OpenSSH\r\n\r\n", a, err));
    EXPECT_FALSE(sinsp::runtime::parse_http_answer("HTTP/1.1 200 OK\r\nContent-Len", a, err));
    EXPECT_FALSE(sinsp::runtime::parse_http_answer("HTTP/1.1 2x0 OK\r\n\r\n", a, err));
    EXPECT_FALSE(sinsp::runtime::parse_http_answer(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nab", a, err));
}

TEST(ContainerRuntimeJson, InspectAnswerToContainerInfo) {
    sinsp::container_info c;
    std::string err;
    ASSERT_TRUE(sinsp::container_from_engine_api(inspect_json(k_full_id), "docker", c, err)) << err;
    EXPECT_EQ(c.id, k_full_id.substr(0, 12));
    EXPECT_EQ(c.full_id, k_full_id);
    EXPECT_EQ(c.type, "docker");
    EXPECT_EQ(c.name, "web");
    EXPECT_EQ(c.image, "registry.local:5000/team/nginx:1.25");
    EXPECT_EQ(c.image_repo, "registry.local:5000/team/nginx");
    EXPECT_EQ(c.image_tag, "1.25");
    EXPECT_EQ(c.image_id, "0123456789abcdef");
    EXPECT_EQ(c.ip, "172.17.0.5");
    EXPECT_TRUE(c.privileged);
    EXPECT_TRUE(c.privileged_known);
    EXPECT_EQ(c.created_time, 1714558830);
    ASSERT_EQ(c.mounts.size(), 1u);
    EXPECT_EQ(c.mounts[0].source, "/srv/www");
    EXPECT_FALSE(c.mounts[0].rdwr);
    ASSERT_NE(c.label("tier"), nullptr);
    EXPECT_EQ(*c.label("tier"), "front");
    EXPECT_EQ(c.healthcheck.command_line(), "/bin/sh -c curl -f http://localhost/");
    EXPECT_TRUE(c.from_metadata);
    EXPECT_FALSE(sinsp::container_from_engine_api("[1,2]", "docker", c, err));
    EXPECT_FALSE(sinsp::container_from_engine_api(R"({"Id":"abc"})", "docker", c, err));
    EXPECT_FALSE(sinsp::container_from_engine_api("{not json", "docker", c, err));
}

TEST(ContainerRuntimeFetcher, AnswersNotFoundAndAskedOnce) {
    fake_runtime rt("ContainerRuntimeFetcher_Answers", docker_like);
    sinsp::container_runtime_options o;
    o.sockets = {"/nonexistent/docker.sock", rt.path()};  // the first is skipped, not a failure
    sinsp::container_metadata_fetcher f(o);
    EXPECT_FALSE(f.has_ready());
    EXPECT_TRUE(f.request(k_full_id));
    EXPECT_FALSE(f.request(k_full_id));  // asked once
    EXPECT_TRUE(f.request("0123456789ab"));
    EXPECT_FALSE(f.request("../../etc/passwd"));  // not an id: never sent
    ASSERT_TRUE(eventually([&] {
        const auto s = f.stats();
        return s.found + s.not_found + s.failed == 2;
    }));
    sinsp::container_info c;
    ASSERT_TRUE(f.take(c));
    EXPECT_EQ(c.name, "web");
    EXPECT_FALSE(f.take(c));
    EXPECT_FALSE(f.has_ready());
    const auto s = f.stats();
    EXPECT_EQ(s.requested, 2u);
    EXPECT_EQ(s.found, 1u);
    EXPECT_EQ(s.not_found, 1u);
    EXPECT_EQ(s.failed, 0u);
    EXPECT_EQ(rt.requests(), 2);
}

TEST(ContainerRuntimeFetcher, HangingRuntimeTimesOutAndQueueIsBounded) {
    fake_runtime rt("ContainerRuntimeFetcher_Hang", [](const std::string&) { return std::string(); });
    sinsp::container_runtime_options o;
    o.sockets = {rt.path()};
    o.timeout_ms = 200;
    o.max_pending = 2;
    sinsp::container_metadata_fetcher f(o);
    const auto t0 = std::chrono::steady_clock::now();
    // The worker takes the first at once; two more fill the queue; the rest are refused.
    EXPECT_TRUE(f.request("aaaaaaaaaaaa"));
    ASSERT_TRUE(eventually([&] { return rt.requests() == 1; }));
    EXPECT_TRUE(f.request("bbbbbbbbbbbb"));
    EXPECT_TRUE(f.request("cccccccccccc"));
    EXPECT_FALSE(f.request("dddddddddddd"));
    EXPECT_EQ(f.stats().refused_queue, 1u);
    ASSERT_TRUE(eventually([&] { return f.stats().failed == 3; }));
    // Three lookups of 200 ms each, one after the other: never stuck on a runtime that hangs.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
    sinsp::container_info c;
    EXPECT_FALSE(f.take(c));
}

TEST(ContainerRuntimeFetcher, GarbageAnswersAreFailuresNotCrashes) {
    int n = 0;
    fake_runtime rt("ContainerRuntimeFetcher_Garbage", [&n](const std::string&) {
        const char* answers[] = {"garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{x}",
                                 "HTTP/1.1 500 Oops\r\nContent-Length: 2\r\n\r\n{}"};
        return std::string(answers[n++ % 3]);
    });
    sinsp::container_runtime_options o;
    o.sockets = {rt.path()};
    sinsp::container_metadata_fetcher f(o);
    for (const char* id : {"aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"}) EXPECT_TRUE(f.request(id));
    ASSERT_TRUE(eventually([&] { return f.stats().failed == 3; }));
    EXPECT_EQ(f.stats().found, 0u);
}

// An engine with a snapshot (one process in a Docker container) and no events until the test
// has seen what it waits for.
class snapshot_only_engine : public scap::engine {
  public:
    explicit snapshot_only_engine(scap::snapshot s) : m_snap(std::move(s)) {}
    std::string_view name() const override { return "test"; }
    scap::status next(scap::event_ref&) override { return scap::status::timeout; }
    void get_stats(scap::engine_stats&) const override {}
    scap::status set_selection(const std::vector<bool>&) override { return scap::status::not_supported; }
    const scap::snapshot& get_snapshot() const override { return m_snap; }

  private:
    scap::snapshot m_snap;
};

TEST(ContainerRuntimeInspector, AnswersArriveAsContainerEvents) {
    fake_runtime rt("ContainerRuntimeInspector", docker_like);
    scap::snapshot snap;
    scap::process_info p;
    p.tid = p.pid = 4242;
    p.comm = "nginx";
    p.exe = "nginx";
    const std::string cg = "cpuset=/docker/" + k_full_id;
    p.cgroups.assign(cg.c_str(), cg.size() + 1);
    snap.upsert_process(p);
    sinsp::inspector_options io;
    io.container_runtime_lookups = true;
    io.container_runtime.sockets = {rt.path()};
    sinsp::inspector insp(io);
    // The state from the snapshot names the container; the container event comes once the
    // runtime answered, without any engine event in between.
    insp.load_snapshot(snap);
    insp.open(std::make_unique<snapshot_only_engine>(std::move(snap)));
    const sinsp::event* e = nullptr;
    scap::status st = scap::status::timeout;
    ASSERT_TRUE(eventually([&] {
        st = insp.next(e);
        return st == scap::status::ok;
    }));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->type(), PPME_CONTAINER_JSON_2_E);
    const sinsp::container_info* c = insp.containers().find(k_full_id.substr(0, 12));
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->name, "web");
    EXPECT_EQ(c->image_repo, "registry.local:5000/team/nginx");
    EXPECT_TRUE(c->from_metadata);
    // The thread points at the same entry, now filled.
    const auto* t = insp.threads().find(4242);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->container, c);
    EXPECT_EQ(insp.stats().container_events, 1u);
    EXPECT_EQ(insp.container_runtime().found, 1u);
    EXPECT_EQ(insp.next(e), scap::status::timeout);  // one answer, one event
}

}  // namespace
