// The capture-file engine: reads blocks one at a time from a savefile_input, fills the snapshot
// from metadata blocks, and hands out events where they lie in the input buffer (zero copy),
// upgraded by the converter when they come from an older schema.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "converter/converter.h"
#include "savefile/block_types.h"
#include "savefile/input.h"
#include "savefile/list_stream.h"
#include "savefile/metadata_reader.h"
#include "scap/savefile.h"
#include "scap/snapshot.h"

namespace scap {
namespace {

// Old event blocks store the header without nparams (22 bytes instead of 26).
constexpr uint32_t k_v1_header_size = k_event_header_size - sizeof(uint32_t);

class savefile_engine final : public engine {
  public:
    explicit savefile_engine(savefile_options opts) : m_opts(std::move(opts)) {
        m_type_selected.assign(PPM_EVENT_MAX, 1);
    }

    bool open(std::string& error);
    savefile_input& input() { return m_in; }

    std::string_view name() const override { return "savefile"; }
    status next(event_ref& out) override;
    void next_batch(event_batch& batch, bool quiescent) override;
    void release_batch(event_batch& batch) override;
    void get_stats(engine_stats& out) const override;
    status set_selection(const std::vector<bool>& ppm_sc_selected) override;
    const snapshot& get_snapshot() const override { return m_snap; }
    snapshot* snapshot_to_consume() override { return &m_snap; }
    void release_snapshot_processes() override {
        m_released_processes += m_snap.processes.size();
        m_snap.release_processes();
    }

  private:
    // Outcome of reading one block: an event to deliver, something consumed, or the end.
    enum class step { event, consumed, eof, error };

    step read_block(event_ref& out);
    // read_block's rare paths, out of line so its common path stays small.
    [[gnu::cold, gnu::noinline]] step fail_short_header(size_t have, uint64_t offset);
    [[gnu::cold, gnu::noinline]] step fail_block_length(uint32_t type, uint32_t len, uint64_t offset);
    [[gnu::cold, gnu::noinline]] step fail_truncated_block(uint32_t type, uint32_t len, uint64_t offset);
    [[gnu::cold, gnu::noinline]] step fail_trailer(uint32_t type, uint32_t len, uint32_t trailer,
                                                   uint64_t offset);
    [[gnu::cold, gnu::noinline]] void note_first_unknown_type(uint64_t offset);
    [[gnu::noinline]] step read_list_block(uint32_t type, uint32_t len, uint64_t offset);
    [[gnu::noinline]] step read_other_block(uint32_t type, uint32_t len, const uint8_t* body,
                                            uint32_t body_len, uint64_t offset);
    step read_event_block(block::event_kind kind, uint8_t* body, uint32_t body_len, bool checked,
                          event_ref& out);
    bool upgrade_v1_header(uint8_t*& evt, uint32_t& avail);
    bool selected(const event_header* evt) const;
    bool next_block_is_metadata();
    step fail(const std::string& what, uint32_t block_type, uint64_t offset);
    std::string source_name() const { return m_opts.path.empty() ? std::string("capture") : m_opts.path; }

    savefile_options m_opts;
    savefile_input m_in;
    snapshot m_snap;
    snapshot_store m_store{m_snap};
    // Process and fd lists go here: m_store, or the caller's sink while open() reads.
    snapshot_sink* m_lists = &m_store;
    metadata_counts m_meta_counts;
    converter m_converter;
    std::vector<uint8_t> m_type_selected;  // by event type
    std::vector<bool> m_sc_selected;       // by ppm_sc, for generic events; empty = all
    bool m_in_events = false;
    bool m_pins_reserved = false;
    uint64_t m_released_processes = 0;  // processes freed by release_snapshot_processes()
    uint64_t m_streamed_processes = 0;  // processes handed to savefile_options::processes_to

