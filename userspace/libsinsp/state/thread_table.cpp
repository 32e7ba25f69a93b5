#include "sinsp/thread_table.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "sinsp/stats.h"

namespace sinsp {

thread_table::thread_table(string_interner& strings, state_stats& stats, size_t max_threads)
    : m_strings(strings), m_stats(stats), m_max(max_threads == 0 ? 1 : max_threads) {}

thread_table::~thread_table() = default;

void thread_table::release(thread_info& t) {
    for (string_id id : {t.comm, t.exe, t.exepath, t.args, t.env, t.cgroups, t.container_id})
        m_strings.release(id);
    // The fs context's strings go with its last user.
    if (t.fs && t.fs.use_count() == 1) {
        m_strings.release(t.fs->cwd);
        m_strings.release(t.fs->root);
    }
}

void thread_table::clear(thread_info& t) {
    release(t);
    const int64_t tid = t.tid;
    t = thread_info{};
    t.tid = tid;
}

thread_info& thread_table::create(int64_t tid, int64_t keep_a, int64_t keep_b) {
    if (auto* existing = find(tid)) {
        clear(*existing);
        return *existing;
    }
    if (m_map.size() >= m_max) evict(keep_a, keep_b);
    auto& slot = m_map[static_cast<uint64_t>(tid)];
    slot = std::make_unique<thread_info>();
    slot->tid = tid;
    ++m_stats.threads_created;
    return *slot;
}

bool thread_table::remove(int64_t tid) {
    thread_info* t = find(tid);
    if (!t) return false;
    release(*t);
    m_map.erase(static_cast<uint64_t>(tid));
    return true;
}

// Makes room for new entries. Scanning the whole table is O(n), so each pass frees a batch
// (1/64 of the bound) and the cost is paid once per batch, not once per new thread.
void thread_table::evict(int64_t keep_a, int64_t keep_b) {
    evict_n(std::max<size_t>(1, m_max / 64), keep_a, keep_b);
}

// Dead threads go first, oldest exit first; then the least recently active. A thread's activity
// is its last event, or its creation when it has none yet (a clone child, a snapshot entry).
std::vector<thread_table::candidate> thread_table::candidates(std::initializer_list<int64_t> keep) const {
    std::vector<candidate> c;
    c.reserve(m_map.size());
    m_map.for_each([&](uint64_t, const std::unique_ptr<thread_info>& t) {
        for (int64_t k : keep)
            if (t->tid == k) return;
        const uint64_t active = std::max(t->last_event_ts, t->clone_ts);
        c.emplace_back(t->dead() ? 0 : 1, t->dead() ? t->exit_ts : active, t->tid);
    });
    return c;
}

bool thread_table::evict_one(int64_t tid) {
    thread_info* t = find(tid);
    if (!t) return false;
    // The fd table goes only with its last user; threads of the same process keep it otherwise.
    if (t->fds && t->fds.use_count() == 1) m_stats.fds_evicted += t->fds->size();
    remove(tid);
    ++m_stats.threads_evicted;
    return true;
}

size_t thread_table::evict_n(size_t n, int64_t keep_a, int64_t keep_b) {
    std::vector<candidate> c = candidates({keep_a, keep_b});
    const size_t batch = std::min(c.size(), n);
    if (batch == 0) return 0;
    std::nth_element(c.begin(), c.begin() + (batch - 1), c.end());
    size_t gone = 0;
    for (size_t i = 0; i < batch; ++i) gone += evict_one(std::get<2>(c[i])) ? 1 : 0;
    return gone;
}

size_t thread_table::evict_while(const std::function<bool()>& over, std::initializer_list<int64_t> keep) {
    if (!over()) return 0;
    std::vector<candidate> c = candidates(keep);
    // Sorted a slice at a time: a pass usually stops after a small fraction of the table.
    size_t gone = 0;
    auto next = c.begin();
    while (next != c.end()) {
        const size_t slice =
            std::min<size_t>(static_cast<size_t>(c.end() - next), std::max<size_t>(256, c.size() / 16));
        std::partial_sort(next, next + static_cast<ptrdiff_t>(slice), c.end());
        for (auto end = next + static_cast<ptrdiff_t>(slice); next != end; ++next) {
            gone += evict_one(std::get<2>(*next)) ? 1 : 0;
            if (!over()) return gone;
        }
    }
    return gone;
}

size_t thread_table::set_max_threads(size_t max) {
    m_max = max == 0 ? 1 : max;
    if (m_map.size() <= m_max) return 0;
    const size_t gone = evict_n(m_map.size() - m_max, -1, -1);
    m_map.shrink_to_fit();  // entries are heap objects: their pointers survive the rebuild
    return gone;
}

}  // namespace sinsp
