// Names for IP addresses (fd.sip.name and friends), the reference's way: the names a filter
// compares with are resolved, and an address "has" a name when the name resolves to it.
//
// Names are resolved when a filter naming them is compiled (so a capture replays with the same
// answers from its first event) and then refreshed by a background thread. Events only read the
// cache, under a short lock: no lookup ever runs on the event path. The cache is process-wide
// (filters compiled anywhere share it) and bounded.
//
// Lookups are off until a program turns them on (set_lookups): a replayed capture's addresses
// belong to the time it was taken, so today's answers would make up matches, and a library linked
// into a test or an offline tool must not send DNS queries on its own. scapdig turns them on for
// live captures only. While off, watched names resolve to nothing (the *.name fields never match).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sinsp {

class dns_cache {
  public:
    static constexpr size_t max_names = 4096;

    static dns_cache& global();

    dns_cache() = default;
    ~dns_cache();
    dns_cache(const dns_cache&) = delete;
    dns_cache& operator=(const dns_cache&) = delete;

    // Resolves `name` now if it is new (blocking the caller: filter compilation, never an
    // event) and keeps refreshing it. False when the cache is full.
    bool watch(std::string_view name);
    // Appends the watched names that resolve to the address (4 or 16 bytes, network order).
    // Returns how many were appended. The views stay valid: names are never removed.
    size_t names_of(const uint8_t* addr, size_t len, std::vector<std::string_view>& out) const;
    // Turns name lookups on or off (off by default). Turning them on resolves the names
    // already watched.
    void set_lookups(bool on);
    bool lookups() const;
    // Seconds between refreshes (tests shorten it).
    void set_refresh_seconds(unsigned s);

  private:
    struct entry {
        std::string name;
        std::vector<std::string> addrs;  // raw 4- or 16-byte addresses
    };
    static std::vector<std::string> resolve(const std::string& name);
    void refresh_loop();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<std::unique_ptr<entry>> m_entries;
    std::unordered_map<std::string, entry*> m_by_name;
    std::thread m_refresher;
    bool m_stop = false;
    bool m_lookups = false;
    unsigned m_refresh_seconds = 60;
};

}  // namespace sinsp
