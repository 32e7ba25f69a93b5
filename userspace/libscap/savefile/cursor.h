// Bounds-checked little-endian reads over one block body. Every read either succeeds entirely
// or fails without moving, so a truncated or lying block can never be read past its end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace scap {

class cursor {
  public:
    cursor(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}

    size_t pos() const { return m_pos; }
    size_t left() const { return m_size - m_pos; }

    template <typename T>
    bool get(T& out) {
        if (left() < sizeof(T)) return false;
        std::memcpy(&out, m_data + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return true;
    }
    bool bytes(void* out, size_t n) {
        if (left() < n) return false;
        std::memcpy(out, m_data + m_pos, n);
        m_pos += n;
        return true;
    }
    // A string stored as u16 length + bytes (no terminator on disk).
    bool str16(std::string& out) {
        uint16_t n;
        if (left() < 2) return false;
        std::memcpy(&n, m_data + m_pos, 2);
        if (left() - 2 < n) return false;
        out.assign(reinterpret_cast<const char*>(m_data + m_pos + 2), n);
        m_pos += 2 + static_cast<size_t>(n);
        return true;
    }
    bool skip(size_t n) {
        if (left() < n) return false;
        m_pos += n;
        return true;
    }
    // Positions at absolute offset `to` (must not go backwards or past the end).
    bool seek(size_t to) {
        if (to < m_pos || to > m_size) return false;
        m_pos = to;
        return true;
    }

  private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
};

}  // namespace scap
