// The capture writer on a file system that fills up (a small tmpfs mounted for the test; root
// only): the error names the cause and the path, the counters say what reached the file, and the
// file reads back, event for event, up to its last complete block.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "event_builder.h"
#include "scap/savefile.h"
#include "scap/snapshot.h"
#include "test_paths.h"

namespace {

using scap::test::bytes;

// A tmpfs of `size_bytes` mounted on a fresh directory for the test's lifetime.
class small_tmpfs {
  public:
    small_tmpfs(const std::string& name, size_t size_bytes) {
        m_dir = scap_test::temp_dir(name) + "/mnt";
        ::mkdir(m_dir.c_str(), 0755);
        const std::string opts = "size=" + std::to_string(size_bytes);
        if (::mount("tmpfs", m_dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) == 0)
            m_mounted = true;
        else
            m_error = std::string("cannot mount a tmpfs (needs root): ") + std::strerror(errno);
    }
    ~small_tmpfs() {
        if (m_mounted) ::umount2(m_dir.c_str(), MNT_DETACH);
    }
    bool mounted() const { return m_mounted; }
    const std::string& error() const { return m_error; }
    const std::string& dir() const { return m_dir; }

  private:
    std::string m_dir;
    std::string m_error;
    bool m_mounted = false;
};

// A write event carrying `n` random (incompressible) bytes, so gzip fills the disk as fast as plain.
bytes write_event(std::mt19937_64& rng, uint64_t ts, size_t n) {
    bytes data(n);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    return scap::test::event_builder(PPME_SYSCALL_WRITE_X, 4242, ts)
        .num<int64_t>(static_cast<int64_t>(n))
        .param(data)
        .num<int64_t>(3)
        .num<uint32_t>(static_cast<uint32_t>(n))
        .build();
}

uint64_t file_size(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : UINT64_MAX;
}

bool contains(const std::string& s, const std::string& what) {
    return s.find(what) != std::string::npos;
}

class SavefileFullDisk : public ::testing::TestWithParam<bool> {};

TEST_P(SavefileFullDisk, KeepsEveryCompleteBlockAndNamesTheCause) {
    const bool gzip = GetParam();
    small_tmpfs fs(gzip ? "full_disk_gz" : "full_disk_plain", 512 * 1024);
    if (!fs.mounted()) GTEST_SKIP() << fs.error();
    const std::string path = fs.dir() + (gzip ? "/capture.scap.gz" : "/capture.scap");

    std::string error;
    auto d = scap::dumper::open(path, gzip, scap::snapshot{}, error);
    ASSERT_NE(d, nullptr) << error;
    EXPECT_EQ(d->bytes_written(), file_size(path)) << "the snapshot blocks reach the file at open";

    std::mt19937_64 rng(14);
    std::vector<bytes> given;
    scap::status s = scap::status::ok;
    while (s == scap::status::ok && given.size() < 100000) {
        given.push_back(write_event(rng, 1000 + given.size(), 100 + rng() % 900));
        s = d->write(scap::test::hdr(given.back()), 0);
    }
    ASSERT_EQ(s, scap::status::error) << "512 KiB should not hold " << given.size() << " events";
    EXPECT_TRUE(contains(d->last_error(), "No space left on device")) << d->last_error();
    EXPECT_TRUE(contains(d->last_error(), path)) << d->last_error();
    const uint64_t kept = d->events_written();
    EXPECT_GT(kept, 100u);
    EXPECT_LT(kept, given.size());
    EXPECT_EQ(d->bytes_written(), file_size(path)) << "the failed commit is cut off the file";

    // Later calls fail with the same cause; closing says it too, never a bare zlib code.
    const bytes more = write_event(rng, 1, 10);
    EXPECT_EQ(d->write(scap::test::hdr(more), 0), scap::status::error);
    EXPECT_TRUE(contains(d->last_error(), "No space left on device")) << d->last_error();
    EXPECT_EQ(d->close(), scap::status::error);
    const std::string closing = d->last_error();
    EXPECT_TRUE(contains(closing, "No space left on device")) << closing;
    EXPECT_TRUE(contains(closing, path)) << closing;
    EXPECT_FALSE(contains(closing, "zlib")) << closing;
    EXPECT_TRUE(contains(closing, "the file keeps " + std::to_string(kept) + " events")) << closing;
    EXPECT_EQ(d->events_written(), kept);
    EXPECT_EQ(d->bytes_written(), file_size(path));
    const bool clean_end = contains(closing, "ends cleanly");

    // The file reads back: exactly the events it says it keeps, byte for byte, then a clean end
    // (or, for a gzip stream that had no room for its trailer, a truncation error after them).
    scap::savefile_options o;
    o.path = path;
    o.convert = false;
    auto eng = scap::open_savefile(o, error);
    ASSERT_NE(eng, nullptr) << error;
    scap::event_ref ref;
    uint64_t n = 0;
    while ((s = eng->next(ref)) == scap::status::ok) {
        ASSERT_LT(n, kept);
        const bytes& want = given[n];
        uint32_t len;  // events sit unaligned in their blocks
        std::memcpy(&len, reinterpret_cast<const uint8_t*>(ref.hdr) + offsetof(scap::event_header, len), 4);
        ASSERT_EQ(len, want.size()) << "event " << n;
        ASSERT_EQ(std::memcmp(ref.hdr, want.data(), want.size()), 0) << "event " << n;
        ++n;
    }
    EXPECT_EQ(n, kept);
    if (clean_end || !gzip) {
        EXPECT_EQ(s, scap::status::eof) << eng->last_error();
    } else {
        EXPECT_EQ(s, scap::status::error);
        EXPECT_TRUE(contains(eng->last_error(), "unexpected end of file")) << eng->last_error();
    }
}

INSTANTIATE_TEST_SUITE_P(PlainAndGzip, SavefileFullDisk, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "gzip" : "plain"; });

