// The capture writer: what it writes must be what the reference writes (same block types,
// versions, field order, entry lengths, padding), so the reference reads our files. Checked
// byte for byte against a capture the reference wrote, and field by field against the layouts.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "event_builder.h"
#include "savefile_blocks.h"
#include "scap/savefile.h"
#include "scap/snapshot.h"
#include "test_paths.h"

namespace {

using namespace savefile_test;
using scap::test::event_builder;

bytes gunzip_prefix(const std::string& path, size_t n) {
    bytes out(n);
    gzFile gz = gzopen(path.c_str(), "rb");
    EXPECT_NE(gz, nullptr);
    const int got = gzread(gz, out.data(), static_cast<unsigned>(n));
    gzclose(gz);
    out.resize(got > 0 ? static_cast<size_t>(got) : 0);
    return out;
}

// The reference wrote reference_mixed_2M.scap.gz. Reading its snapshot and first events and
// writing them again must give back the very same bytes: every snapshot block and event block.
TEST(SavefileWriterLayout, RewritesAReferenceCaptureByteForByte) {
    const std::string src = scap_test::capture("reference_mixed_2M.scap.gz");
    scap::savefile_options o;
    o.path = src;
    o.convert = false;
    std::string error;
    auto eng = scap::open_savefile(o, error);
    ASSERT_NE(eng, nullptr) << error;
    const std::string out = scap_test::temp_dir("writer_layout") + "/copy.scap";
    auto d = scap::dumper::open(out, false, eng->get_snapshot(), error);
    ASSERT_NE(d, nullptr) << error;
    const uint64_t snapshot_bytes = d->bytes_written();
    scap::event_ref ref;
    for (int i = 0; i < 20000; ++i) {
        ASSERT_EQ(eng->next(ref), scap::status::ok) << eng->last_error();
        ASSERT_EQ(d->write(ref), scap::status::ok) << d->last_error();
    }
    ASSERT_EQ(d->close(), scap::status::ok) << d->last_error();
    const bytes ours = read_file(out);
    EXPECT_EQ(ours.size(), d->bytes_written());
    EXPECT_GT(snapshot_bytes, 20000u);  // 14 snapshot blocks, 10 processes, 268 fds
    EXPECT_GT(ours.size(), snapshot_bytes + 20000 * 40);
    const bytes theirs = gunzip_prefix(src, ours.size());
    ASSERT_EQ(theirs.size(), ours.size());
    size_t first_diff = 0;
    while (first_diff < ours.size() && ours[first_diff] == theirs[first_diff]) ++first_diff;
    EXPECT_EQ(first_diff, ours.size()) << "first difference at offset " << first_diff
                                       << " (snapshot blocks end at " << snapshot_bytes << ")";
}

// A snapshot with one of everything, written and checked against the layouts field by field.
scap::snapshot full_snapshot() {
    scap::snapshot s;
    s.machine.present = true;
    s.machine.num_cpus = 8;
    s.machine.memory_size_bytes = 1ull << 34;
    s.machine.max_pid = 4194304;
    s.machine.hostname = "writer-host";
    s.machine.boot_ts_epoch = 1700000000000000000ull;
    s.machine.flags = 3;
    s.has_iflist = true;
    scap::iface_v4 v4;
    v4.addr = 0x0100007f;
    v4.netmask = 0xff;
    v4.bcast = 0;
    v4.linkspeed = 10000;
    v4.name = "lo";
    s.ifaces_v4.push_back(v4);
    scap::iface_v6 v6;
    v6.addr[15] = 1;
    v6.linkspeed = 0;
    v6.name = "eth0";
    s.ifaces_v6.push_back(v6);
    s.has_userlist = true;
    s.users.push_back({0, 0, "root", "/root", "/bin/bash"});
    s.groups.push_back({27, "sudo"});
    scap::process_info p;
    p.tid = 42;
    p.pid = 42;
    p.ptid = 1;
    p.sid = 42;
    p.vpgid = 42;
    p.pgid = 40;
    p.comm = "bash";
    p.exe = "-bash";
    p.exepath = "/usr/bin/bash";
    p.args = std::string("-l\0x", 4);
    p.env = std::string("HOME=/root\0TERM=xterm\0", 22);
    p.cwd = "/root";
    p.fdlimit = 1024;
    p.flags = 0x10;
    p.uid = 0;
    p.gid = 0;
    p.vmsize_kb = 1;
    p.vmrss_kb = 2;
    p.vmswap_kb = 3;
    p.pfmajor = 4;
    p.pfminor = 5;
    p.vtid = 42;
    p.vpid = 42;
    p.cgroups = std::string("cpu=/\0memory=/user\0", 19);
    p.root = "/";
    p.pidns_init_start_ts = 6;
    p.tty = 34816;
    p.loginuid = 1000;
    p.exe_writable = true;
    p.cap_inheritable = 7;
    p.cap_permitted = 8;
    p.cap_effective = 9;
    p.exe_upper_layer = true;
    p.exe_ino = 10;
    p.exe_ino_ctime = 11;
    p.exe_ino_mtime = 12;
    p.exe_from_memfd = true;
    p.exe_lower_layer = true;
    scap::fd_info f;
    f.fd = 3;
    f.ino = 99;
    f.type = scap::fd_type::ipv4_sock;
    f.sip = 0x0100007f;
    f.dip = 0x0200007f;
    f.sport = 1234;
    f.dport = 80;
    f.l4proto = 6;
    p.fds.push_back(f);
    f = {};
    f.fd = 4;
    f.type = scap::fd_type::file_v2;
    f.open_flags = 0x241;
    f.name = "/tmp/x";
    f.dev = 0x803;
    p.fds.push_back(f);
    f = {};
    f.fd = 5;
    f.type = scap::fd_type::unknown;  // never written, as the reference
    p.fds.push_back(f);
    s.upsert_process(p);
    scap::process_info hidden = p;
    hidden.tid = 43;
    hidden.filtered_out = true;
    s.upsert_process(hidden);
    scap::process_info no_fds;
    no_fds.tid = 44;
    no_fds.comm = "idle";
    s.upsert_process(no_fds);
    return s;
}

struct parsed_block {
    uint32_t type;
    size_t offset;
    bytes body;  // padding included, trailer excluded
};

std::vector<parsed_block> blocks_of(const bytes& file) {
    std::vector<parsed_block> out;
    for (size_t at = 0; at + 12 <= file.size();) {
        uint32_t type, len, trailer;
        std::memcpy(&type, file.data() + at, 4);
        std::memcpy(&len, file.data() + at + 4, 4);
        EXPECT_EQ(len % 4, 0u) << "block at " << at;
        EXPECT_LE(at + len, file.size());
        if (len < 12 || at + len > file.size()) break;
        std::memcpy(&trailer, file.data() + at + len - 4, 4);
        EXPECT_EQ(trailer, len) << "block at " << at;
        out.push_back({type, at,
                       bytes(file.begin() + static_cast<std::ptrdiff_t>(at + 8),
                             file.begin() + static_cast<std::ptrdiff_t>(at + len - 4))});
        at += len;
    }
    return out;
}

template <typename T>
T get(const bytes& b, size_t& at) {
    T v{};
    EXPECT_LE(at + sizeof(T), b.size());
    if (at + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
}

std::string get_str16(const bytes& b, size_t& at) {
    const uint16_t n = get<uint16_t>(b, at);
    std::string s;
    if (at + n <= b.size()) s.assign(reinterpret_cast<const char*>(b.data() + at), n);
    at += n;
    return s;
}

TEST(SavefileWriterLayout, SnapshotBlocksFollowTheCurrentLayouts) {
    const std::string path = scap_test::temp_dir("writer_fields") + "/full.scap";
    std::string error;
    auto d = scap::dumper::open(path, false, full_snapshot(), error);
    ASSERT_NE(d, nullptr) << error;
    const bytes evt = event_builder(PPME_SYSCALL_CLOSE_X, 42, 777).num<int64_t>(0).num<int64_t>(3).build();
    ASSERT_EQ(d->write(scap::test::hdr(evt), 3), scap::status::ok);
    ASSERT_EQ(d->write(scap::test::hdr(evt), 1, 0x10), scap::status::ok);
    const bytes big =
        event_builder(PPME_PLUGINEVENT_E, 42).num<uint32_t>(1).param(bytes(100, 7)).build();  // large payload
    ASSERT_EQ(d->write(scap::test::hdr(big), 0), scap::status::ok);
    ASSERT_EQ(d->write(scap::test::hdr(big), 0, 1), scap::status::ok);
    ASSERT_EQ(d->close(), scap::status::ok);
    EXPECT_NE(d->write(scap::test::hdr(evt), 0), scap::status::ok);  // closed

    const bytes file = read_file(path);
    EXPECT_EQ(file.size(), d->bytes_written());
    const std::vector<parsed_block> b = blocks_of(file);
    // Order and versions: section header, machine info, interfaces v2, users v2, processes v9,
    // one fd list v2 per written process, then the events.
    std::vector<uint32_t> types;
    for (const auto& x : b) types.push_back(x.type);
    EXPECT_EQ(types, (std::vector<uint32_t>{0x0A0D0D0A, 0x201, 0x219, 0x220, 0x215, 0x218, 0x218, 0x216,
                                            0x217, 0x221, 0x222}));
    ASSERT_EQ(b.size(), 11u);

    size_t at = 0;
    EXPECT_EQ(b[0].body.size(), 16u);
    EXPECT_EQ(get<uint32_t>(b[0].body, at), 0x1A2B3C4Du);
    EXPECT_EQ(get<uint16_t>(b[0].body, at), 1);
    EXPECT_EQ(get<uint16_t>(b[0].body, at), 2);
    EXPECT_EQ(get<uint64_t>(b[0].body, at), UINT64_MAX);

    // Machine info: the packed 180-byte structure.
    at = 0;
    ASSERT_EQ(b[1].body.size(), 180u);
    EXPECT_EQ(get<uint32_t>(b[1].body, at), 8u);
    EXPECT_EQ(get<uint64_t>(b[1].body, at), 1ull << 34);
    EXPECT_EQ(get<uint64_t>(b[1].body, at), 4194304u);
    EXPECT_STREQ(reinterpret_cast<const char*>(b[1].body.data() + at), "writer-host");
    at += 128;
    EXPECT_EQ(get<uint64_t>(b[1].body, at), 1700000000000000000ull);
    EXPECT_EQ(get<uint64_t>(b[1].body, at), 3u);

    // Interfaces: entry length not counting itself, then type, name length, addresses,
    // link speed, name.
    at = 0;
    EXPECT_EQ(get<uint32_t>(b[2].body, at), 2u + 2 + 4 + 4 + 4 + 8 + 2);
    EXPECT_EQ(get<uint16_t>(b[2].body, at), 1);
    EXPECT_EQ(get<uint16_t>(b[2].body, at), 2);
    EXPECT_EQ(get<uint32_t>(b[2].body, at), 0x0100007fu);
    EXPECT_EQ(get<uint32_t>(b[2].body, at), 0xffu);
    EXPECT_EQ(get<uint32_t>(b[2].body, at), 0u);
    EXPECT_EQ(get<uint64_t>(b[2].body, at), 10000u);
    at += 2;  // "lo"
    EXPECT_EQ(get<uint32_t>(b[2].body, at), 2u + 2 + 16 * 3 + 8 + 4);
    EXPECT_EQ(get<uint16_t>(b[2].body, at), 2);
    EXPECT_EQ(get<uint16_t>(b[2].body, at), 4);
    at += 16 * 3 + 8 + 4;
    EXPECT_EQ(b[2].body.size(), (at + 3) & ~size_t{3});

    // Users then groups: entry length counting itself, kind (0 user, 1 group), ids, strings.
    at = 0;
    EXPECT_EQ(get<uint32_t>(b[3].body, at), 4u + 1 + 4 + 4 + 2 + 4 + 2 + 5 + 2 + 9);
    EXPECT_EQ(get<uint8_t>(b[3].body, at), 0);
    EXPECT_EQ(get<uint32_t>(b[3].body, at), 0u);
    EXPECT_EQ(get<uint32_t>(b[3].body, at), 0u);
    EXPECT_EQ(get_str16(b[3].body, at), "root");
    EXPECT_EQ(get_str16(b[3].body, at), "/root");
    EXPECT_EQ(get_str16(b[3].body, at), "/bin/bash");
    EXPECT_EQ(get<uint32_t>(b[3].body, at), 4u + 1 + 4 + 2 + 4);
    EXPECT_EQ(get<uint8_t>(b[3].body, at), 1);
    EXPECT_EQ(get<uint32_t>(b[3].body, at), 27u);
    EXPECT_EQ(get_str16(b[3].body, at), "sudo");

    // Processes: the filtered-out one is absent; every field in version-9 order.
    const bytes& pl = b[4].body;
    at = 0;
    const uint32_t entry_len = get<uint32_t>(pl, at);
    const uint32_t strings = 4 + 5 + 13 + 4 + 5 + 22 + 19 + 1;
    EXPECT_EQ(entry_len, 4u + 8 * 5 + 2 * 8 + strings + 8 + 4 * 3 + 4 * 3 + 8 * 2 + 8 * 2 + 8 + 4 + 4 + 1 +
                             8 * 3 + 1 + 8 * 3 + 1 + 1 + 8);
    EXPECT_EQ(get<uint64_t>(pl, at), 42u);  // tid
    EXPECT_EQ(get<uint64_t>(pl, at), 42u);  // pid
    EXPECT_EQ(get<uint64_t>(pl, at), 1u);   // ptid
    EXPECT_EQ(get<int64_t>(pl, at), 42);    // sid
    EXPECT_EQ(get<int64_t>(pl, at), 42);    // vpgid
    EXPECT_EQ(get_str16(pl, at), "bash");
    EXPECT_EQ(get_str16(pl, at), "-bash");
    EXPECT_EQ(get_str16(pl, at), "/usr/bin/bash");
    EXPECT_EQ(get_str16(pl, at), std::string("-l\0x", 4));
    EXPECT_EQ(get_str16(pl, at), "/root");
    EXPECT_EQ(get<uint64_t>(pl, at), 1024u);
    EXPECT_EQ(get<uint32_t>(pl, at), 0x10u);
    EXPECT_EQ(get<uint32_t>(pl, at), 0u);
    EXPECT_EQ(get<uint32_t>(pl, at), 0u);
    EXPECT_EQ(get<uint32_t>(pl, at), 1u);
    EXPECT_EQ(get<uint32_t>(pl, at), 2u);
    EXPECT_EQ(get<uint32_t>(pl, at), 3u);
    EXPECT_EQ(get<uint64_t>(pl, at), 4u);
    EXPECT_EQ(get<uint64_t>(pl, at), 5u);
    EXPECT_EQ(get_str16(pl, at), std::string("HOME=/root\0TERM=xterm\0", 22));
    EXPECT_EQ(get<int64_t>(pl, at), 42);
    EXPECT_EQ(get<int64_t>(pl, at), 42);
    EXPECT_EQ(get_str16(pl, at), std::string("cpu=/\0memory=/user\0", 19));
    EXPECT_EQ(get_str16(pl, at), "/");
    EXPECT_EQ(get<uint64_t>(pl, at), 6u);      // pidns_init_start_ts
    EXPECT_EQ(get<uint32_t>(pl, at), 34816u);  // tty
    EXPECT_EQ(get<uint32_t>(pl, at), 1000u);   // loginuid
    EXPECT_EQ(get<uint8_t>(pl, at), 1);        // exe_writable
    EXPECT_EQ(get<uint64_t>(pl, at), 7u);
    EXPECT_EQ(get<uint64_t>(pl, at), 8u);
    EXPECT_EQ(get<uint64_t>(pl, at), 9u);
    EXPECT_EQ(get<uint8_t>(pl, at), 1);  // exe_upper_layer
    EXPECT_EQ(get<uint64_t>(pl, at), 10u);
    EXPECT_EQ(get<uint64_t>(pl, at), 11u);
    EXPECT_EQ(get<uint64_t>(pl, at), 12u);
    EXPECT_EQ(get<uint8_t>(pl, at), 1);  // exe_from_memfd
    EXPECT_EQ(get<uint8_t>(pl, at), 1);  // exe_lower_layer
    EXPECT_EQ(get<int64_t>(pl, at), 40);
    EXPECT_EQ(at, entry_len);
    EXPECT_EQ(get<uint32_t>(pl, at), 4u + 8 * 5 + 2 * 8 + 4 + 8 + 4 * 3 + 4 * 3 + 8 * 2 + 8 * 2 + 8 + 4 + 4 +
                                         1 + 8 * 3 + 1 + 8 * 3 + 1 + 1 +
                                         8);  // "idle", every string else empty
    at += 8;
    EXPECT_EQ(get<uint64_t>(pl, at), 0u);  // tid 44's pid

    // fd lists: tid, then entries with their length counting itself; unknown fds left out.
    const bytes& fdl = b[5].body;
    at = 0;
    EXPECT_EQ(get<uint64_t>(fdl, at), 42u);
    EXPECT_EQ(get<uint32_t>(fdl, at), 4u + 8 + 8 + 1 + 4 + 4 + 2 + 2 + 1);
    EXPECT_EQ(get<int64_t>(fdl, at), 3);
    EXPECT_EQ(get<uint64_t>(fdl, at), 99u);
    EXPECT_EQ(get<uint8_t>(fdl, at), 3);
    EXPECT_EQ(get<uint32_t>(fdl, at), 0x0100007fu);
    EXPECT_EQ(get<uint32_t>(fdl, at), 0x0200007fu);
    EXPECT_EQ(get<uint16_t>(fdl, at), 1234);
    EXPECT_EQ(get<uint16_t>(fdl, at), 80);
    EXPECT_EQ(get<uint8_t>(fdl, at), 6);
    EXPECT_EQ(get<uint32_t>(fdl, at), 4u + 8 + 8 + 1 + 4 + 2 + 6 + 4);
    EXPECT_EQ(get<int64_t>(fdl, at), 4);
    at += 8;
    EXPECT_EQ(get<uint8_t>(fdl, at), 16);
    EXPECT_EQ(get<uint32_t>(fdl, at), 0x241u);
    EXPECT_EQ(get_str16(fdl, at), "/tmp/x");
    EXPECT_EQ(get<uint32_t>(fdl, at), 0x803u);
    EXPECT_EQ(fdl.size(), (at + 3) & ~size_t{3});
    EXPECT_EQ(b[6].body.size(), 8u);  // tid 44: a list with no entries, as the reference writes

    // Events: cpu, (flags), the event as given, zero padding.
    at = 0;
    EXPECT_EQ(get<uint16_t>(b[7].body, at), 3);
    EXPECT_EQ(bytes(b[7].body.begin() + 2, b[7].body.begin() + 2 + static_cast<std::ptrdiff_t>(evt.size())),
              evt);
    at = 0;
    EXPECT_EQ(get<uint16_t>(b[8].body, at), 1);
    EXPECT_EQ(get<uint32_t>(b[8].body, at), 0x10u);
    EXPECT_EQ(bytes(b[8].body.begin() + 6, b[8].body.begin() + 6 + static_cast<std::ptrdiff_t>(evt.size())),
              evt);
    EXPECT_EQ(b[9].body.size(), (2 + big.size() + 3) & ~size_t{3});
    for (size_t i = 2 + big.size(); i < b[9].body.size(); ++i) EXPECT_EQ(b[9].body[i], 0) << "padding";
}

// The reference's reader rejects a whole capture over one string longer than it accepts for
// that field; the writer cuts such strings instead.
TEST(SavefileWriterLimits, StringsAreCutToWhatTheReferenceReaderAccepts) {
    scap::snapshot s;
    s.has_userlist = true;
    s.users.push_back({1, 1, std::string(300, 'u'), std::string(300, 'h'), "/bin/sh"});
    s.groups.push_back({1, std::string(400, 'g')});
    scap::process_info p;
    p.tid = 1;
    p.comm = std::string(2000, 'c');
    p.exe = std::string("exe\0hidden", 10);  // a C string on disk: ends at its NUL
    p.args = std::string(5000, 'a');
    p.env = std::string(4096, 'e');
    scap::fd_info f;
    f.type = scap::fd_type::file;
    f.name = std::string(5000, 'f');
    p.fds.push_back(f);
    s.upsert_process(p);
    s.has_iflist = true;
    scap::iface_v4 i;
    i.name = std::string(2000, 'i');
    s.ifaces_v4.push_back(i);

    const std::string path = scap_test::temp_dir("writer_limits") + "/limits.scap";
    std::string error;
    auto d = scap::dumper::open(path, false, s, error);
    ASSERT_NE(d, nullptr) << error;
    ASSERT_EQ(d->close(), scap::status::ok);
    scap::savefile_options o;
    o.path = path;
    auto eng = scap::open_savefile(o, error);
    ASSERT_NE(eng, nullptr) << error;
    const scap::snapshot& r = eng->get_snapshot();
    ASSERT_EQ(r.processes.size(), 1u);
    EXPECT_EQ(r.processes[0].comm, std::string(1024, 'c'));
    EXPECT_EQ(r.processes[0].exe, "exe");
    EXPECT_EQ(r.processes[0].args, std::string(4096, 'a'));
    EXPECT_EQ(r.processes[0].env, std::string(4096, 'e'));
    ASSERT_EQ(r.processes[0].fds.size(), 1u);
    EXPECT_EQ(r.processes[0].fds[0].name, std::string(1023, 'f'));
    ASSERT_EQ(r.users.size(), 1u);
    EXPECT_EQ(r.users[0].name.size(), 255u);
    EXPECT_EQ(r.users[0].homedir.size(), 255u);
    EXPECT_EQ(r.groups[0].name.size(), 255u);
    ASSERT_EQ(r.ifaces_v4.size(), 1u);
    EXPECT_EQ(r.ifaces_v4[0].name.size(), 1023u);
}

// Events too long for the reference's 64 KiB non-large read buffer, or of a large-payload type,
// go in the LARGE block types.
TEST(SavefileWriterLimits, LongEventsUseTheLargeBlockTypes) {
    const std::string path = scap_test::temp_dir("writer_large") + "/large.scap";
    std::string error;
    auto d = scap::dumper::open(path, false, scap::snapshot{}, error);
    ASSERT_NE(d, nullptr) << error;
    const bytes small = event_builder(PPME_SYSCALL_WRITE_X)
                            .num<int64_t>(0)
                            .param(bytes(65000, 1))
                            .num<int64_t>(3)
                            .num<uint32_t>(65000)
                            .build();
    const bytes over = event_builder(PPME_SYSCALL_WRITE_X)
                           .num<int64_t>(0)
                           .param(bytes(65500, 1))
                           .num<int64_t>(3)
                           .num<uint32_t>(65500)
                           .build();
    ASSERT_EQ(d->write(scap::test::hdr(small), 0), scap::status::ok);
    ASSERT_EQ(d->write(scap::test::hdr(over), 0), scap::status::ok);
    ASSERT_EQ(d->close(), scap::status::ok);
    const std::vector<parsed_block> b = blocks_of(read_file(path));
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(b[1].type, 0x216u);
    EXPECT_LE(b[1].body.size() + 4, 65536u);
    EXPECT_EQ(b[2].type, 0x221u);
}

// gzip or not, what was written reads back as written.
TEST(SavefileWriterRoundTrip, FullSnapshotAndEventsReadBackEqual) {
    const scap::snapshot s = full_snapshot();
    const std::string dir = scap_test::temp_dir("writer_roundtrip");
    std::vector<bytes> evs;
    for (int i = 0; i < 100; ++i)
        evs.push_back(
            event_builder(PPME_SYSCALL_CLOSE_X, static_cast<uint64_t>(i), static_cast<uint64_t>(i) * 10)
                .num<int64_t>(0)
                .num<int64_t>(i)
                .build());
    for (bool gzip : {false, true}) {
        const std::string path = dir + (gzip ? "/rt.scap.gz" : "/rt.scap");
        std::string error;
        auto d = scap::dumper::open(path, gzip, s, error);
        ASSERT_NE(d, nullptr) << error;
        for (size_t i = 0; i < evs.size(); ++i)
            ASSERT_EQ(
                d->write(scap::test::hdr(evs[i]), static_cast<uint16_t>(i), static_cast<uint32_t>(i % 2)),
                scap::status::ok);
        ASSERT_EQ(d->close(), scap::status::ok);
        const bytes raw = read_file(path);
        ASSERT_GE(raw.size(), 4u);
        if (gzip) {
            EXPECT_EQ(raw[0], 0x1f);
            EXPECT_EQ(raw[1], 0x8b);
        } else {
            EXPECT_EQ(raw[0], 0x0A);
            EXPECT_EQ(raw[1], 0x0D);
        }
        scap::savefile_options o;
        o.path = path;
        auto eng = scap::open_savefile(o, error);
        ASSERT_NE(eng, nullptr) << error;
        scap::event_ref ref;
        for (size_t i = 0; i < evs.size(); ++i) {
            ASSERT_EQ(eng->next(ref), scap::status::ok) << eng->last_error();
            const auto* p = reinterpret_cast<const uint8_t*>(ref.hdr);
            EXPECT_EQ(bytes(p, p + ref.hdr->len), evs[i]);
            EXPECT_EQ(ref.cpu, i);
            EXPECT_EQ(ref.flags, i % 2);
        }
        EXPECT_EQ(eng->next(ref), scap::status::eof);
        const scap::snapshot& r = eng->get_snapshot();
        EXPECT_EQ(r.machine.hostname, "writer-host");
        EXPECT_EQ(r.machine.memory_size_bytes, s.machine.memory_size_bytes);
        EXPECT_EQ(r.machine.flags, 3u);
        ASSERT_EQ(r.processes.size(), 2u);  // tid 43 was filtered out
        EXPECT_EQ(r.find_process(43), nullptr);
        const scap::process_info& a = *r.find_process(42);
        const scap::process_info& b = *s.find_process(42);
        EXPECT_EQ(a.comm, b.comm);
        EXPECT_EQ(a.exe, b.exe);
        EXPECT_EQ(a.exepath, b.exepath);
        EXPECT_EQ(a.args, b.args);
        EXPECT_EQ(a.env, b.env);
        EXPECT_EQ(a.cwd, b.cwd);
        EXPECT_EQ(a.cgroups, b.cgroups);
        EXPECT_EQ(a.root, b.root);
        EXPECT_EQ(a.sid, b.sid);
        EXPECT_EQ(a.vpgid, b.vpgid);
        EXPECT_EQ(a.pgid, b.pgid);
        EXPECT_EQ(a.pfmajor, b.pfmajor);
        EXPECT_EQ(a.vmswap_kb, b.vmswap_kb);
        EXPECT_EQ(a.pidns_init_start_ts, b.pidns_init_start_ts);
        EXPECT_EQ(a.tty, b.tty);
        EXPECT_EQ(a.loginuid, b.loginuid);
        EXPECT_EQ(a.cap_permitted, b.cap_permitted);
        EXPECT_EQ(a.exe_ino_mtime, b.exe_ino_mtime);
        EXPECT_EQ(a.exe_writable, b.exe_writable);
        EXPECT_EQ(a.exe_upper_layer, b.exe_upper_layer);
        EXPECT_EQ(a.exe_lower_layer, b.exe_lower_layer);
        EXPECT_EQ(a.exe_from_memfd, b.exe_from_memfd);
        ASSERT_EQ(a.fds.size(), 2u);  // the unknown fd is not written
        EXPECT_EQ(a.fds[0].dport, 80);
        EXPECT_EQ(a.fds[1].name, "/tmp/x");
        EXPECT_EQ(a.fds[1].dev, 0x803u);
        ASSERT_EQ(r.ifaces_v6.size(), 1u);
        EXPECT_EQ(r.ifaces_v6[0].addr[15], 1);
        EXPECT_EQ(r.groups.size(), 1u);
    }
}

// Old captures copied without conversion: identical events (old headers come out current) and
// snapshot; the copy needs no upgrade any more.
TEST(SavefileWriterRoundTrip, EveryOldCaptureCopiedUnconvertedRereadsIdentically) {
    for (const char* name :
         {"falco_cat_write.scap", "falco_connect_localhost.scap", "falco_syscall.scap",
          "libs_curl_google_comments.scap", "libs_test_ipv6_client.scap", "falco_empty.scap"}) {
        scap::savefile_options o;
        o.path = scap_test::capture(name);
        o.convert = false;
        std::string error;
        auto src = scap::open_savefile(o, error);
        ASSERT_NE(src, nullptr) << error;
        const std::string out = scap_test::temp_dir("writer_copy") + "/copy.scap";
        std::vector<bytes> evs;
        {
            auto d = scap::dumper::open(out, true, src->get_snapshot(), error);
            ASSERT_NE(d, nullptr) << error;
            scap::event_ref ref;
            while (src->next(ref) == scap::status::ok) {
                const auto* p = reinterpret_cast<const uint8_t*>(ref.hdr);
                evs.emplace_back(p, p + ref.hdr->len);
                ASSERT_EQ(d->write(ref), scap::status::ok);
            }
            ASSERT_EQ(d->close(), scap::status::ok);
        }
        o.path = out;
        auto copy = scap::open_savefile(o, error);
        ASSERT_NE(copy, nullptr) << error;
        size_t i = 0;
        scap::event_ref ref;
        while (copy->next(ref) == scap::status::ok) {
            ASSERT_LT(i, evs.size());
            const auto* p = reinterpret_cast<const uint8_t*>(ref.hdr);
            ASSERT_EQ(bytes(p, p + ref.hdr->len), evs[i]) << name << " event " << i;
            ++i;
        }
        EXPECT_EQ(i, evs.size()) << name;
        scap::engine_stats st;
        copy->get_stats(st);
        for (auto& [k, v] : st.extra)
            if (k == "old_format_event_headers") {
                EXPECT_EQ(v, 0u) << name;
            }
        const scap::snapshot& a = src->get_snapshot();
        const scap::snapshot& b = copy->get_snapshot();
        ASSERT_EQ(a.processes.size(), b.processes.size()) << name;
        for (size_t k = 0; k < a.processes.size(); ++k) {
            const scap::process_info& x = a.processes[k];
            const scap::process_info& y = b.processes[k];
            ASSERT_EQ(x.tid, y.tid);
            EXPECT_EQ(x.comm, y.comm);
            EXPECT_EQ(x.args, y.args);
            EXPECT_EQ(x.env, y.env);
            EXPECT_EQ(x.cgroups, y.cgroups);
            EXPECT_EQ(x.vtid, y.vtid);
            EXPECT_EQ(x.sid, y.sid);
            EXPECT_EQ(x.loginuid, y.loginuid);
            ASSERT_EQ(x.fds.size(), y.fds.size()) << name << " tid " << x.tid;
            for (size_t j = 0; j < x.fds.size(); ++j) {
                EXPECT_EQ(x.fds[j].fd, y.fds[j].fd);
                EXPECT_EQ(x.fds[j].type, y.fds[j].type);
                EXPECT_EQ(x.fds[j].name, y.fds[j].name);
                EXPECT_EQ(x.fds[j].sip, y.fds[j].sip);
                EXPECT_EQ(x.fds[j].dip, y.fds[j].dip);
                EXPECT_EQ(x.fds[j].dport, y.fds[j].dport);
                EXPECT_EQ(std::memcmp(x.fds[j].dip6, y.fds[j].dip6, 16), 0);
                EXPECT_EQ(x.fds[j].unix_dest, y.fds[j].unix_dest);
            }
        }
        EXPECT_EQ(a.users.size(), b.users.size());
        EXPECT_EQ(a.groups.size(), b.groups.size());
        EXPECT_EQ(a.ifaces_v4.size(), b.ifaces_v4.size());
        EXPECT_EQ(a.ifaces_v6.size(), b.ifaces_v6.size());
    }
}

TEST(SavefileWriterErrors, EventsWithImpossibleLengthsAreRefused) {
    const std::string path = scap_test::temp_dir("writer_bad_len") + "/bad.scap";
    std::string error;
    auto d = scap::dumper::open(path, false, scap::snapshot{}, error);
    ASSERT_NE(d, nullptr) << error;
    bytes evt = event_builder(PPME_SYSCALL_CLOSE_X).num<int64_t>(0).num<int64_t>(3).build();
    for (uint32_t bad : {0u, 25u, 0xffffffffu}) {
        std::memcpy(evt.data() + 16, &bad, 4);
        EXPECT_EQ(d->write(scap::test::hdr(evt), 0), scap::status::error);
        EXPECT_NE(d->last_error().find("invalid length " + std::to_string(bad)), std::string::npos)
            << d->last_error();
    }
    EXPECT_EQ(d->events_written(), 0u);
}

TEST(SavefileWriterErrors, UnwritablePathSaysWhy) {
    std::string error;
    auto d = scap::dumper::open("/nonexistent-dir/x.scap", false, scap::snapshot{}, error);
    EXPECT_EQ(d, nullptr);
    EXPECT_NE(error.find("/nonexistent-dir/x.scap"), std::string::npos) << error;
}

}  // namespace

namespace {

// A device that is always full: the snapshot blocks go out at open, so open fails, naming the
// cause and the path (the tmpfs tests in savefile_full_disk_test.cpp fill a disk mid-capture).
TEST(SavefileWriterErrors, WriteFailureSaysWhereItStopped) {
    if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full here";
    std::string error;
    auto d = scap::dumper::open("/dev/full", false, scap::snapshot{}, error);
    EXPECT_EQ(d, nullptr);
    EXPECT_NE(error.find("cannot write '/dev/full': No space left on device"), std::string::npos) << error;
    EXPECT_NE(error.find("snapshot blocks"), std::string::npos) << error;
}

}  // namespace
