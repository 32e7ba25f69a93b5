#include "sinsp/inspector.h"

#include <cstring>
#include <thread>

#include "scap/scap.h"
#include "state/core.h"
#include "state/snapshot_loader.h"

namespace sinsp {

namespace {
unsigned resolve_threads(unsigned wanted) {
    if (wanted != 0) return wanted;
    return std::thread::hardware_concurrency() > 1 ? 2 : 1;
}
}  // namespace

inspector::inspector(inspector_options opts)
    : m_core(std::make_unique<state_core>(opts)), m_opts(opts), m_threads(resolve_threads(opts.threads)) {}

inspector::~inspector() {
    stop_reading();
}

scap::savefile_options inspector::file_options(const std::string& path) {
    scap::savefile_options f;
    f.path = path;
    f.processes_to = process_loader();
    f.background_read = file_background_read(m_threads);
    f.worker_cpus = m_opts.worker_cpus;
    return f;
}

scap::status inspector::open_file(const std::string& path, std::string& error) {
    scap::open_options o;
    o.file = file_options(path);
    auto eng = scap::open_engine(o, error);
    if (!eng) {
        m_error = error;
        return scap::status::error;
    }
    open(std::move(eng));
    return scap::status::ok;
}

// With a reading thread, a gzip capture would otherwise keep three threads busy (inflating,
// parsing, state). On two cores one of them always waits for a time slice, so the reading thread
// inflates itself and two threads share two cores; with more cores inflating keeps its own.
bool inspector::file_background_read(unsigned reading_threads) {
    return reading_threads < 2 || std::thread::hardware_concurrency() > 2;
}

std::vector<bool> inspector::state_syscalls() {
    std::vector<bool> out(PPM_SC_MAX, false);
    const uint32_t needs = EF_MODIFIES_STATE | EF_CREATES_FD | EF_DESTROYS_FD;
    for (uint32_t nr = 0; nr < SCAP_SYSCALL_TABLE_SIZE_X86_64; ++nr) {
        const scap_syscall_info& s = scap_syscall_table_x86_64[nr];
        if (s.ppm_sc == 0 || s.ppm_sc >= PPM_SC_MAX) continue;
        if (scap_event_table[s.exit_event].flags & needs) out[s.ppm_sc] = true;
    }
    return out;
}

void inspector::open(std::unique_ptr<scap::engine> engine) {
    stop_reading();
    m_engine = std::move(engine);
    m_snapshot_loaded = false;
    m_stopped = false;
}

void inspector::stop_reading() {
    m_stopped = true;
    if (!m_reader) return;
    if (m_batch) m_reader->release(m_batch);
    m_batch = nullptr;
    m_reader->stop();
    m_reader.reset();
}

scap::snapshot_sink* inspector::process_loader() {
    if (m_opts.keep_engine_processes) return nullptr;
    if (!m_loader) m_loader = std::make_unique<snapshot_loader>(*m_core);
    return m_loader.get();
}

// Files deliver the snapshot blocks before the first event: load it once it is complete.
void inspector::load_engine_snapshot() {
    if (m_loader && m_loader->started()) {
        // The process and fd lists came through process_loader(); the rest is in the snapshot.
        m_core->finish_snapshot(m_engine->get_snapshot());
        m_loader->reset();
        m_snapshot_loaded = true;
        return;
    }
    scap::snapshot* consume = m_opts.keep_engine_processes ? nullptr : m_engine->snapshot_to_consume();
    m_core->load_snapshot(m_engine->get_snapshot(), consume);
    m_snapshot_loaded = true;
    if (!m_opts.keep_engine_processes) m_engine->release_snapshot_processes();
}

// Events from the reading thread, a batch at a time. The snapshot is loaded at the same point
// as on one thread (the first event, or the end), and while a batch is held the reading
// thread leaves the engine's snapshot alone (see scap::batch_reader).
scap::status inspector::next_from_batches(const event*& out) {
    for (;;) {
        if (m_batch) {
            if (m_batch_pos < m_batch->count) {
                out = &m_core->process(m_batch->events[m_batch_pos++]);
                return scap::status::ok;
            }
            const scap::status end = m_batch->result;
            if (end == scap::status::eof || end == scap::status::error) {
                // The last batch stays held: later calls say the same.
                if (end == scap::status::error) m_error = m_batch->error;
                return end;
            }
            m_reader->release(m_batch);
            m_batch = nullptr;
            if (end == scap::status::timeout) return end;
        }
        if (!m_reader) {
            scap::batch_reader_options ro;
            if (m_opts.batch_events) ro.events_per_batch = m_opts.batch_events;
            if (m_opts.batch_ring) ro.ring = m_opts.batch_ring;
            ro.worker_cpus = m_opts.worker_cpus;
            m_reader = std::make_unique<scap::batch_reader>(*m_engine, ro);
        }
        m_batch = m_reader->acquire();
        m_batch_pos = 0;
        if (!m_snapshot_loaded && (m_batch->count > 0 || m_batch->result == scap::status::eof))
            load_engine_snapshot();
    }
}

scap::status inspector::next(const event*& out) {
    out = nullptr;
    if (!m_engine) {
        m_error = "no engine open";
        return scap::status::error;
    }
    if (m_stopped) return scap::status::eof;
    if (m_core->runtime && m_core->runtime->has_ready() && next_container_event(out)) return scap::status::ok;
    if (m_threads >= 2) return next_from_batches(out);
    scap::event_ref ref;
    const scap::status s = m_engine->next(ref);
    if (!m_snapshot_loaded && (s == scap::status::ok || s == scap::status::eof)) load_engine_snapshot();
    if (s != scap::status::ok) {
        if (s == scap::status::error) m_error = m_engine->last_error();
        return s;
    }
    out = &m_core->process(ref);
    return s;
}

bool inspector::next_container_event(const event*& out) {
    container_info info;
    if (!m_core->runtime->take(info)) return false;
    const std::string json = container_to_json(info);
    // PPME_CONTAINER_JSON_2_E: one string parameter with a 4-byte length. Timestamped as the
    // last event so the stream stays ordered; tid -1, as the reference stamps container events.
    const uint32_t param_len = static_cast<uint32_t>(json.size() + 1);
    const uint32_t len_size = scap::param_len_size(PPME_CONTAINER_JSON_2_E);
    m_container_event.assign(scap::k_event_header_size + len_size + param_len, 0);
    scap::event_header h{};
    h.ts = m_core->last_ts();
    h.tid = UINT64_MAX;
    h.len = static_cast<uint32_t>(m_container_event.size());
    h.type = PPME_CONTAINER_JSON_2_E;
    h.nparams = 1;
    std::memcpy(m_container_event.data(), &h, sizeof h);
    std::memcpy(m_container_event.data() + scap::k_event_header_size, &param_len, len_size);
    std::memcpy(m_container_event.data() + scap::k_event_header_size + len_size, json.c_str(), param_len);
    scap::event_ref ref;
    ref.hdr = reinterpret_cast<const scap::event_header*>(m_container_event.data());
    out = &m_core->process(ref);
    return true;
}

container_runtime_stats inspector::container_runtime() const {
    return m_core->runtime ? m_core->runtime->stats() : container_runtime_stats{};
}

const event& inspector::process(const scap::event_ref& ref) {
    return m_core->process(ref);
}
void inspector::load_snapshot(const scap::snapshot& snap) {
    m_core->load_snapshot(snap);
}

thread_table& inspector::threads() {
    return m_core->threads;
}
const thread_table& inspector::threads() const {
    return m_core->threads;
}
const state_stats& inspector::stats() const {
    return m_core->stats;
}
const container_table& inspector::containers() const {
    return m_core->containers;
}
const string_interner& inspector::strings() const {
    return m_core->strings;
}
std::string_view inspector::str(string_id id) const {
    return m_core->strings.get(id);
}

std::string_view inspector::cwd(const thread_info& t) const {
    return t.fs ? m_core->strings.get(t.fs->cwd) : std::string_view{};
}

std::vector<std::string> inspector::arg_list(const thread_info& t) const {
    std::vector<std::string> out;
    std::string_view a = str(t.args);
    while (!a.empty()) {
        const size_t nul = a.find('\0');
        out.emplace_back(a.substr(0, nul));
        if (nul == std::string_view::npos) break;
        a.remove_prefix(nul + 1);
    }
    return out;
}

std::string inspector::cmdline(const thread_info& t) const {
    std::string out(str(t.comm));
    for (const auto& a : arg_list(t)) out.append(" ").append(a);
    return out;
}

const scap::user_info* inspector::user(uint32_t uid) const {
    auto it = m_core->users.find(uid);
    return it == m_core->users.end() ? nullptr : &it->second;
}
const scap::group_info* inspector::group(uint32_t gid) const {
    auto it = m_core->groups.find(gid);
    return it == m_core->groups.end() ? nullptr : &it->second;
}
const std::vector<scap::iface_v4>& inspector::ifaces_v4() const {
    return m_core->ifaces_v4;
}
const std::vector<scap::iface_v6>& inspector::ifaces_v6() const {
    return m_core->ifaces_v6;
}

inspector::memory_report inspector::memory() const {
    return m_core->memory();
}

size_t inspector::state_bytes() const {
    return m_core->state_bytes();
}

}  // namespace sinsp