// A file system already full: open() fails on the snapshot blocks, naming the cause and the path.
TEST(SavefileFullDiskOpen, NoRoomForTheSnapshotFailsAtOpen) {
    small_tmpfs fs("full_disk_open", 64 * 1024);
    if (!fs.mounted()) GTEST_SKIP() << fs.error();
    {
        const std::string filler = fs.dir() + "/filler";
        FILE* f = std::fopen(filler.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        const std::vector<char> chunk(4096, 'x');
        while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size() && std::fflush(f) == 0) {
        }
        std::fclose(f);
    }
    const std::string path = fs.dir() + "/capture.scap.gz";
    std::string error;
    auto d = scap::dumper::open(path, true, scap::snapshot{}, error);
    EXPECT_EQ(d, nullptr);
    EXPECT_TRUE(contains(error, "No space left on device")) << error;
    EXPECT_TRUE(contains(error, path)) << error;
    EXPECT_TRUE(contains(error, "snapshot")) << error;
}

// A gzip file ends at each commit on a sync flush: any prefix cut at a commit boundary
// decompresses completely (no error before its end), which is what a cut-back file relies on.
TEST(SavefileWriterGzip, CountsMatchTheFileAndItDecompressesWhole) {
    const std::string path = scap_test::temp_dir("gzip_counts") + "/c.scap.gz";
    std::string error;
    auto d = scap::dumper::open(path, true, scap::snapshot{}, error);
    ASSERT_NE(d, nullptr) << error;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 3000; ++i) {
        const bytes e = write_event(rng, 1000 + i, 200);
        ASSERT_EQ(d->write(scap::test::hdr(e), 0), scap::status::ok) << d->last_error();
    }
    EXPECT_LT(d->events_written(), 3000u) << "the last events are still buffered";
    ASSERT_EQ(d->close(), scap::status::ok) << d->last_error();
    EXPECT_EQ(d->events_written(), 3000u);
    EXPECT_EQ(d->bytes_written(), file_size(path));
    EXPECT_GT(d->data_bytes_written(), 3000u * 200);
    // zlib alone reads the whole stream: header, sync-flushed blocks, final block, trailer.
    gzFile gz = gzopen(path.c_str(), "rb");
    ASSERT_NE(gz, nullptr);
    std::vector<uint8_t> buf(1 << 16);
    uint64_t total = 0;
    int got;
    while ((got = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()))) > 0) total += got;
    int errnum = 0;
    const char* msg = gzerror(gz, &errnum);
    EXPECT_EQ(errnum, Z_OK) << msg;
    gzclose(gz);
    EXPECT_EQ(total, d->data_bytes_written());
}

}  // namespace
