// The two gzip decoders behind the capture reader (savefile/byte_source.h): ISA-L's igzip, used
// by default when the build has it, must give exactly zlib's bytes and zlib's errors, on the
// shared captures and on the gzip shapes files take in the field (concatenated members,
// trailing bytes, streams cut short, damaged checksums).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gzip_bytes.h"
#include "savefile/byte_source.h"
#include "test_paths.h"

namespace {

using scap_test::bytes;

struct read_result {
    bytes data;
    std::string error;  // empty after a clean end
    uint64_t raw = 0;   // raw_offset() at the end
    std::string decoder;
};

read_result read_all(const std::string& path, scap::gzip_decoder d, size_t piece = 1 << 20) {
    read_result r;
    std::string err;
    auto src = scap::open_byte_source(path, d, err);
    EXPECT_NE(src, nullptr) << err;
    if (!src) return r;
    r.decoder = src->decoder();
    bytes buf(piece);
    for (;;) {
        const long n = src->read(buf.data(), buf.size());
        if (n < 0) {
            r.error = src->error();
            break;
        }
        if (n == 0) break;
        r.data.insert(r.data.end(), buf.begin(), buf.begin() + n);
    }
    r.raw = src->raw_offset();
    return r;
}

std::string write_temp(const std::string& name, const bytes& b) {
    const std::string path = scap_test::temp_dir("gzip_decoder") + "/" + name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
    return path;
}

bytes concat(const bytes& a, const bytes& b) {
    bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

class GzipDecoder : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!scap::have_isal_decoder())
            GTEST_SKIP() << "this build has no ISA-L (libisal-dev not found at configure time): zlib "
                            "reads every gzip capture, there is no second decoder to compare";
    }
};

TEST_F(GzipDecoder, SharedCapturesInflateToZlibsBytes) {
    size_t gz_files = 0;
    for (const auto& e : std::filesystem::directory_iterator(scap_test::capture(""))) {
        const std::string path = e.path().string();
        std::ifstream in(path, std::ios::binary);
        if (in.get() != 0x1f || in.get() != 0x8b) continue;
        ++gz_files;
        // An odd piece size so inflate output and chunk boundaries never line up.
        const read_result fast = read_all(path, scap::gzip_decoder::automatic, 777 * 1024 + 13);
        const read_result zl = read_all(path, scap::gzip_decoder::zlib);
        EXPECT_EQ(fast.decoder, "isa-l") << path;
        EXPECT_EQ(zl.decoder, "zlib") << path;
        EXPECT_EQ(fast.error, "") << path;
        EXPECT_EQ(zl.error, "") << path;
        ASSERT_EQ(fast.data.size(), zl.data.size()) << path;
        EXPECT_TRUE(fast.data == zl.data) << path;
        EXPECT_EQ(fast.raw, std::filesystem::file_size(path)) << path;
    }
    EXPECT_GE(gz_files, 5u) << "expected the shared captures (gzip-compressed) in " << scap_test::capture("");
}

TEST_F(GzipDecoder, PlainFilesAreReadAsStored) {
    const bytes plain = scap_test::read_plain(scap_test::capture("falco_cat_write.scap"));
    ASSERT_GT(plain.size(), 1000u);
    const std::string path = write_temp("plain.scap", plain);
    // Read as stored, without zlib in between; zlib's transparent mode gives the same bytes.
    const read_result r = read_all(path, scap::gzip_decoder::automatic);
    EXPECT_EQ(r.decoder, "none");
    EXPECT_TRUE(r.data == plain);
    EXPECT_EQ(r.raw, plain.size());
    const read_result zl = read_all(path, scap::gzip_decoder::zlib);
    EXPECT_EQ(zl.decoder, "zlib");
    EXPECT_TRUE(zl.data == plain);
}

TEST_F(GzipDecoder, ConcatenatedMembersAndTrailingBytes) {
    const bytes a = scap_test::read_plain(scap_test::capture("falco_cat_write.scap"));
    const bytes b = scap_test::read_plain(scap_test::capture("falco_syscall.scap"));
    ASSERT_FALSE(a.empty());
    ASSERT_FALSE(b.empty());
    const bytes both = concat(a, b);
    const bytes members = concat(scap_test::gzip(a, 1), scap_test::gzip(b, 9));
    // Small pieces make a member end (and the next one's magic) fall anywhere in the input.
    for (size_t piece : {size_t(1) << 20, size_t(4093)}) {
        for (auto d : {scap::gzip_decoder::automatic, scap::gzip_decoder::zlib}) {
            const read_result r = read_all(write_temp("members.scap.gz", members), d, piece);
            EXPECT_EQ(r.error, "") << r.decoder;
            EXPECT_TRUE(r.data == both) << r.decoder << " piece " << piece;
        }
    }
    bytes trailing = scap_test::gzip(a);
    for (uint8_t x : {0x00, 0x00, 0x42, 0x17}) trailing.push_back(x);  // padding some tools leave
    const read_result fast =
        read_all(write_temp("trailing.scap.gz", trailing), scap::gzip_decoder::automatic);
    const read_result zl = read_all(write_temp("trailing.scap.gz", trailing), scap::gzip_decoder::zlib);
    EXPECT_TRUE(fast.data == a);
    EXPECT_EQ(fast.error, zl.error);
    EXPECT_TRUE(zl.data == a);
}

TEST_F(GzipDecoder, CutShortStreamKeepsItsBytesThenSaysSo) {
    const bytes plain = scap_test::read_plain(scap_test::capture("falco_syscall.scap"));
    bytes gz = scap_test::gzip(plain);
    gz.resize(gz.size() * 2 / 3);
    const std::string path = write_temp("cut.scap.gz", gz);
    const read_result fast = read_all(path, scap::gzip_decoder::automatic, 4096);
    const read_result zl = read_all(path, scap::gzip_decoder::zlib, 4096);
    EXPECT_NE(fast.error.find("unexpected end of file"), std::string::npos) << fast.error;
    EXPECT_NE(zl.error.find("unexpected end of file"), std::string::npos) << zl.error;
    // What came out before the error is the capture's beginning, every byte zlib recovers (igzip
    // alone holds back the unfinished block's output: the reader finishes such a file with zlib).
    ASSERT_LE(fast.data.size(), plain.size());
    EXPECT_TRUE(std::equal(fast.data.begin(), fast.data.end(), plain.begin()));
    EXPECT_EQ(fast.data.size(), zl.data.size());
    EXPECT_GT(fast.data.size(), plain.size() / 3);
}

TEST_F(GzipDecoder, DamagedChecksumIsAnError) {
    const bytes plain = scap_test::read_plain(scap_test::capture("falco_cat_write.scap"));
    bytes gz = scap_test::gzip(plain);
    gz[gz.size() - 8] ^= 0x01;  // the trailer's CRC-32
    const std::string path = write_temp("crc.scap.gz", gz);
    for (auto d : {scap::gzip_decoder::automatic, scap::gzip_decoder::zlib}) {
        const read_result r = read_all(path, d);
        EXPECT_EQ(r.error, path + ": incorrect data check") << r.decoder;
    }
    bytes garbled = scap_test::gzip(plain);
    for (size_t i = 20; i < 60 && i < garbled.size(); ++i) garbled[i] = 0xff;  // inside the deflate data
    const read_result r = read_all(write_temp("garbled.scap.gz", garbled), scap::gzip_decoder::automatic);
    EXPECT_FALSE(r.error.empty());
}

}  // namespace
