// A small open-addressing hash map keyed by 64-bit integers (tids, fd numbers).
//
// Why not std::unordered_map: every event looks up its thread and often an fd; a node-based map
// costs a pointer chase and a cache miss per lookup. Here keys and values live in one array,
// probing is linear, and deletion shifts the following entries back (no tombstones), so lookups
// stay short however many inserts and erases happen.
//
// Key k_empty (all ones) marks a free slot and cannot be stored. Pointers to values stay valid
// only until the next insert or erase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

namespace sinsp {

template <typename V>
class flat_map {
  public:
    static constexpr uint64_t k_empty = ~uint64_t{0};

    struct slot {
        uint64_t key = k_empty;
        V value{};
    };

    flat_map() = default;

    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    size_t capacity() const { return m_slots.size(); }
    // Bytes owned by the slot array (values' own heap memory excluded).
    size_t slot_bytes() const { return m_slots.capacity() * sizeof(slot); }

    V* find(uint64_t key) {
        if (m_size == 0) return nullptr;
        for (size_t i = home(key);; i = (i + 1) & m_mask) {
            slot& s = m_slots[i];
            if (s.key == key) return &s.value;
            if (s.key == k_empty) return nullptr;
        }
    }
    const V* find(uint64_t key) const { return const_cast<flat_map*>(this)->find(key); }

    // Returns the value for key, default-constructing it if absent; `inserted` tells which.
    V& get_or_insert(uint64_t key, bool& inserted) {
        if ((m_size + 1) * 4 > m_slots.size() * 3) grow();
        size_t i = home(key);
        for (;; i = (i + 1) & m_mask) {
            if (m_slots[i].key == key) {
                inserted = false;
                return m_slots[i].value;
            }
            if (m_slots[i].key == k_empty) break;
        }
        m_slots[i].key = key;
        ++m_size;
        inserted = true;
        return m_slots[i].value;
    }
    V& operator[](uint64_t key) {
        bool ins;
        return get_or_insert(key, ins);
    }

    bool erase(uint64_t key) {
        if (m_size == 0) return false;
        size_t i = home(key);
        for (;; i = (i + 1) & m_mask) {
            if (m_slots[i].key == key) break;
            if (m_slots[i].key == k_empty) return false;
        }
        // Backward-shift: move later members of the probe run into the hole when their home
        // position allows it, so no tombstone is needed.
        size_t hole = i;
        for (size_t j = (i + 1) & m_mask; m_slots[j].key != k_empty; j = (j + 1) & m_mask) {
            const size_t h = home(m_slots[j].key);
            const bool movable = (j > hole) ? (h <= hole || h > j) : (h <= hole && h > j);
            if (movable) {
                m_slots[hole] = std::move(m_slots[j]);
                hole = j;
            }
        }
        m_slots[hole].key = k_empty;
        // Back to a default value (frees what it owned): destroyed and made anew in place, which
        // costs less than building a temporary and moving it in (this runs for every close).
        V& gone = m_slots[hole].value;
        gone.~V();
        ::new (static_cast<void*>(&gone)) V();
        --m_size;
        return true;
    }

    void clear() {
        m_slots.clear();
        m_mask = 0;
        m_size = 0;
    }

    // Gives back slot memory after many erases: the array shrinks to the smallest power of two
    // that holds the entries under the load limit. Like an insert, it invalidates value pointers.
    void shrink_to_fit() {
        size_t cap = 8;
        while ((m_size + 1) * 4 > cap * 3) cap *= 2;
        if (cap < m_slots.size()) rebuild(cap);
    }

    // Visits every (key, value); f must not insert or erase.
    template <typename F>
    void for_each(F&& f) {
        for (auto& s : m_slots)
            if (s.key != k_empty) f(s.key, s.value);
    }
    template <typename F>
    void for_each(F&& f) const {
        for (const auto& s : m_slots)
            if (s.key != k_empty) f(s.key, s.value);
    }

  private:
    // Fibonacci hashing: consecutive keys (fd 0, 1, 2...) spread over the table.
    size_t home(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> m_shift); }

    void grow() { rebuild(m_slots.empty() ? 8 : m_slots.size() * 2); }

    void rebuild(size_t cap) {
        std::vector<slot> old;
        old.swap(m_slots);
        m_slots.resize(cap);
        m_mask = cap - 1;
        m_shift = 64;
        for (size_t c = cap; c > 1; c >>= 1) --m_shift;
        m_size = 0;
        for (auto& s : old) {
            if (s.key == k_empty) continue;
            bool ins;
            get_or_insert(s.key, ins) = std::move(s.value);
        }
    }

    std::vector<slot> m_slots;
    size_t m_mask = 0;
    unsigned m_shift = 64;
    size_t m_size = 0;
};

}  // namespace sinsp