    uint64_t m_event_blocks = 0;  // event blocks read: the "event number" in error messages
    uint64_t m_delivered = 0;
    uint64_t m_filtered = 0;
    uint64_t m_unknown_types = 0;
    unsigned m_first_unknown_type = 0;
    uint64_t m_unknown_blocks = 0;
    uint64_t m_metadata_blocks = 0;
    uint64_t m_late_metadata_blocks = 0;
    uint64_t m_v1_events = 0;
    uint64_t m_checked_ahead = 0;  // blocks the prefetch worker checked (block_walk.h)
};

savefile_engine::step savefile_engine::fail(const std::string& what, uint32_t block_type, uint64_t offset) {
    // Where: the block (type and decompressed-stream offset) and how far into the events. For an
    // event block, its 1-based number among the file's event blocks.
    char where[192];
    if (block_type == 0)  // no block header could be read
        std::snprintf(where, sizeof where, " (at offset %llu, after %llu event blocks)",
                      static_cast<unsigned long long>(offset),
                      static_cast<unsigned long long>(m_event_blocks));
    else if (block::is_event(block_type))
        std::snprintf(where, sizeof where, " (%s block 0x%x at offset %llu, event block number %llu)",
                      block::name(block_type), block_type, static_cast<unsigned long long>(offset),
                      static_cast<unsigned long long>(m_event_blocks));
    else
        std::snprintf(where, sizeof where, " (%s block 0x%x at offset %llu, after %llu event blocks)",
                      block::name(block_type), block_type, static_cast<unsigned long long>(offset),
                      static_cast<unsigned long long>(m_event_blocks));
    // `what` may be m_last_error itself: build the message before assigning.
    std::string msg = (m_opts.path.empty() ? std::string("capture") : m_opts.path) + ": " + what + where;
    m_last_error = std::move(msg);
    return step::error;
}

bool savefile_engine::open(std::string& error) {
    const size_t have = m_in.ensure(block::header_size + 16 + block::trailer_size);
    uint32_t type = 0, len = 0, magic = 0;
    if (have >= 8) {
        std::memcpy(&type, m_in.data(), 4);
        std::memcpy(&len, m_in.data() + 4, 4);
    }
    if (have < 28 && !m_in.read_error().empty()) {
        // The stream itself is damaged (a gzip data error) before its first block was whole.
        error = source_name() + ": read error in the section header block at offset 0: " + m_in.read_error();
        return false;
    }
    if (have < 28 || type != block::section_header) {
        error = source_name() + ": not a capture file (no section header block at offset 0)";
        return false;
    }
    std::memcpy(&magic, m_in.data() + 8, 4);
    uint16_t major = 0;
    std::memcpy(&major, m_in.data() + 12, 2);
    if (magic != block::byte_order_magic) {
        char buf[160];
        // pcapng-style files written on a big-endian host show the magic byte-swapped.
        std::snprintf(buf, sizeof buf, ": bad byte-order magic 0x%08x in the section header at offset 0%s",
                      magic, magic == 0x4D3C2B1A ? " (a big-endian capture: not supported)" : "");
        error = (m_opts.path.empty() ? std::string("capture") : m_opts.path) + buf;
        return false;
    }
    if (major > block::current_major) {
        error = source_name() + ": capture format major version " + std::to_string(major) +
                " is newer than this reader (" + std::to_string(block::current_major) +
                ") (section header at offset 0)";
        return false;
    }
    if (len < 28 || len > block::max_block_size || m_in.ensure(len) < len) {
        error = source_name() + ": section header block length " + std::to_string(len) +
                " is invalid or truncated at offset 0";
        return false;
    }
    uint32_t trailer;
    std::memcpy(&trailer, m_in.data() + len - 4, 4);
    if (trailer != len) {
        error = source_name() + ": section header trailer length " + std::to_string(trailer) +
                " differs from its header " + std::to_string(len) + " at offset 0";
        return false;
    }
    // Checked here in any case; taking it keeps the worker's run of checked blocks unbroken.
    static_cast<void>(m_in.take_checked(len));
    m_in.consume(len);

    // Metadata blocks come before the first event: read them now so the snapshot is complete
    // before any event is delivered.
    if (m_opts.processes_to) m_lists = m_opts.processes_to;
    bool ok = true;
    for (;;) {
        if (m_in.ensure(8) < 8) break;  // no events at all: an empty capture is legitimate
        std::memcpy(&type, m_in.data(), 4);
        if (block::is_event(type)) break;
        event_ref unused;
        if (read_block(unused) == step::error) {
            error = m_last_error;
            ok = false;
            break;
        }
    }
    // Never again: later blocks arrive while the caller may be reading events on another thread.
    if (m_lists != &m_store) m_streamed_processes = m_meta_counts.processes + m_meta_counts.orphan_fd_lists;
    m_lists = &m_store;
    m_opts.processes_to = nullptr;
    return ok;
}

// read_block runs once per block, so its common path (an event block, whole in the buffer) is
// kept free of the string building that errors and notes need: those live in the cold helpers
// below, and the other block kinds in read_other_block.
savefile_engine::step savefile_engine::read_block(event_ref& out) {
    const uint64_t offset = m_in.offset();
    const size_t have = m_in.ensure(block::header_size);
    if (have < block::header_size) [[unlikely]]
        return fail_short_header(have, offset);
    uint32_t type, len;
    std::memcpy(&type, m_in.data(), 4);
    std::memcpy(&len, m_in.data() + 4, 4);
    if (!block::length_ok(len)) [[unlikely]]
        return fail_block_length(type, len, offset);
    // A block the prefetch worker has checked (block_walk.h) is whole in the current chunk and
    // its trailer and event were found sound: only blocks it could not check are checked here.
    // (Lists are parsed and checked below whatever the worker found; taking them keeps the run of
    // checked blocks after them unbroken.)
    const bool checked = m_in.take_checked(len);
    m_checked_ahead += checked;
    const block::event_kind kind = block::kind_of(type);
    // Event blocks (nearly every block) skip the list-block test, an out-of-line call.
    if (!kind.event && is_list_block(type)) [[unlikely]]
        return read_list_block(type, len, offset);
    if (!checked) {
        if (m_in.ensure(len) < len) [[unlikely]]
            return fail_truncated_block(type, len, offset);
        uint32_t trailer;
        std::memcpy(&trailer, m_in.data() + len - block::trailer_size, 4);
        if (trailer != len) [[unlikely]]
            return fail_trailer(type, len, trailer, offset);
    }
    uint8_t* b = m_in.data();
    // The block stays readable at `b` until the next ensure().
    m_in.consume(len);
    uint8_t* body = b + block::header_size;
    const uint32_t body_len = len - block::header_size - block::trailer_size;
    if (!kind.event) [[unlikely]]
        return read_other_block(type, len, body, body_len, offset);
    m_in_events = true;
    ++m_event_blocks;
    const uint64_t unknown_before = m_unknown_types;
    const step s = read_event_block(kind, body, body_len, checked, out);
    if (s == step::error) [[unlikely]]
        return fail(m_last_error, type, offset);
    if (m_unknown_types != unknown_before && unknown_before == 0) [[unlikely]]
        note_first_unknown_type(offset);
    return s;
}

savefile_engine::step savefile_engine::fail_short_header(size_t have, uint64_t offset) {
    if (have == 0) {
        if (!m_in.read_error().empty()) return fail("read error: " + m_in.read_error(), 0, offset);
        return step::eof;
    }
    return fail("truncated block header", 0, offset);
}

savefile_engine::step savefile_engine::fail_block_length(uint32_t type, uint32_t len, uint64_t offset) {
    if (len < block::header_size + block::trailer_size)
        return fail("block length " + std::to_string(len) + " is too small", type, offset);
    return fail("block length " + std::to_string(len) + " exceeds the " +
                    std::to_string(block::max_block_size >> 20) + " MiB limit",
                type, offset);
}

savefile_engine::step savefile_engine::fail_truncated_block(uint32_t type, uint32_t len, uint64_t offset) {
    std::string why = "block truncated: declared " + std::to_string(len) + " bytes, " +
                      std::to_string(m_in.available()) + " available";
    if (!m_in.read_error().empty()) why += " (" + m_in.read_error() + ")";
    return fail(why, type, offset);
}

savefile_engine::step savefile_engine::fail_trailer(uint32_t type, uint32_t len, uint32_t trailer,
                                                    uint64_t offset) {
    return fail(
        "trailer length " + std::to_string(trailer) + " differs from header length " + std::to_string(len),
        type, offset);
}

void savefile_engine::note_first_unknown_type(uint64_t offset) {
    char note[224];
    std::snprintf(note, sizeof note,
                  ": skipped an event of unknown type %u (event block number %llu at offset %llu); "
                  "further ones are only counted (unknown_event_types_skipped)",
                  m_first_unknown_type, static_cast<unsigned long long>(m_event_blocks),
                  static_cast<unsigned long long>(offset));
    m_notes.push_back(source_name() + note);
}

// Process and fd lists are read entry by entry, never gathered whole.
savefile_engine::step savefile_engine::read_list_block(uint32_t type, uint32_t len, uint64_t offset) {
    m_in.consume(block::header_size);
    std::string error;
    if (!stream_list_block(type, len, m_in, *m_lists, m_meta_counts, error)) return fail(error, type, offset);
    ++m_metadata_blocks;
    if (m_in_events) ++m_late_metadata_blocks;
    return step::consumed;
}

savefile_engine::step savefile_engine::read_other_block(uint32_t type, uint32_t len, const uint8_t* body,
                                                        uint32_t body_len, uint64_t offset) {
    if (is_metadata_block(type)) {
        std::string error;
        if (!read_metadata_block(type, body, body_len, m_snap, *m_lists, m_meta_counts, error))
            return fail(error, type, offset);
        ++m_metadata_blocks;
        if (m_in_events) ++m_late_metadata_blocks;
        return step::consumed;
    }
    if (type == block::section_header) {
        uint32_t magic = 0;
        if (body_len < 4 || (std::memcpy(&magic, body, 4), magic != block::byte_order_magic))
            return fail("bad byte-order magic in a section header", type, offset);
        return step::consumed;
    }
    // A block type from a newer writer: skipped, counted, and said once.
    if (m_unknown_blocks++ == 0) {
        char note[224];
        std::snprintf(note, sizeof note,
                      ": skipped a block of unknown type 0x%x (%u bytes) at offset %llu, after %llu event "
                      "blocks; further ones are only counted (unknown_blocks_skipped)",
                      type, len, static_cast<unsigned long long>(offset),
                      static_cast<unsigned long long>(m_event_blocks));
        m_notes.push_back(source_name() + note);
    }
    return step::consumed;
}

// Rewrites an old 22-byte header in place into the current 26-byte one. The block header in
// front of the event is already parsed, so the header moves 4 bytes back into it and nparams
// goes where the header used to end. nparams is not stored: it is the count (from the schema's
// down to 0) for which the lengths array and the parameters exactly fill the event.
bool savefile_engine::upgrade_v1_header(uint8_t*& evt, uint32_t& avail) {
    if (avail < k_v1_header_size) return (m_last_error = "event header truncated"), false;
    std::memmove(evt - 4, evt, k_v1_header_size);
    evt -= 4;
    avail += 4;
    event_header hdr;
    std::memcpy(&hdr, evt, k_v1_header_size);  // ts, tid, len, type
    hdr.len += 4;
    // Old writers stored these two with a length 3 bytes too long.
    if (hdr.type == PPME_NOTIFICATION_E || hdr.type == PPME_INFRASTRUCTURE_EVENT_E) hdr.len -= 3;
    if (hdr.len > avail || hdr.len < k_event_header_size)
        return (m_last_error = "event length runs past its block"), false;
    if (hdr.type >= PPM_EVENT_MAX) {
        hdr.nparams = 0;
        std::memcpy(evt, &hdr, sizeof hdr);
        return true;
    }
    const uint8_t* lens = evt + k_event_header_size;
    const uint32_t payload = hdr.len - k_event_header_size;
    for (int64_t n = scap_event_table[hdr.type].nparams; n >= 0; --n) {
        const uint64_t lens_size = 2ull * n;
        if (lens_size > payload) continue;
        uint64_t total = lens_size;
        for (int64_t i = 0; i < n; ++i) {
            uint16_t l;
            std::memcpy(&l, lens + 2 * i, 2);
            total += l;
        }
        if (total == payload) {
            hdr.nparams = static_cast<uint32_t>(n);
            std::memcpy(evt, &hdr, sizeof hdr);
            ++m_v1_events;
            return true;
        }
        if (total < payload) break;  // fewer parameters can only make it shorter
    }
    m_last_error = "cannot infer the parameter count of an old-format " +
                   std::string(scap_event_table[hdr.type].name) + " event (corrupted lengths)";
    return false;
}

savefile_engine::step savefile_engine::read_event_block(block::event_kind kind, uint8_t* body,
                                                        uint32_t body_len, bool checked, event_ref& out) {
    const uint32_t prefix = kind.prefix();
    if (body_len < prefix) return (m_last_error = "event block too short"), step::error;
    uint16_t cpu;
    uint32_t flags = 0;
    std::memcpy(&cpu, body, 2);
    if (kind.flags) std::memcpy(&flags, body + 2, 4);
    uint8_t* evt = body + prefix;
    uint32_t avail = body_len - prefix;
    if (kind.v1 && !upgrade_v1_header(evt, avail)) return step::error;
    if (avail < k_event_header_size) return (m_last_error = "event header truncated"), step::error;
    uint16_t evt_type;
    std::memcpy(&evt_type, evt + offsetof(event_header, type), 2);
    if (evt_type >= PPM_EVENT_MAX) {
        // An event from a newer schema: skipped, counted, said once (read_block).
        if (m_unknown_types++ == 0) m_first_unknown_type = evt_type;
        return step::consumed;
    }
    // Old-format events were rewritten above, after the worker saw them: checked again.
    if (!checked || kind.v1) {
        if (const char* why = validate_event(evt, avail)) return (m_last_error = why), step::error;
    }

    const event_header* result = reinterpret_cast<const event_header*>(evt);
    if (m_opts.convert) {
        switch (m_converter.convert(result, &result)) {
            case converter::outcome::pass:
            case converter::outcome::converted:
                break;
            case converter::outcome::consumed:
                return step::consumed;
            case converter::outcome::error:
                return (m_last_error = m_converter.last_error()), step::error;
        }
    }
    if (!selected(result)) {
        ++m_filtered;
        return step::consumed;
    }
    out.hdr = result;
    out.cpu = cpu;
    out.flags = flags;
    out.numbered_before = m_opts.convert ? m_converter.take_numbered_enters() : 0;
    return step::event;
}

bool savefile_engine::selected(const event_header* evt) const {
    const uint16_t type = evt->type;
    if (!m_type_selected[type]) return false;
    if ((type != PPME_GENERIC_E && type != PPME_GENERIC_X) || m_sc_selected.empty()) return true;
    event_view v(evt);
    if (v.nparams() == 0) return true;
    const uint16_t sc = v.param(0).as<uint16_t>();
    return sc < m_sc_selected.size() && m_sc_selected[sc];
}

status savefile_engine::set_selection(const std::vector<bool>& sc) {
    m_sc_selected = sc;
    m_type_selected.assign(PPM_EVENT_MAX, 1);
    if (sc.empty()) return status::ok;
    // A syscall event type is selected when the syscall it reports is; every version of an
    // event shares its name, so names map old versions too. Non-syscall events always pass.
    std::vector<int> sc_of_type(PPM_EVENT_MAX, -1);
    for (int nr = 0; nr < SCAP_SYSCALL_TABLE_SIZE_X86_64; ++nr) {
        const scap_syscall_info& s = scap_syscall_table_x86_64[nr];
        if (!(s.flags & UF_USED)) continue;
        for (int t = 0; t < PPM_EVENT_MAX; ++t)
            if (std::strcmp(scap_event_table[t].name, scap_event_table[s.exit_event].name) == 0)
                sc_of_type[t] = s.ppm_sc;
    }
    for (int t = 0; t < PPM_EVENT_MAX; ++t) {
        if (!(scap_event_table[t].category & EC_SYSCALL) || t == PPME_GENERIC_E || t == PPME_GENERIC_X)
            continue;
        const int s = sc_of_type[t];
        if (s >= 0) m_type_selected[t] = static_cast<size_t>(s) < sc.size() && sc[s];
    }
    return status::ok;
}

status savefile_engine::next(event_ref& out) {
    for (;;) {
        switch (read_block(out)) {
            case step::event:
                ++m_delivered;
                return status::ok;
            case step::consumed:
                continue;
            case step::eof:
                return status::eof;
            case step::error:
                return status::error;
        }
    }
}

bool savefile_engine::next_block_is_metadata() {
    if (m_in.ensure(block::header_size) < block::header_size) return false;
    uint32_t type;
    std::memcpy(&type, m_in.data(), 4);
    return is_metadata_block(type);
}

// Zero copy across threads: an event that lies in a prefetched chunk is handed over as a view and
// the chunk stays alive until the batch is released. Events elsewhere (the converter's buffer,
// the spill buffer, memory input) and events in a third chunk are copied into the batch.
void savefile_engine::next_batch(event_batch& batch, bool quiescent) {
    if (!m_pins_reserved) {
        // The ring's batches pin a chunk or two at a time: room for the worker to read ahead.
        m_in.reserve_for_pins(4);
        m_pins_reserved = true;
    }
    while (!batch.full()) {
        // A metadata block after events changes the snapshot consumers read: only when no
        // batch is out (the consumer has caught up), so the state sees it where a one-thread
        // reader would.
        if (m_in_events && !quiescent && next_block_is_metadata()) {
            batch.barrier = true;
            return;
        }
        event_ref ref;
        const status s = next(ref);
        if (s != status::ok) {
            batch.result = s;
            if (s == status::error) batch.error = m_last_error;
            return;
        }
        // Pinned already by this batch: the common case, many events per chunk.
        void* held = nullptr;
        for (uint32_t i = 0; i < batch.npins; ++i)
            if (static_cast<prefetcher::chunk*>(batch.pins[i])->holds(ref.hdr)) held = batch.pins[i];
        if (!held && batch.npins < event_batch::k_max_pins && (held = m_in.pin(ref.hdr)))
            batch.pins[batch.npins++] = held;
        if (held)
            batch.append_view(ref);
        else
            batch.append_copy(ref);
    }
}

void savefile_engine::release_batch(event_batch& batch) {
    for (uint32_t i = 0; i < batch.npins; ++i) m_in.unpin(batch.pins[i]);
    batch.npins = 0;
}

void savefile_engine::get_stats(engine_stats& out) const {
    out = engine_stats{};
    out.n_evts = m_delivered;
    const converter_stats& c = m_converter.stats();
    out.extra = {
        {"event_blocks", m_event_blocks},
        {"old_format_event_headers", m_v1_events},
        {"blocks_checked_ahead", m_checked_ahead},
        {"metadata_blocks", m_metadata_blocks},
        {"metadata_blocks_after_events", m_late_metadata_blocks},
        {"unknown_blocks_skipped", m_unknown_blocks},
        {"unknown_event_types_skipped", m_unknown_types},
        {"events_filtered_by_selection", m_filtered},
        {"bytes_decompressed", m_in.offset()},
        {"bytes_read", m_in.raw_bytes_read()},
        {"converter_passed", c.passed},
        {"converter_converted", c.converted},
        {"converter_enter_stored", c.enter_stored},
        {"converter_dropped", c.dropped},
        {"converter_missing_enter", c.missing_enter},
        {"converter_errors", c.errors},
        {"converter_enter_evictions", m_converter.enter_evictions()},
        {"snapshot_processes", m_snap.processes.size() + m_released_processes + m_streamed_processes},
        {"snapshot_fds", m_meta_counts.fds},
        {"snapshot_users", m_snap.users.size()},
        {"snapshot_groups", m_snap.groups.size()},
        {"snapshot_ifaces", m_snap.ifaces_v4.size() + m_snap.ifaces_v6.size()},
    };
}

}  // namespace

std::unique_ptr<engine> open_savefile(const savefile_options& opts, std::string& error) {
    auto eng = std::make_unique<savefile_engine>(opts);
    const gzip_decoder decoder = opts.isal_inflate ? gzip_decoder::automatic : gzip_decoder::zlib;
    if (!eng->input().open_file(opts.path, opts.background_read, opts.worker_cpus, decoder, error) ||
        !eng->open(error))
        return nullptr;
    return eng;
}

std::unique_ptr<engine> open_savefile_memory(const uint8_t* data, size_t size, const savefile_options& opts,
                                             std::string& error) {
    auto eng = std::make_unique<savefile_engine>(opts);
    eng->input().open_memory(data, size);
    if (!eng->open(error)) return nullptr;
    return eng;
}

}  // namespace scap
