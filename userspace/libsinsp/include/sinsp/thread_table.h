// All known threads, keyed by tid, with a bound on their number.
//
// Entries are heap objects behind the flat map so a thread_info* stays valid while other threads
// come and go; it is invalidated only when that thread itself is removed or evicted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <tuple>
#include <vector>

#include "sinsp/flat_map.h"
#include "sinsp/interner.h"
#include "sinsp/thread.h"

namespace sinsp {

struct state_stats;

class thread_table {
  public:
    thread_table(string_interner& strings, state_stats& stats, size_t max_threads);
    ~thread_table();
    thread_table(const thread_table&) = delete;
    thread_table& operator=(const thread_table&) = delete;

    thread_info* find(int64_t tid) {
        auto* p = m_map.find(static_cast<uint64_t>(tid));
        return p ? p->get() : nullptr;
    }
    const thread_info* find(int64_t tid) const { return const_cast<thread_table*>(this)->find(tid); }
    thread_info* main_thread(const thread_info& t) { return t.pid == t.tid ? find_self(t) : find(t.pid); }
    thread_info* parent(const thread_info& t) { return find(t.ptid); }

    // A new, empty entry for tid (replacing any entry with that tid). May evict other entries to
    // stay within the bound, never those whose tids are given in keep_a / keep_b.
    thread_info& create(int64_t tid, int64_t keep_a = -1, int64_t keep_b = -1);
    // Releases everything t holds (strings, shared fd table and fs) and resets it to defaults,
    // keeping its tid; the object stays where it is.
    void clear(thread_info& t);
    // Removes the thread; returns false if unknown.
    bool remove(int64_t tid);

    size_t size() const { return m_map.size(); }
    size_t max_threads() const { return m_max; }
    // Changes the bound (at least 1); entries past it are evicted at once. Returns how many.
    size_t set_max_threads(size_t max);
    // Evicts threads, least useful first (dead ones by exit time, then live ones by last
    // activity), one at a time while over() is true; never the tids in keep. Counted in
    // threads_evicted (and fds_evicted for fd tables that go with their last thread). Returns how
    // many went: fewer than asked when only kept threads are left. One pass over the table.
    size_t evict_while(const std::function<bool()>& over, std::initializer_list<int64_t> keep);
    // Gives back slot memory after many removals (thread_info pointers stay valid).
    void shrink_to_fit() { m_map.shrink_to_fit(); }
    template <typename F>
    void for_each(F&& f) const {
        m_map.for_each([&](uint64_t, const std::unique_ptr<thread_info>& t) { f(*t); });
    }
    template <typename F>
    void for_each_mut(F&& f) {
        m_map.for_each([&](uint64_t, std::unique_ptr<thread_info>& t) { f(*t); });
    }
    // Heap bytes owned by the table: slot array plus one thread_info per entry (fd tables and
    // strings are counted separately, they are shared).
    size_t heap_bytes() const { return m_map.slot_bytes() + m_map.size() * sizeof(thread_info); }

  private:
    thread_info* find_self(const thread_info& t) { return const_cast<thread_info*>(&t); }
    void evict(int64_t keep_a, int64_t keep_b);
    // Evicts the n least useful entries (not keep_a / keep_b); returns how many went.
    size_t evict_n(size_t n, int64_t keep_a, int64_t keep_b);
    void release(thread_info& t);
    // Removes an entry for eviction: counts the fds that go with it.
    bool evict_one(int64_t tid);
    // Eviction candidates (dead? 0 : 1, exit or last activity, tid): least useful first once
    // sorted. Made per pass (a pass is rare: when the table or the budget is full).
    using candidate = std::tuple<int, uint64_t, int64_t>;
    std::vector<candidate> candidates(std::initializer_list<int64_t> keep) const;

    string_interner& m_strings;
    state_stats& m_stats;
    size_t m_max;
    flat_map<std::unique_ptr<thread_info>> m_map;
};

}  // namespace sinsp
