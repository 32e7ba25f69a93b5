#include "sinsp/dns_cache.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <memory>

namespace sinsp {

dns_cache& dns_cache::global() {
    static dns_cache cache;
    return cache;
}

dns_cache::~dns_cache() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_refresher.joinable()) m_refresher.join();
}

std::vector<std::string> dns_cache::resolve(const std::string& name) {
    std::vector<std::string> out;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one answer per address instead of one per socket type
    addrinfo* res = nullptr;
    if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0 || !res) return out;
    for (const addrinfo* a = res; a; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
            out.emplace_back(reinterpret_cast<const char*>(&sin->sin_addr), 4);
        } else if (a->ai_family == AF_INET6) {
            const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
            out.emplace_back(reinterpret_cast<const char*>(&sin6->sin6_addr), 16);
        }
    }
    freeaddrinfo(res);
    return out;
}

bool dns_cache::watch(std::string_view name) {
    std::string key(name);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_by_name.count(key)) return true;
        if (m_entries.size() >= max_names) return false;
    }
    // Resolved outside the lock: events keep reading the cache meanwhile.
    auto e = std::make_unique<entry>();
    e->name = key;
    const bool look = lookups();
    if (look) e->addrs = resolve(key);
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_by_name.count(key)) return true;
    m_by_name.emplace(key, e.get());
    m_entries.push_back(std::move(e));
    if (look && !m_refresher.joinable()) m_refresher = std::thread([this] { refresh_loop(); });
    return true;
}

size_t dns_cache::names_of(const uint8_t* addr, size_t len, std::vector<std::string_view>& out) const {
    size_t n = 0;
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto& e : m_entries) {
        for (const auto& a : e->addrs) {
            if (a.size() == len && std::memcmp(a.data(), addr, len) == 0) {
                out.push_back(e->name);
                ++n;
                break;
            }
        }
    }
    return n;
}

bool dns_cache::lookups() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_lookups;
}

void dns_cache::set_lookups(bool on) {
    std::vector<entry*> todo;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_lookups == on) return;
        m_lookups = on;
        if (!on) return;
        for (const auto& e : m_entries) todo.push_back(e.get());
    }
    for (entry* e : todo) {
        std::vector<std::string> addrs = resolve(e->name);
        std::lock_guard<std::mutex> lock(m_mutex);
        e->addrs.swap(addrs);
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_refresher.joinable() && !m_entries.empty()) m_refresher = std::thread([this] { refresh_loop(); });
}

void dns_cache::set_refresh_seconds(unsigned s) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_refresh_seconds = s == 0 ? 1 : s;
    m_wake.notify_all();
}

void dns_cache::refresh_loop() {
    std::unique_lock<std::mutex> lock(m_mutex);
    while (!m_stop) {
        m_wake.wait_for(lock, std::chrono::seconds(m_refresh_seconds));
        if (m_stop) break;
        if (!m_lookups) continue;
        // Names are copied out and resolved without the lock; answers are swapped in one by one.
        std::vector<entry*> todo;
        for (const auto& e : m_entries) todo.push_back(e.get());
        lock.unlock();
        for (entry* e : todo) {
            std::vector<std::string> addrs = resolve(e->name);
            std::lock_guard<std::mutex> relock(m_mutex);
            e->addrs.swap(addrs);
        }
        lock.lock();
    }
}

}  // namespace sinsp
