// Damaged captures end with a clear error that names what is wrong and where (block type and
// file offset), never a crash or a silent stop. Each case damages a valid file written by our
// own writer; the suite also runs under ASan/UBSan.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "event_builder.h"
#include "scap/savefile.h"
#include "test_paths.h"

namespace {

using bytes = std::vector<uint8_t>;
using scap::test::event_builder;

// A small valid capture: snapshot blocks from a real capture, then three events.
struct sample {
    bytes file;
    size_t first_event_block = 0;  // offset of the first event block
};

sample make_sample() {
    scap::savefile_options o;
    o.path = scap_test::capture("falco_cat_write.scap");
    std::string error;
    auto src = scap::open_savefile(o, error);
    EXPECT_NE(src, nullptr) << error;
    const std::string path = scap_test::temp_dir("errors") + "/sample.scap";
    auto d = scap::dumper::open(path, false, src->get_snapshot(), error);
    EXPECT_NE(d, nullptr) << error;
    sample s;
    s.first_event_block = d->bytes_written();
    for (int i = 0; i < 3; ++i) {
        const bytes ev = event_builder(PPME_SYSCALL_CLOSE_X, 42).num<int64_t>(0).num<int64_t>(3 + i).build();
        EXPECT_EQ(d->write(reinterpret_cast<const scap::event_header*>(ev.data()), 1, 0), scap::status::ok);
    }
    d->close();
    std::ifstream in(path, std::ios::binary);
    s.file.assign(std::istreambuf_iterator<char>(in), {});
    return s;
}

struct outcome {
    bool opened = false;
    std::string error;
    uint64_t events = 0;
    scap::status last = scap::status::ok;
};

outcome read(const bytes& file) {
    outcome r;
    scap::savefile_options o;
    auto eng = scap::open_savefile_memory(file.data(), file.size(), o, r.error);
    if (!eng) return r;
    r.opened = true;
    scap::event_ref ref;
    while ((r.last = eng->next(ref)) == scap::status::ok) ++r.events;
    r.error = eng->last_error();
    return r;
}

void put_u32(bytes& b, size_t at, uint32_t v) {
    std::memcpy(b.data() + at, &v, 4);
}

TEST(SavefileErrors, TheUndamagedSampleReadsCleanly) {
    const sample s = make_sample();
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::eof) << r.error;
    EXPECT_EQ(r.events, 3u);
}

TEST(SavefileErrors, NotACaptureAtAll) {
    const bytes junk(100, 0x41);
    const outcome r = read(junk);
    EXPECT_FALSE(r.opened);
    EXPECT_NE(r.error.find("no section header"), std::string::npos) << r.error;
}

TEST(SavefileErrors, BadByteOrderMagic) {
    sample s = make_sample();
    put_u32(s.file, 8, 0x4D3C2B1A);
    const outcome r = read(s.file);
    EXPECT_FALSE(r.opened);
    EXPECT_NE(r.error.find("byte-order magic"), std::string::npos) << r.error;
}

