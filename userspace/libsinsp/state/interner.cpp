#include "sinsp/interner.h"

namespace sinsp {

string_interner::string_interner() {
    m_entries.emplace_back();  // id 0: the empty string, permanent
    m_entries.front().refs = 1;
    recount();
}

string_id string_interner::acquire(std::string_view s) {
    if (s.empty()) return 0;
    auto it = m_index.find(s);
    if (it != m_index.end()) {
        ++m_entries[it->second].refs;
        return it->second;
    }
    string_id id;
    if (!m_free.empty()) {
        id = m_free.back();
        m_free.pop_back();
    } else {
        id = static_cast<string_id>(m_entries.size());
        m_entries.emplace_back();
    }
    entry& e = m_entries[id];
    e.text.assign(s);
    e.refs = 1;
    m_index.emplace(std::string_view(e.text), id);
    m_text_bytes += string_heap_bytes(e.text);
    recount();
    return id;
}

void string_interner::release(string_id id) {
    if (id == 0) return;
    entry& e = m_entries[id];
    if (--e.refs != 0) return;
    m_index.erase(std::string_view(e.text));
    m_text_bytes -= string_heap_bytes(e.text);
    e.text.clear();
    e.text.shrink_to_fit();
    m_free.push_back(id);
    recount();
}

void string_interner::assign(string_id& slot, std::string_view s) {
    if (get(slot) == s) return;
    const string_id id = acquire(s);
    release(slot);
    slot = id;
}

void string_interner::recount() {
    size_t n = m_entries.size() * sizeof(entry) + m_free.capacity() * sizeof(string_id) + m_text_bytes;
    // unordered_map: a node (key, value, next, hash) per entry plus the bucket array.
    n += m_index.size() * k_index_node_bytes;
    n += m_index.bucket_count() * sizeof(void*);
    m_heap_bytes = n;
}

size_t string_interner::measured_heap_bytes() const {
    size_t n = m_entries.size() * sizeof(entry) + m_free.capacity() * sizeof(string_id);
    for (const auto& e : m_entries) n += string_heap_bytes(e.text);
    n += m_index.size() * k_index_node_bytes;
    n += m_index.bucket_count() * sizeof(void*);
    return n;
}

}  // namespace sinsp
