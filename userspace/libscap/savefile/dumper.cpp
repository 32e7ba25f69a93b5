// The capture writer: snapshot blocks first, then one event block per event, in the block types
// the reference reader expects today (EV v2 / EVF v2, their LARGE forms past 64 KiB).
#include <cstring>
#include <vector>

#include "savefile/block_types.h"
#include "savefile/file_sink.h"
#include "savefile/metadata_writer.h"
#include "scap/savefile.h"

namespace scap {
namespace {
// Readers allocate at most this much for a non-LARGE event block.
constexpr uint32_t k_small_block_max = 1u << 16;
// Buffered bytes that make a commit: large enough for deflate and write(2) to run at speed,
// small enough that a full disk loses little.
constexpr size_t k_commit_bytes = 256 * 1024;
}  // namespace

dumper::dumper() : m_sink(std::make_unique<file_sink>()) {}

std::unique_ptr<dumper> dumper::open(const std::string& path, bool gzip, const snapshot& snap,
                                     std::string& error) {
    std::unique_ptr<dumper> d(new dumper());
    if (!d->m_sink->open(path, gzip)) {
        error = d->m_sink->error();
        return nullptr;
    }
    std::vector<uint8_t> head;
    append_section_header_block(head);
    append_machine_info_block(head, snap.machine);
    append_iflist_block(head, snap);
    append_userlist_block(head, snap);
    append_proclist_block(head, snap);
    for (const process_info& p : snap.processes)
        if (!p.filtered_out) append_fdlist_block(head, p);
    // The snapshot goes out at once: a file system that cannot take it fails here, not later.
    d->m_sink->append(head.data(), head.size());
    if (!d->m_sink->commit()) {
        error = d->m_sink->error() + " (writing the " + std::to_string(head.size()) +
                " bytes of snapshot blocks)";
        return nullptr;
    }
    return d;
}

dumper::~dumper() {
    close();
}

uint64_t dumper::bytes_written() const {
    return m_sink->file_bytes();
}

uint64_t dumper::data_bytes_written() const {
    return m_sink->data_bytes();
}

// The sink's error, with what the file holds and how it ends.
status dumper::failure() {
    std::string msg = m_sink->error() + " (after " + std::to_string(m_events) + " events; the file keeps " +
                      std::to_string(m_events_in_file) + " events, " + std::to_string(m_sink->file_bytes()) +
                      " bytes";
    if (!m_closed)
        msg += ", up to its last complete block)";
    else if (m_sink->ended_cleanly())
        msg += ", and ends cleanly after its last complete block)";
    else if (m_sink->file_bytes() > 0)
        msg +=
            ", readable up to its last complete block; no room was left to end it, so readers report it "
            "truncated there)";
    else
        msg += ")";
    m_last_error = std::move(msg);
    return status::error;
}

status dumper::put(const void* data, size_t len) {
    if (m_closed) return (m_last_error = "capture writer is closed"), status::error;
    if (m_sink->failed()) return failure();
    m_sink->append(data, len);
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
    if (s != status::ok) return s;
    ++m_events;
    // Commits go at block boundaries only, so the file never ends inside a block.
    if (m_sink->pending_bytes() >= k_commit_bytes) {
        if (!m_sink->commit()) return failure();
        m_events_in_file = m_events;
    }
    return status::ok;
}

status dumper::close() {
    if (m_closed) return m_sink->failed() ? status::error : status::ok;
    // After a failure this still ends what the file holds as well as it can (see file_sink.h).
    const bool ok = m_sink->finish();
    m_closed = true;
    if (!ok) return failure();
    m_events_in_file = m_events;
    return status::ok;
}

}  // namespace scap
