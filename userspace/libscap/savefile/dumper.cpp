// The capture writer: snapshot blocks first, then one event block per event, in the block types
// the reference reader expects today (EV v2 / EVF v2, their LARGE forms past 64 KiB).
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "savefile/block_types.h"
#include "savefile/metadata_writer.h"
#include "scap/savefile.h"

namespace scap {
namespace {
// Readers allocate at most this much for a non-LARGE event block.
constexpr uint32_t k_small_block_max = 1u << 16;
}  // namespace

std::unique_ptr<dumper> dumper::open(const std::string& path, bool gzip, const snapshot& snap,
                                     std::string& error) {
    // "T" writes through zlib without compression, so one code path serves both.
    gzFile f = gzopen(path.c_str(), gzip ? "wb6" : "wbT");
    if (!f) {
        error = "cannot create '" + path + "': " + std::strerror(errno);
        return nullptr;
    }
    gzbuffer(f, 256 * 1024);
    std::unique_ptr<dumper> d(new dumper());
    d->m_file = f;
    std::vector<uint8_t> head;
    append_section_header_block(head);
    append_machine_info_block(head, snap.machine);
    append_iflist_block(head, snap);
    append_userlist_block(head, snap);
    append_proclist_block(head, snap);
    for (const process_info& p : snap.processes)
        if (!p.filtered_out) append_fdlist_block(head, p);
    if (d->put(head.data(), head.size()) != status::ok) {
        error = d->m_last_error;
        return nullptr;
    }
    return d;
}

dumper::~dumper() {
    close();
}

status dumper::put(const void* data, size_t len) {
    if (!m_file) return (m_last_error = "capture writer is closed"), status::error;
    if (len == 0) return status::ok;
    if (gzwrite(static_cast<gzFile>(m_file), data, static_cast<unsigned>(len)) != static_cast<int>(len)) {
        int errnum = 0;
        const char* msg = gzerror(static_cast<gzFile>(m_file), &errnum);
        m_last_error = std::string("write failed: ") + (errnum == Z_ERRNO ? std::strerror(errno) : msg) +
                       " (at uncompressed offset " + std::to_string(m_bytes) + ", after " +
                       std::to_string(m_events) + " events)";
        return status::error;
    }
    m_bytes += len;
    return status::ok;
}

status dumper::write(const event_header* evt, uint16_t cpu, uint32_t flags) {
    uint32_t evt_len;
    std::memcpy(&evt_len, reinterpret_cast<const uint8_t*>(evt) + offsetof(event_header, len), 4);
    // Refuse what no reader would accept back rather than write a file that stops there.
    if (evt_len < k_event_header_size || evt_len > block::max_block_size - 32)
        return (m_last_error = "event " + std::to_string(m_events) + " has an invalid length " +
                               std::to_string(evt_len)),
               status::error;
    const uint32_t prefix = flags ? 6 : 2;
    const uint32_t body = prefix + evt_len;
    const uint32_t padded = (body + 3) & ~3u;
    const uint32_t total = block::header_size + padded + block::trailer_size;
    const bool large = total > k_small_block_max || scap_event_uses_large_payload(evt->type);
    uint32_t type = flags ? (large ? block::event_flags_v2_large : block::event_flags_v2)
                          : (large ? block::event_v2_large : block::event_v2);
    uint8_t head[14];
    std::memcpy(head, &type, 4);
    std::memcpy(head + 4, &total, 4);
    std::memcpy(head + 8, &cpu, 2);
    std::memcpy(head + 10, &flags, 4);
    static const uint8_t zeros[4] = {};
    status s = put(head, 8 + prefix);
    if (s == status::ok) s = put(evt, evt_len);
    if (s == status::ok) s = put(zeros, padded - body);
    if (s == status::ok) s = put(&total, 4);
    if (s == status::ok) ++m_events;
    return s;
}

status dumper::close() {
    if (!m_file) return status::ok;
    const int rc = gzclose(static_cast<gzFile>(m_file));
    m_file = nullptr;
    if (rc != Z_OK)
        return (m_last_error = "closing the capture failed (zlib error " + std::to_string(rc) + ")"),
               status::error;
    return status::ok;
}

}  // namespace scap
