// Strings that many threads share (exe, comm, cwd, cgroups, command lines) are stored once and
// referred to by a 32-bit id. Ids are reference counted so strings of processes that are gone
// are freed and their ids reused; id 0 is the empty string and is never freed.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sinsp/string_bytes.h"

namespace sinsp {

using string_id = uint32_t;

class string_interner {
  public:
    string_interner();

    // Returns the id of s with one more reference (a new id when s is not stored yet).
    string_id acquire(std::string_view s);
    // One more reference to an id already held.
    void retain(string_id id) {
        if (id != 0) ++m_entries[id].refs;
    }
    // Drops one reference; the string is freed when none are left.
    void release(string_id id);
    // Replaces *slot's reference by one to s (no change when equal).
    void assign(string_id& slot, std::string_view s);

    std::string_view get(string_id id) const { return m_entries[id].text; }
    uint32_t refs(string_id id) const { return m_entries[id].refs; }
    // Strings currently stored (the empty string included).
    size_t live() const { return m_entries.size() - m_free.size(); }
    // Heap bytes: text beyond the small-string buffer plus bookkeeping, approximate. Recounted
    // only when a string is stored or freed: the state reads it after every state change.
    size_t heap_bytes() const { return m_heap_bytes; }
    // The same figure, measured by visiting every string (tests check the two agree).
    size_t measured_heap_bytes() const;

  private:
    struct entry {
        std::string text;
        uint32_t refs = 0;
    };
    static constexpr size_t k_index_node_bytes =
        sizeof(std::string_view) + 2 * sizeof(void*) + sizeof(string_id) + sizeof(size_t);
    // Sets m_heap_bytes from the tables' sizes and m_text_bytes.
    void recount();
    size_t m_text_bytes = 0;
    size_t m_heap_bytes = 0;
    // A deque never moves its elements, so the string_view keys of m_index stay valid.
    std::deque<entry> m_entries;
    std::vector<string_id> m_free;
    std::unordered_map<std::string_view, string_id> m_index;
};

}  // namespace sinsp
