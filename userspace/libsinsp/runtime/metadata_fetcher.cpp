// The worker behind container_metadata_fetcher: one thread, one lookup at a time (runtimes answer
// in milliseconds and containers start far less often than that), answers handed back in order.
#include <utility>

#include "runtime/unix_http.h"
#include "sinsp/container_runtime.h"

namespace sinsp {

namespace {

// The runtime a socket belongs to, as container.type names it.
std::string_view runtime_of(const std::string& socket_path) {
    return socket_path.find("podman") != std::string::npos ? "podman" : "docker";
}

bool is_hex_id(std::string_view id) {
    if (id.size() < 12 || id.size() > 64) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace

container_metadata_fetcher::container_metadata_fetcher(container_runtime_options opts)
    : m_opts(std::move(opts)) {}

container_metadata_fetcher::~container_metadata_fetcher() {
    {
        std::lock_guard<std::mutex> lock(m_mu);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_worker.joinable()) m_worker.join();
}

bool container_metadata_fetcher::request(std::string_view id) {
    // Only ids a URL can carry as they are: cgroup paths give hex ids, anything else is not ours.
    if (!is_hex_id(id)) return false;
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_stop) return false;
    std::string key(id);
    if (m_asked.count(key)) return false;
    if (m_pending.size() >= m_opts.max_pending) {
        ++m_stats.refused_queue;
        return false;
    }
    m_asked.insert(key);
    m_pending.push_back(std::move(key));
    ++m_stats.requested;
    if (!m_worker.joinable()) m_worker = std::thread([this] { run(); });
    m_cv.notify_one();
    return true;
}

bool container_metadata_fetcher::take(container_info& out) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_ready.empty()) return false;
    out = std::move(m_ready.front());
    m_ready.pop_front();
    m_ready_count.store(m_ready.size(), std::memory_order_release);
    return true;
}

container_runtime_stats container_metadata_fetcher::stats() const {
    std::lock_guard<std::mutex> lock(m_mu);
    return m_stats;
}

bool container_metadata_fetcher::lookup(const std::string& id, container_info& out) {
    bool failed = false;
    for (const std::string& socket : m_opts.sockets) {
        runtime::http_answer answer;
        std::string error;
        if (!runtime::http_get_unix(socket, "/containers/" + id + "/json", m_opts.timeout_ms,
                                    m_opts.max_answer_bytes, answer, error)) {
            // No runtime at this path is the usual case for all but one socket: not a failure.
            failed |= !answer.no_server;
            continue;
        }
        if (answer.status == 404) continue;
        if (answer.status == 200 && container_from_engine_api(answer.body, runtime_of(socket), out, error))
            return true;
        failed = true;
    }
    std::lock_guard<std::mutex> lock(m_mu);
    ++(failed ? m_stats.failed : m_stats.not_found);
    return false;
}

void container_metadata_fetcher::run() {
    for (;;) {
        std::string id;
        {
            std::unique_lock<std::mutex> lock(m_mu);
            m_cv.wait(lock, [this] { return m_stop || !m_pending.empty(); });
            if (m_stop) return;
            id = std::move(m_pending.front());
            m_pending.pop_front();
        }
        container_info info;
        if (!lookup(id, info)) continue;
        std::lock_guard<std::mutex> lock(m_mu);
        ++m_stats.found;
        m_ready.push_back(std::move(info));
        m_ready_count.store(m_ready.size(), std::memory_order_release);
    }
}

}  // namespace sinsp
