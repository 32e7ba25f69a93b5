#include "converter/enter_store.h"

namespace scap::conv {

void enter_store::put(const event_header* evt) {
    const event_view v(evt);
    auto it = m_slots.find(v.tid());
    if (it == m_slots.end()) {
        make_room();
        it = m_slots.emplace(v.tid(), slot{}).first;
    }
    // A newer enter on the same thread replaces the previous one: that syscall has ended.
    const auto* raw = reinterpret_cast<const uint8_t*>(evt);
    it->second.bytes.assign(raw, raw + v.len());
    it->second.full = true;
}

const event_header* enter_store::get(uint64_t tid) const {
    auto it = m_slots.find(tid);
    if (it == m_slots.end() || !it->second.full) return nullptr;
    return reinterpret_cast<const event_header*>(it->second.bytes.data());
}

void enter_store::clear(uint64_t tid) {
    auto it = m_slots.find(tid);
    if (it != m_slots.end()) it->second.full = false;
}

size_t enter_store::stored() const {
    size_t n = 0;
    for (const auto& kv : m_slots) n += kv.second.full ? 1 : 0;
    return n;
}

void enter_store::make_room() {
    if (m_slots.size() < m_max_threads) return;
    for (auto it = m_slots.begin(); it != m_slots.end();)
        it = it->second.full ? std::next(it) : m_slots.erase(it);
    if (m_slots.size() < m_max_threads) return;
    m_slots.erase(m_slots.begin());
    ++m_evictions;
}

}  // namespace scap::conv
