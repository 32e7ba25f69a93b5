// Container metadata from the runtime's API socket, for live capture: threads' cgroups name a
// container (id and runtime) but nothing else; its name, image, labels, mounts, health probes and
// address come from the runtime (Docker's and Podman's Engine API: GET /containers/ID/json over
// a unix socket).
//
// Lookups never block the event path: request() queues an id for a worker thread, which asks the
// runtime with a timeout and caches the answer; ready results are taken on the event thread with
// take(). Everything is bounded: pending requests (past the bound a request is refused and
// counted), answers' sizes, the time one lookup may take.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "sinsp/container.h"

namespace sinsp {

struct container_runtime_options {
    // Engine API sockets tried in order for every lookup; the first that knows the id answers.
    // Default: Docker's and rootful Podman's usual places.
    std::vector<std::string> sockets = {"/var/run/docker.sock", "/run/podman/podman.sock"};
    // Bound on one lookup (connect, request, answer) per socket.
    int timeout_ms = 1000;
    // Requests waiting for the worker; past it request() refuses and counts.
    size_t max_pending = 1024;
    // Largest answer read (a container's inspect JSON is a few KiB; labels can make it larger).
    size_t max_answer_bytes = 4u << 20;
};

struct container_runtime_stats {
    uint64_t requested = 0;      // ids queued
    uint64_t found = 0;          // answered with metadata
    uint64_t not_found = 0;      // every socket answered 404 (or none was there)
    uint64_t failed = 0;         // errors: timeouts, refused connections, bad answers
    uint64_t refused_queue = 0;  // not queued: max_pending requests were waiting
};

// Reads Docker's inspect JSON (GET /containers/ID/json) into `out`; `type` is the runtime
// ("docker", "podman"). False, with the reason in `error`, when it is not that shape.
bool container_from_engine_api(std::string_view json, std::string_view type, container_info& out,
                               std::string& error);

class container_metadata_fetcher {
  public:
    explicit container_metadata_fetcher(container_runtime_options opts = {});
    ~container_metadata_fetcher();
    container_metadata_fetcher(const container_metadata_fetcher&) = delete;
    container_metadata_fetcher& operator=(const container_metadata_fetcher&) = delete;

    // Queues a lookup of a container (full or short id). Ids asked once are not asked again.
    // False when it was not queued (already asked, or the queue is full: counted).
    bool request(std::string_view id);
    // Cheap check for the event path: is there an answer to take?
    bool has_ready() const { return m_ready_count.load(std::memory_order_acquire) != 0; }
    // Moves one answer into `out`; false when none is ready.
    bool take(container_info& out);
    container_runtime_stats stats() const;

  private:
    void run();
    bool lookup(const std::string& id, container_info& out);

    const container_runtime_options m_opts;
    mutable std::mutex m_mu;
    std::condition_variable m_cv;
    std::deque<std::string> m_pending;
    std::deque<container_info> m_ready;
    std::unordered_set<std::string> m_asked;
    std::atomic<size_t> m_ready_count{0};
    container_runtime_stats m_stats;
    bool m_stop = false;
    std::thread m_worker;  // started by the first request
};

}  // namespace sinsp