TEST(SavefileErrors, TruncatedInsideAnEventBlock) {
    sample s = make_sample();
    s.file.resize(s.first_event_block + 20);
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_EQ(r.events, 0u);
    EXPECT_NE(r.error.find("block truncated"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("offset " + std::to_string(s.first_event_block)), std::string::npos) << r.error;
}

TEST(SavefileErrors, TruncatedInsideABlockHeader) {
    sample s = make_sample();
    s.file.resize(s.file.size() - 1);  // last block loses its trailer's last byte
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_EQ(r.events, 2u);  // everything before the damage is delivered
    EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
}

TEST(SavefileErrors, TrailerDisagreesWithHeader) {
    sample s = make_sample();
    uint32_t len;
    std::memcpy(&len, s.file.data() + s.first_event_block + 4, 4);
    put_u32(s.file, s.first_event_block + len - 4, len + 4);
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_NE(r.error.find("trailer length"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("event block"), std::string::npos) << r.error;
}

TEST(SavefileErrors, OversizedBlockLength) {
    sample s = make_sample();
    put_u32(s.file, s.first_event_block + 4, 0xFFFFFFF0u);
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_NE(r.error.find("exceeds"), std::string::npos) << r.error;
}

TEST(SavefileErrors, BlockLengthTooSmall) {
    sample s = make_sample();
    put_u32(s.file, s.first_event_block + 4, 4);
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_NE(r.error.find("too small"), std::string::npos) << r.error;
}

TEST(SavefileErrors, EventLengthRunsPastItsBlock) {
    sample s = make_sample();
    // block header (8) + cpu id (2), then the event header: len is at +16 inside it.
    const size_t evt = s.first_event_block + 10;
    put_u32(s.file, evt + 16, 5000);
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_NE(r.error.find("past the end"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("event block number 1)"), std::string::npos) << r.error;
}

TEST(SavefileErrors, LengthsArrayClaimsMoreThanTheEvent) {
    sample s = make_sample();
    const size_t evt = s.first_event_block + 10;
    const uint16_t huge = 60000;
    std::memcpy(s.file.data() + evt + 26, &huge, 2);  // first parameter length
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_NE(r.error.find("parameters run past"), std::string::npos) << r.error;
}

TEST(SavefileErrors, TooManyParameters) {
    sample s = make_sample();
    const size_t evt = s.first_event_block + 10;
    put_u32(s.file, evt + 22, 1000);  // nparams
    const outcome r = read(s.file);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_NE(r.error.find("too many parameters"), std::string::npos) << r.error;
}

TEST(SavefileErrors, UnknownEventTypesAreSkippedAndCounted) {
    sample s = make_sample();
    const size_t evt = s.first_event_block + 10;
    const uint16_t future_type = PPM_EVENT_MAX + 7;
    std::memcpy(s.file.data() + evt + 20, &future_type, 2);
    scap::savefile_options o;
    std::string error;
    auto eng = scap::open_savefile_memory(s.file.data(), s.file.size(), o, error);
    ASSERT_NE(eng, nullptr) << error;
    scap::event_ref ref;
    int n = 0;
    while (eng->next(ref) == scap::status::ok) ++n;
    EXPECT_EQ(n, 2);
    scap::engine_stats st;
    eng->get_stats(st);
    bool found = false;
    for (auto& [k, v] : st.extra)
        if (k == "unknown_event_types_skipped") found = (v == 1);
    EXPECT_TRUE(found);
    // Said once, with the type and where.
    ASSERT_EQ(eng->notes().size(), 1u);
    EXPECT_NE(
        eng->notes()[0].find("skipped an event of unknown type " + std::to_string(future_type) +
                             " (event block number 1 at offset " + std::to_string(s.first_event_block) + ")"),
        std::string::npos)
        << eng->notes()[0];
}

TEST(SavefileErrors, CorruptedProcessListFailsAtOpenNamingTheBlock) {
    sample s = make_sample();
    // Find the process list block (type 0x215) and make its first entry claim 3 bytes.
    size_t off = 0;
    bool damaged = false;
    while (off + 8 <= s.file.size()) {
        uint32_t type, len;
        std::memcpy(&type, s.file.data() + off, 4);
        std::memcpy(&len, s.file.data() + off + 4, 4);
        if (type == 0x215) {
            put_u32(s.file, off + 8, 3);
            damaged = true;
            break;
        }
        off += len;
    }
    ASSERT_TRUE(damaged);
    const outcome r = read(s.file);
    EXPECT_FALSE(r.opened);
    EXPECT_NE(r.error.find("process list block"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("offset " + std::to_string(off)), std::string::npos) << r.error;
}

TEST(SavefileErrors, MissingFileSaysWhy) {
    scap::savefile_options o;
    o.path = "/nonexistent/capture.scap";
    std::string error;
    EXPECT_EQ(scap::open_savefile(o, error), nullptr);
    EXPECT_NE(error.find("/nonexistent/capture.scap"), std::string::npos) << error;
}

}  // namespace

namespace {

TEST(SavefileErrors, TruncatedGzipStreamIsReportedAsSuch) {
    std::ifstream in(scap_test::capture("falco_cat_write.scap"), std::ios::binary);
    bytes gz(std::istreambuf_iterator<char>(in), {});
    ASSERT_GT(gz.size(), 6000u);
    gz.resize(gz.size() / 2);  // cut the compressed stream mid-way
    const std::string path = scap_test::temp_dir("truncated_gz") + "/cut.scap.gz";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(gz.data()), gz.size());
    scap::savefile_options o;
    o.path = path;
    std::string error;
    auto eng = scap::open_savefile(o, error);
    if (eng) {
        scap::event_ref ref;
        scap::status s;
        while ((s = eng->next(ref)) == scap::status::ok) {
        }
        EXPECT_EQ(s, scap::status::error);
        error = eng->last_error();
    }
    EXPECT_NE(error.find("unexpected end of file"), std::string::npos) << error;
}

}  // namespace

namespace {

// A gzip stream whose trailer CRC is wrong: zlib reports the data error and drops what it inflated
// in that read (for a capture this small, everything). The error says so, and where, rather than
// "not a capture file".
TEST(SavefileErrors, BadGzipChecksumIsAReadErrorNotAForeignFile) {
    std::ifstream in(scap_test::capture("falco_cat_write.scap"), std::ios::binary);
    bytes gz(std::istreambuf_iterator<char>(in), {});
    ASSERT_GT(gz.size(), 8u);
    ASSERT_EQ(gz[0], 0x1f) << "expected the shared capture to be gzip-compressed";
    gz[gz.size() - 8] ^= 0x01;  // the CRC-32 of the trailer
    const std::string path = scap_test::temp_dir("bad_gzip_crc") + "/crc.scap.gz";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(gz.data()), gz.size());
    scap::savefile_options o;
    o.path = path;
    std::string error;
    EXPECT_EQ(scap::open_savefile(o, error), nullptr);
    EXPECT_NE(error.find(path + ": read error in the section header block at offset 0: "), std::string::npos)
        << error;
    EXPECT_NE(error.find("incorrect data check"), std::string::npos) << error;
    EXPECT_EQ(error.find("not a capture file"), std::string::npos) << error;
}

}  // namespace
