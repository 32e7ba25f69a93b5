// Cuts fuzz seeds out of a real capture at run time (seeds from ../shared/captures are never
// committed):
//   seed_cutter CAPTURE OUTDIR
// writes OUTDIR/event/ (single raw events, the first few of each type), OUTDIR/converter/
// (windows of consecutive raw events), OUTDIR/sinsp_replay/ (windows of consecutive raw events,
// longer), OUTDIR/ring/ (converted events laid out as ring records, one discarded) and
// OUTDIR/savefile/ (small current-format captures: a few processes of the snapshot and a window
// of events, so the capture-file fuzzer mutates every block kind in a few kilobytes).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engines/modern_bpf/ring_record.h"
#include "scap/savefile.h"

namespace {

using bytes = std::vector<uint8_t>;

bytes event_bytes(const scap::event_ref& ref) {
    const auto* p = reinterpret_cast<const uint8_t*>(ref.hdr);
    return bytes(p, p + ref.view().len());
}

void write(const std::filesystem::path& dir, const std::string& name, const bytes& b) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
}

std::vector<bytes> read_all(const std::string& path, bool convert, size_t max,
                            scap::snapshot* snap = nullptr) {
    scap::savefile_options opts;
    opts.path = path;
    opts.convert = convert;
    opts.background_read = false;
    std::string error;
    auto eng = scap::open_savefile(opts, error);
    if (!eng) {
        std::fprintf(stderr, "seed_cutter: %s\n", error.c_str());
        std::exit(1);
    }
    std::vector<bytes> out;
    scap::event_ref ref;
    while (out.size() < max && eng->next(ref) == scap::status::ok) out.push_back(event_bytes(ref));
    if (snap) *snap = eng->get_snapshot();
    return out;
}

// Windows of `len` consecutive events, one every `step`, at most `max`.
void cut_windows(const std::vector<bytes>& evts, size_t len, size_t step, size_t max,
                 const std::filesystem::path& dir, const std::string& stem) {
    size_t n = 0;
    for (size_t start = 0; start < evts.size() && n < max; start += step, ++n) {
        bytes w;
        for (size_t i = start; i < evts.size() && i < start + len; ++i)
            w.insert(w.end(), evts[i].begin(), evts[i].end());
        write(dir, stem + "_" + std::to_string(start), w);
    }
}

// Records as the kernel writes them: 8-byte header (length, flags), payload, 8-byte aligned.
void append_record(bytes& ring, const bytes& payload, uint32_t flags) {
    const uint32_t len = static_cast<uint32_t>(payload.size()) | flags;
    const size_t at = ring.size();
    ring.resize(at + ((payload.size() + scap::modern_bpf::k_ring_record_header + 7) & ~size_t{7}));
    std::memcpy(ring.data() + at, &len, 4);
    std::memcpy(ring.data() + at + scap::modern_bpf::k_ring_record_header, payload.data(), payload.size());
}

void cut_rings(const std::vector<bytes>& evts, const std::filesystem::path& dir, const std::string& stem) {
    for (size_t start = 0, n = 0; start + 8 <= evts.size() && n < 50; start += evts.size() / 50 + 1, ++n) {
        bytes ring(8, 0);  // consumer position 0; producer distance set below
        for (size_t i = start; i < start + 8; ++i)
            append_record(ring, evts[i], i == start + 3 ? scap::modern_bpf::k_ring_discard : 0);
        const uint32_t ahead = static_cast<uint32_t>(ring.size() - 8);
        std::memcpy(ring.data() + 4, &ahead, 4);
        write(dir, stem + "_" + std::to_string(start), ring);
    }
}

// Small captures: the snapshot cut to a few processes (with their fds), then 32 events.
void cut_captures(const std::vector<bytes>& evts, scap::snapshot snap, const std::filesystem::path& dir,
                  const std::string& stem) {
    if (snap.processes.size() > 4) snap.processes.resize(4);
    if (snap.users.size() > 3) snap.users.resize(3);
    if (snap.groups.size() > 3) snap.groups.resize(3);
    std::filesystem::create_directories(dir);
    for (size_t start = 0, n = 0; start < evts.size() && n < 10; start += evts.size() / 10 + 1, ++n) {
        const std::string path = (dir / ("small_" + stem + "_" + std::to_string(start))).string();
        std::string error;
        auto out = scap::dumper::open(path, false, snap, error);
        if (!out) {
            std::fprintf(stderr, "seed_cutter: %s\n", error.c_str());
            std::exit(1);
        }
        for (size_t i = start; i < evts.size() && i < start + 32; ++i)
            out->write(reinterpret_cast<const scap::event_header*>(evts[i].data()), 0);
        out->close();
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: seed_cutter CAPTURE OUTDIR\n");
        return 2;
    }
    const std::filesystem::path out = argv[2];
    const std::string stem = std::filesystem::path(argv[1]).stem().stem().string();
    const size_t max_events = 20000;
    const std::vector<bytes> raw = read_all(argv[1], false, max_events);
    std::map<uint16_t, int> per_type;
    for (size_t i = 0; i < raw.size(); ++i) {
        const uint16_t type = scap::event_view(raw[i].data()).type();
        if (per_type[type]++ < 3) write(out / "event", stem + "_" + std::to_string(i), raw[i]);
    }
    cut_windows(raw, 16, raw.size() / 40 + 1, 40, out / "converter", stem);
    cut_windows(raw, 64, raw.size() / 20 + 1, 20, out / "sinsp_replay", stem);
    scap::snapshot snap;
    const std::vector<bytes> converted = read_all(argv[1], true, max_events, &snap);
    cut_rings(converted, out / "ring", stem);
    cut_captures(converted, snap, out / "savefile", stem);
    std::printf("seed_cutter: %s: %zu events, %zu types\n", argv[1], raw.size(), per_type.size());
    return 0;
}
