// Raw libscap iteration over the 2M-event reference capture.
//
// Baselines measured in the same run, so figures can be read as ratios:
//   BM_gunzip_only        zlib decompression of the .gz file into a scratch buffer (the floor
//                         for anything that reads the compressed file)
//   BM_read_plain_only    reading the decompressed copy with read(2) (the floor for plain files)
// Measured:
//   BM_iterate_gz         open + decompress + block parse + validate + convert + next(), from .gz
//                         (inflated with ISA-L when the build has it)
//   BM_iterate_gz_zlib    the same with zlib forced (savefile_options::isal_inflate = false)
//   BM_iterate_plain      the same over the decompressed copy
// Each reports events/s (items_per_second) and bytes/s of decompressed capture.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "scap/scap.h"

namespace {

std::string gz_path() {
    return std::string(SCAP_SOURCE_DIR) + "/../shared/captures/reference_mixed_2M.scap.gz";
}

// Decompressed copy made once per process, in the temp directory.
const std::string& plain_path() {
    static std::string path = [] {
        std::string out =
            (std::filesystem::temp_directory_path() / "scap_bench_reference_mixed_2M.scap").string();
        gzFile in = gzopen(gz_path().c_str(), "rb");
        FILE* f = std::fopen(out.c_str(), "wb");
        std::vector<char> buf(1 << 20);
        int n;
        while (in && f && (n = gzread(in, buf.data(), buf.size())) > 0) std::fwrite(buf.data(), 1, n, f);
        if (in) gzclose(in);
        if (f) std::fclose(f);
        return out;
    }();
    return path;
}

void iterate(benchmark::State& state, const std::string& path, bool isal = true) {
    uint64_t events = 0, bytes = 0;
    for (auto _ : state) {
        scap::open_options opts;
        opts.file.path = path;
        opts.file.isal_inflate = isal;
        std::string error;
        auto eng = scap::open_engine(opts, error);
        if (!eng) {
            state.SkipWithError(error.c_str());
            return;
        }
        scap::event_ref ref;
        scap::status s;
        while ((s = eng->next(ref)) == scap::status::ok) {
            ++events;
            bytes += ref.hdr->len;
        }
        if (s != scap::status::eof) {
            state.SkipWithError(eng->last_error().c_str());
            return;
        }
    }
    state.SetItemsProcessed(events);
    state.SetBytesProcessed(bytes);
}

void BM_iterate_gz(benchmark::State& state) {
    iterate(state, gz_path());
}
void BM_iterate_gz_zlib(benchmark::State& state) {
    iterate(state, gz_path(), false);
}
void BM_iterate_plain(benchmark::State& state) {
    iterate(state, plain_path());
}

void BM_gunzip_only(benchmark::State& state) {
    std::vector<char> buf(1 << 20);
    uint64_t bytes = 0;
    for (auto _ : state) {
        gzFile in = gzopen(gz_path().c_str(), "rb");
        gzbuffer(in, 1 << 20);
        int n;
        while ((n = gzread(in, buf.data(), buf.size())) > 0) bytes += n;
        gzclose(in);
    }
    state.SetBytesProcessed(bytes);
}

void BM_read_plain_only(benchmark::State& state) {
    std::vector<char> buf(1 << 20);
    uint64_t bytes = 0;
    for (auto _ : state) {
        int fd = open(plain_path().c_str(), O_RDONLY);
        ssize_t n;
        while ((n = read(fd, buf.data(), buf.size())) > 0) bytes += n;
        close(fd);
    }
    state.SetBytesProcessed(bytes);
}

}  // namespace

BENCHMARK(BM_gunzip_only)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_iterate_gz)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_iterate_gz_zlib)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_read_plain_only)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_iterate_plain)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_MAIN();
