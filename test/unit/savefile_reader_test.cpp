// The capture-file reader: every real capture against an independent block walk and asserted
// totals; every older block version, built by hand from the format; blocks larger than the
// reader's chunks; memory input; damaged files that must end in an error naming the place.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "event_builder.h"
#include "savefile_blocks.h"
#include "scap/savefile.h"
#include "scap/snapshot.h"
#include "gzip_bytes.h"
#include "test_paths.h"

namespace {

using namespace savefile_test;
using scap::test::event_builder;

struct capture_totals {
    const char* file;
    uint64_t decompressed_bytes;
    uint64_t event_blocks;  // = events delivered without conversion
    uint64_t metadata_blocks;
    uint64_t processes, fds, users, groups, ifaces;
};

// Computed once with this reader; each figure is also checked against the block walk below
// (blocks, bytes, event content; entries where the block versions carry entry lengths).
const capture_totals k_totals[] = {
    {"falco_cat_write.scap", 104404, 345, 77, 73, 384, 32, 61, 5},
    {"falco_connect_localhost.scap", 199800, 374, 188, 184, 690, 41, 71, 7},
    {"falco_empty.scap", 251784, 143, 222, 218, 883, 45, 77, 11},
    {"falco_open-multiple-files.scap", 225988, 1272, 132, 128, 685, 40, 70, 8},
    {"falco_ping_sendto.scap", 261004, 1526, 140, 136, 674, 42, 72, 10},
    {"falco_syscall.scap", 239760, 368, 233, 229, 773, 41, 71, 7},
    {"libs_curl_google.scap", 146220, 1536, 58, 54, 316, 31, 55, 5},
    {"libs_curl_google_comments.scap", 146424, 1536, 58, 54, 316, 31, 55, 5},
    {"libs_single_ipv6_conn.scap", 251008, 1728, 158, 154, 564, 42, 72, 13},
    {"libs_test_ipv6_client.scap", 81380, 326, 62, 58, 333, 31, 55, 5},
    {"reference_mixed_2M.scap.gz", 189892828, 2000076, 14, 10, 268, 24, 52, 5},
};

void PrintTo(const capture_totals& c, std::ostream* os) {
    *os << c.file;
}

class SavefileReaderCaptures : public ::testing::TestWithParam<capture_totals> {};

TEST_P(SavefileReaderCaptures, ReadsToTheEndAndAgreesWithAnIndependentBlockWalk) {
    const capture_totals& want = GetParam();
    const std::string path = scap_test::capture(want.file);
    const walk_result w = walk(path);
    ASSERT_TRUE(w.ok) << w.error;

    scap::savefile_options o;
    o.path = path;
    o.convert = false;  // every stored event, as stored
    std::string error;
    auto eng = scap::open_savefile(o, error);
    ASSERT_NE(eng, nullptr) << error;
    uint64_t n = 0, h = 14695981039346656037ull;
    scap::event_ref ref;
    scap::status s;
    while ((s = eng->next(ref)) == scap::status::ok) {
        ++n;
        hash_event(h, ref.cpu, reinterpret_cast<const uint8_t*>(ref.hdr), scap::k_event_header_size,
                   ref.hdr->len);
    }
    ASSERT_EQ(s, scap::status::eof) << eng->last_error();
    scap::engine_stats st;
    eng->get_stats(st);
    const scap::snapshot& snap = eng->get_snapshot();

    // The asserted totals.
    EXPECT_EQ(n, want.event_blocks);
    EXPECT_EQ(st.n_evts, want.event_blocks);
    EXPECT_EQ(savefile_test::engine_stat(st, "bytes_decompressed"), want.decompressed_bytes);
    EXPECT_EQ(savefile_test::engine_stat(st, "metadata_blocks"), want.metadata_blocks);
    EXPECT_EQ(snap.processes.size(), want.processes);
    EXPECT_EQ(snap.fd_count(), want.fds);
    EXPECT_EQ(snap.users.size(), want.users);
    EXPECT_EQ(snap.groups.size(), want.groups);
    EXPECT_EQ(snap.ifaces_v4.size() + snap.ifaces_v6.size(), want.ifaces);
    EXPECT_EQ(savefile_test::engine_stat(st, "unknown_blocks_skipped"), 0u);
    EXPECT_EQ(savefile_test::engine_stat(st, "metadata_blocks_after_events"), 0u);

    // The same figures from the walk.
    EXPECT_EQ(w.bytes, want.decompressed_bytes);
    EXPECT_EQ(w.event_blocks, want.event_blocks);
    EXPECT_EQ(w.event_hash, h) << "event content differs from the raw blocks";
    uint64_t metadata = 0, fd_lists = 0, proc_lists = 0;
    for (auto& [type, count] : w.blocks) {
        if (type != 0x0A0D0D0A && type != 0x204 && type != 0x216 && type != 0x208 && type != 0x217 &&
            type != 0x221 && type != 0x222)
            metadata += count;
        if (type == 0x203 || type == 0x218) fd_lists += count;
        if (type == 0x202 || (type >= 0x207 && type <= 0x215 && type != 0x208)) proc_lists += count;
    }
    EXPECT_EQ(metadata, want.metadata_blocks);
    EXPECT_EQ(proc_lists, 1u);
    // Every writer of these files puts one fd list per process it lists.
    EXPECT_EQ(fd_lists, want.processes);
    if (w.blocks.count(0x215)) {
        EXPECT_EQ(w.proc_entries_v9, want.processes);
    }
    if (w.blocks.count(0x218)) {
        EXPECT_EQ(w.fd_entries_v2, want.fds);
    }
    if (w.blocks.count(0x220)) {
        EXPECT_EQ(w.user_entries_v2, want.users + want.groups);
    }
    if (w.blocks.count(0x219)) {
        EXPECT_EQ(w.iface_entries_v2, want.ifaces);
    }
}

std::string totals_name(const ::testing::TestParamInfo<capture_totals>& p) {
    std::string n = p.param.file;
    for (char& c : n)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
}

INSTANTIATE_TEST_SUITE_P(Real, SavefileReaderCaptures, ::testing::ValuesIn(k_totals), totals_name);

// The reference's own count for its capture (README: 2,000,000 events returned by libsinsp) is
// the 2,000,076 stored events less the 76 state-only container/user/group meta events.
TEST(SavefileReaderReference, StoredEventsAreTheReferenceCountPlusItsMetaEvents) {
    scap::savefile_options o;
    o.path = scap_test::capture("reference_mixed_2M.scap.gz");
    o.convert = false;
    std::string error;
    auto eng = scap::open_savefile(o, error);
    ASSERT_NE(eng, nullptr) << error;
    uint64_t all = 0, meta = 0;
    scap::event_ref ref;
    while (eng->next(ref) == scap::status::ok) {
        ++all;
        const uint16_t t = ref.hdr->type;
        meta += t == PPME_CONTAINER_JSON_2_E || t == PPME_USER_ADDED_E || t == PPME_GROUP_ADDED_E;
    }
    EXPECT_EQ(all, 2000076u);
    EXPECT_EQ(all - meta, 2000000u);
}

// ---- synthetic files -------------------------------------------------------------------------

struct read_result {
    std::unique_ptr<scap::engine> eng;
    std::string error;
    std::vector<scap::test::bytes> events;
    scap::status last = scap::status::ok;
};

read_result read_memory(const bytes& file, bool convert = false) {
    read_result r;
    scap::savefile_options o;
    o.convert = convert;
    r.eng = scap::open_savefile_memory(file.data(), file.size(), o, r.error);
    if (!r.eng) return r;
    scap::event_ref ref;
    while ((r.last = r.eng->next(ref)) == scap::status::ok) {
        const auto* p = reinterpret_cast<const uint8_t*>(ref.hdr);
        r.events.emplace_back(p, p + ref.hdr->len);
    }
    r.error = r.eng->last_error();
    return r;
}

bytes close_event(int64_t fd) {
    return event_builder(PPME_SYSCALL_CLOSE_X, 7).num<int64_t>(0).num<int64_t>(fd).build();
}

// One process entry laid out as process-list block version `v` (1..9) stores it.
bytes process_entry(int v) {
    body e;
    e.put(uint64_t{100}).put(uint64_t{101}).put(uint64_t{1});  // tid, pid, ptid
    if (v >= 6) e.put(int64_t{55});                            // sid
    if (v >= 8) e.put(int64_t{56});                            // vpgid
    e.str16("comm").str16("/bin/exe");
    if (v >= 7) e.str16("/usr/bin/exe");  // exepath
    e.str16(std::string("a1\0a2", 5)).str16("/cwd");
    e.put(uint64_t{1024}).put(uint32_t{0x10}).put(uint32_t{1000}).put(uint32_t{1001});
    if (v >= 2) e.put(uint32_t{11}).put(uint32_t{12}).put(uint32_t{13}).put(uint64_t{14}).put(uint64_t{15});
    if (v >= 3) e.str16(std::string("A=1\0B=2", 7));
    if (v >= 4) e.put(int64_t{20}).put(int64_t{21}).str16(std::string("cpu=/a\0mem=/b", 13));
    if (v >= 5) e.str16("/root");
    if (v >= 9) {
        e.put(uint64_t{777}).put(uint32_t{34816}).put(uint32_t{1000});          // pidns start, tty, loginuid
        e.put(uint8_t{1}).put(uint64_t{1}).put(uint64_t{2}).put(uint64_t{3});   // writable, caps
        e.put(uint8_t{1}).put(uint64_t{99}).put(uint64_t{5}).put(uint64_t{6});  // upper, ino, c/mtime
        e.put(uint8_t{1}).put(uint8_t{1}).put(int64_t{57});                     // memfd, lower layer, pgid
    }
    if (v < 9) return e.b;
    body with_len;
    with_len.entry(e, true);
    return with_len.b;
}

struct pl_version {
    uint32_t type;
    int v;
};

class SavefileReaderProcessLists : public ::testing::TestWithParam<pl_version> {};

TEST_P(SavefileReaderProcessLists, EveryVersionReadsWhatItCarries) {
    const auto [type, v] = GetParam();
    bytes file = section_header();
    bytes entries = process_entry(v);
    append(entries, process_entry(v));  // the same tid twice: the later entry replaces the first
    append(file, block(type, entries));
    append(file, event_block(0x216, 0, close_event(3)));
    read_result r = read_memory(file);
    ASSERT_NE(r.eng, nullptr) << r.error;
    ASSERT_EQ(r.last, scap::status::eof) << r.error;
    ASSERT_EQ(r.events.size(), 1u);
    const scap::snapshot& snap = r.eng->get_snapshot();
    ASSERT_EQ(snap.processes.size(), 1u);
    const scap::process_info& p = snap.processes[0];
    EXPECT_EQ(p.tid, 100u);
    EXPECT_EQ(p.pid, 101u);
    EXPECT_EQ(p.ptid, 1u);
    EXPECT_EQ(p.comm, "comm");
    EXPECT_EQ(p.exe, "/bin/exe");
    EXPECT_EQ(p.arg_list(), (std::vector<std::string>{"a1", "a2"}));
    EXPECT_EQ(p.cwd, "/cwd");
    EXPECT_EQ(p.fdlimit, 1024u);
    EXPECT_EQ(p.flags, 0x10u);
    EXPECT_EQ(p.uid, 1000u);
    EXPECT_EQ(p.gid, 1001u);
    EXPECT_EQ(p.vmsize_kb, v >= 2 ? 11u : 0u);
    EXPECT_EQ(p.pfminor, v >= 2 ? 15u : 0u);
    EXPECT_EQ(p.env, v >= 3 ? std::string("A=1\0B=2", 7) : "");
    EXPECT_EQ(p.vtid, v >= 4 ? 20 : -1);
    EXPECT_EQ(p.vpid, v >= 4 ? 21 : -1);
    EXPECT_EQ(p.cgroups, v >= 4 ? std::string("cpu=/a\0mem=/b", 13) : "");
    EXPECT_EQ(p.root, v >= 5 ? "/root" : "");
    EXPECT_EQ(p.sid, v >= 6 ? 55 : -1);
    EXPECT_EQ(p.exepath, v >= 7 ? "/usr/bin/exe" : "");
    EXPECT_EQ(p.vpgid, v >= 8 ? 56 : -1);
    EXPECT_EQ(p.pidns_init_start_ts, v >= 9 ? 777u : 0u);
    EXPECT_EQ(p.tty, v >= 9 ? 34816u : 0u);
    EXPECT_EQ(p.loginuid, v >= 9 ? 1000u : UINT32_MAX);
    EXPECT_EQ(p.exe_writable, v >= 9);
    EXPECT_EQ(p.cap_inheritable, v >= 9 ? 1u : 0u);
    EXPECT_EQ(p.cap_permitted, v >= 9 ? 2u : 0u);
    EXPECT_EQ(p.cap_effective, v >= 9 ? 3u : 0u);
    EXPECT_EQ(p.exe_upper_layer, v >= 9);
    EXPECT_EQ(p.exe_ino, v >= 9 ? 99u : 0u);
    EXPECT_EQ(p.exe_ino_ctime, v >= 9 ? 5u : 0u);
    EXPECT_EQ(p.exe_ino_mtime, v >= 9 ? 6u : 0u);
    EXPECT_EQ(p.exe_from_memfd, v >= 9);
    EXPECT_EQ(p.exe_lower_layer, v >= 9);
    EXPECT_EQ(p.pgid, v >= 9 ? 57 : -1);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, SavefileReaderProcessLists,
                         ::testing::Values(pl_version{0x202, 1}, pl_version{0x8000ABCD, 1},
                                           pl_version{0x207, 2}, pl_version{0x8013ABCD, 2},
                                           pl_version{0x209, 3}, pl_version{0x8014ABCD, 3},
                                           pl_version{0x210, 4}, pl_version{0x211, 5}, pl_version{0x212, 6},
                                           pl_version{0x213, 7}, pl_version{0x214, 8}, pl_version{0x215, 9}));

// Writers before libs 0.10 appended only loginuid, exe_writable and the three capability sets
// to version-9 entries; newer ones put pidns_init_start_ts and tty before them.
TEST(SavefileReaderProcessList, Version9EntriesFromBeforeLibs010) {
    body e;
    e.put(uint64_t{9}).put(uint64_t{9}).put(uint64_t{1}).put(int64_t{9}).put(int64_t{9});
    e.str16("old").str16("old").str16("").str16("").str16("/");
    e.put(uint64_t{0}).put(uint32_t{0}).put(uint32_t{0}).put(uint32_t{0});
    e.put(uint32_t{0}).put(uint32_t{0}).put(uint32_t{0}).put(uint64_t{0}).put(uint64_t{0});
    e.str16("").put(int64_t{9}).put(int64_t{9}).str16("").str16("/");
    e.put(uint32_t{4242}).put(uint8_t{1}).put(uint64_t{7}).put(uint64_t{8}).put(uint64_t{9});  // 29 bytes
    body entries;
    entries.entry(e, true);
    // A newer writer's entry with a field we do not know yet, which must be skipped.
    bytes newer = process_entry(9);
    const uint32_t longer = static_cast<uint32_t>(newer.size() + 6);
    std::memcpy(newer.data(), &longer, 4);
    std::memcpy(newer.data() + 4, "\x0a\0\0\0\0\0\0\0", 8);  // tid 10
    newer.insert(newer.end(), {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02});
    entries.raw(newer);
    bytes file = section_header();
    append(file, block(0x215, entries.b));
    read_result r = read_memory(file);
    ASSERT_NE(r.eng, nullptr) << r.error;
    const scap::snapshot& snap = r.eng->get_snapshot();
    ASSERT_EQ(snap.processes.size(), 2u);
    const scap::process_info& old = snap.processes[0];
    EXPECT_EQ(old.loginuid, 4242u);
    EXPECT_TRUE(old.exe_writable);
    EXPECT_EQ(old.cap_inheritable, 7u);
    EXPECT_EQ(old.cap_effective, 9u);
    EXPECT_EQ(old.pidns_init_start_ts, 0u);
    EXPECT_EQ(old.tty, 0u);
    EXPECT_EQ(snap.processes[1].tid, 10u);
    EXPECT_EQ(snap.processes[1].pgid, 57);
}

// Every fd type in a first-version fd list (no entry lengths) and in version 2.
TEST(SavefileReaderFdLists, EveryFdTypeInBothVersions) {
    for (uint32_t type : {0x203u, 0x8001ABCDu, 0x218u}) {
        const bool v2 = type == 0x218;
        std::vector<body> entries(9);
        const uint8_t ip6a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        const uint8_t ip6b[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
        entries[0]
            .put(int64_t{3})
            .put(uint64_t{30})
            .put(uint8_t{3})  // ipv4 socket
            .put(uint32_t{0x0100007f})
            .put(uint32_t{0x0200007f})
            .put(uint16_t{40000})
            .put(uint16_t{80})
            .put(uint8_t{6});
        entries[1]
            .put(int64_t{4})
            .put(uint64_t{31})
            .put(uint8_t{5})  // ipv4 server
            .put(uint32_t{0})
            .put(uint16_t{8080})
            .put(uint8_t{6});
        entries[2]
            .put(int64_t{5})
            .put(uint64_t{32})
            .put(uint8_t{4})  // ipv6 socket
            .raw(ip6a, 16)
            .raw(ip6b, 16)
            .put(uint16_t{1})
            .put(uint16_t{2})
            .put(uint8_t{17});
        entries[3]
            .put(int64_t{6})
            .put(uint64_t{33})
            .put(uint8_t{6})  // ipv6 server
            .raw(ip6b, 16)
            .put(uint16_t{443})
            .put(uint8_t{6});
        entries[4]
            .put(int64_t{7})
            .put(uint64_t{34})
            .put(uint8_t{8})  // unix
            .put(uint64_t{0xaaaa})
            .put(uint64_t{0xbbbb})
            .str16("/run/sock");
        entries[5]
            .put(int64_t{8})
            .put(uint64_t{35})
            .put(uint8_t{16})  // file v2
            .put(uint32_t{0x241})
            .str16("/tmp/f");
        if (v2) entries[5].put(uint32_t{0x803});  // dev, version 2 only
        entries[6].put(int64_t{9}).put(uint64_t{36}).put(uint8_t{1}).str16("/old/file");
        entries[7].put(int64_t{10}).put(uint64_t{37}).put(uint8_t{15}).str16("netlink");
        entries[8].put(int64_t{11}).put(uint64_t{38}).put(uint8_t{21}).str16("pidfd");
        body fdl;
        fdl.put(uint64_t{100});
        for (const body& e : entries) v2 ? (void)fdl.entry(e, true) : (void)fdl.raw(e.b);
        bytes file = section_header();
        append(file, block(0x215, process_entry(9)));
        append(file, block(type, fdl.b));
        read_result r = read_memory(file);
        ASSERT_NE(r.eng, nullptr) << r.error;
        const scap::process_info* p = r.eng->get_snapshot().find_process(100);
        ASSERT_NE(p, nullptr);
        ASSERT_EQ(p->fds.size(), 9u) << std::hex << type;
        const auto& f = p->fds;
        EXPECT_EQ(f[0].type, scap::fd_type::ipv4_sock);
        EXPECT_EQ(f[0].sip, 0x0100007fu);
        EXPECT_EQ(f[0].dip, 0x0200007fu);
        EXPECT_EQ(f[0].sport, 40000);
        EXPECT_EQ(f[0].dport, 80);
        EXPECT_EQ(f[0].l4proto, 6);
        EXPECT_EQ(f[1].type, scap::fd_type::ipv4_servsock);
        EXPECT_EQ(f[1].sport, 8080);
        EXPECT_EQ(f[2].type, scap::fd_type::ipv6_sock);
        EXPECT_EQ(std::memcmp(f[2].sip6, ip6a, 16), 0);
        EXPECT_EQ(std::memcmp(f[2].dip6, ip6b, 16), 0);
        EXPECT_EQ(f[2].l4proto, 17);
        EXPECT_EQ(f[3].type, scap::fd_type::ipv6_servsock);
        EXPECT_EQ(f[3].sport, 443);
        EXPECT_EQ(f[4].type, scap::fd_type::unix_sock);
        EXPECT_EQ(f[4].unix_source, 0xaaaau);
        EXPECT_EQ(f[4].unix_dest, 0xbbbbu);
        EXPECT_EQ(f[4].name, "/run/sock");
        EXPECT_EQ(f[5].type, scap::fd_type::file_v2);
        EXPECT_EQ(f[5].open_flags, 0x241u);
        EXPECT_EQ(f[5].name, "/tmp/f");
        EXPECT_EQ(f[5].dev, v2 ? 0x803u : 0u);
        EXPECT_EQ(f[6].name, "/old/file");
        EXPECT_EQ(f[7].type, scap::fd_type::netlink);
        EXPECT_EQ(f[8].type, scap::fd_type::pidfd);
        EXPECT_EQ(f[8].ino, 38u);
    }
}

// A newer writer's fd type: kept as an unsupported fd named after its type, entry skipped.
TEST(SavefileReaderFdLists, UnknownFdTypeInVersion2IsKeptAndSkipped) {
    body unknown, file_entry;
    unknown.put(int64_t{3}).put(uint64_t{1}).put(uint8_t{99}).put(uint64_t{0x1234});
    file_entry.put(int64_t{4}).put(uint64_t{2}).put(uint8_t{1}).str16("/after");
    body fdl;
    fdl.put(uint64_t{100}).entry(unknown, true).entry(file_entry, true);
    bytes file = section_header();
    append(file, block(0x218, fdl.b));
    read_result r = read_memory(file);
    ASSERT_NE(r.eng, nullptr) << r.error;
    const scap::process_info* p = r.eng->get_snapshot().find_process(100);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(p->fds.size(), 2u);
    EXPECT_EQ(p->fds[0].type, scap::fd_type::unsupported);
    EXPECT_EQ(p->fds[0].name, "unknown-type:[99]");
    EXPECT_EQ(p->fds[1].name, "/after");
}

TEST(SavefileReaderOldBlocks, InterfaceUserAndMachineBlocksOfEveryVersion) {
    body mi;
    char host[128] = "oldhost";
    mi.put(uint32_t{4}).put(uint64_t{1} << 30).put(uint64_t{32768}).raw(host, 128);
    mi.put(uint64_t{123}).put(uint64_t{0}).put(uint64_t{0}).put(uint64_t{0});
    body il;  // first version: no entry lengths; all four entry types
    il.put(uint16_t{1}).put(uint16_t{2}).put(uint32_t{0x0100007f}).put(uint32_t{0xff}).put(uint32_t{0});
    il.put(uint64_t{1000}).raw("lo", 2);
    il.put(uint16_t{3}).put(uint16_t{4}).put(uint32_t{0x0a00000a}).put(uint32_t{0xffffff}).put(uint32_t{0});
    il.raw("eth0", 4);
    uint8_t a6[16] = {0xfe, 0x80};
    il.put(uint16_t{2}).put(uint16_t{4}).raw(a6, 16).raw(a6, 16).raw(a6, 16).put(uint64_t{10}).raw("eth1", 4);
    il.put(uint16_t{4}).put(uint16_t{4}).raw(a6, 16).raw(a6, 16).raw(a6, 16).raw("eth2", 4);
    body ul;  // first version: no entry lengths
    ul.put(uint8_t{0}).put(uint32_t{0}).put(uint32_t{0}).str16("root").str16("/root").str16("/bin/sh");
    ul.put(uint8_t{1}).put(uint32_t{27}).str16("sudo");
    for (uint32_t mi_type : {0x201u, 0x8002ABCDu}) {
        for (uint32_t il_type : {0x205u, 0x8011ABCDu}) {
            for (uint32_t ul_type : {0x206u, 0x8012ABCDu}) {
                bytes file = section_header();
                append(file, block(mi_type, mi.b));
                append(file, block(il_type, il.b));
                append(file, block(ul_type, ul.b));
                read_result r = read_memory(file);
                ASSERT_NE(r.eng, nullptr) << r.error;
                EXPECT_EQ(r.last, scap::status::eof) << r.error;
                const scap::snapshot& s = r.eng->get_snapshot();
                EXPECT_TRUE(s.machine.present);
                EXPECT_EQ(s.machine.num_cpus, 4u);
                EXPECT_EQ(s.machine.hostname, "oldhost");
                EXPECT_EQ(s.machine.boot_ts_epoch, 123u);
                ASSERT_EQ(s.ifaces_v4.size(), 2u);
                EXPECT_EQ(s.ifaces_v4[0].name, "lo");
                EXPECT_EQ(s.ifaces_v4[0].linkspeed, 1000u);
                EXPECT_EQ(s.ifaces_v4[1].name, "eth0");
                EXPECT_EQ(s.ifaces_v4[1].addr, 0x0a00000au);
                EXPECT_EQ(s.ifaces_v4[1].linkspeed, 0u);
                ASSERT_EQ(s.ifaces_v6.size(), 2u);
                EXPECT_EQ(s.ifaces_v6[0].name, "eth1");
                EXPECT_EQ(s.ifaces_v6[0].linkspeed, 10u);
                EXPECT_EQ(s.ifaces_v6[1].name, "eth2");
                EXPECT_EQ(s.ifaces_v6[1].addr[0], 0xfe);
                ASSERT_EQ(s.users.size(), 1u);
                EXPECT_EQ(s.users[0].name, "root");
                EXPECT_EQ(s.users[0].homedir, "/root");
                EXPECT_EQ(s.users[0].shell, "/bin/sh");
                ASSERT_EQ(s.groups.size(), 1u);
                EXPECT_EQ(s.groups[0].gid, 27u);
                EXPECT_EQ(s.groups[0].name, "sudo");
            }
        }
    }
}

// Blocks of unknown types are skipped (counted) wherever they appear; a section header may carry
// options; a second section may follow.
TEST(SavefileReaderStructure, UnknownBlocksSectionOptionsAndASecondSection) {
    body shb;
    shb.put(uint32_t{0x1A2B3C4D}).put(uint16_t{1}).put(uint16_t{2}).put(UINT64_MAX);
    shb.put(uint16_t{1}).put(uint16_t{4}).raw("note", 4).put(uint32_t{0});  // an option
    bytes file = block(0x0A0D0D0A, shb.b);
    const size_t unknown_at = file.size();
    append(file, block(0x7777, bytes(37, 0xab)));
    append(file, event_block(0x216, 1, close_event(3)));
    append(file, block(0x7778, bytes(3, 0)));
    append(file, section_header());
    append(file, event_block(0x217, 2, close_event(4), 0x5));
    read_result r = read_memory(file);
    ASSERT_NE(r.eng, nullptr) << r.error;
    EXPECT_EQ(r.last, scap::status::eof) << r.error;
    ASSERT_EQ(r.events.size(), 2u);
    EXPECT_EQ(r.events[0], close_event(3));
    EXPECT_EQ(r.events[1], close_event(4));
    scap::engine_stats st;
    r.eng->get_stats(st);
    EXPECT_EQ(savefile_test::engine_stat(st, "unknown_blocks_skipped"), 2u);
    // Said once, for the first one: its type, size and offset; the second is only counted.
    ASSERT_EQ(r.eng->notes().size(), 1u);
    const std::string& note = r.eng->notes()[0];
    EXPECT_NE(note.find("skipped a block of unknown type 0x7777 (52 bytes) at offset " +
                        std::to_string(unknown_at) + ", after 0 event blocks"),
              std::string::npos)
        << note;
}

TEST(SavefileReaderStructure, ByteSwappedCapturesAreRecognized) {
    bytes file = section_header();
    const uint32_t swapped = 0x4D3C2B1A;
    std::memcpy(file.data() + 8, &swapped, 4);
    read_result r = read_memory(file);
    ASSERT_EQ(r.eng, nullptr);
    EXPECT_NE(r.error.find("big-endian"), std::string::npos) << r.error;
}

TEST(SavefileReaderStructure, CapturesWithoutEventsOrSnapshotAreValid) {
    read_result r = read_memory(section_header());
    ASSERT_NE(r.eng, nullptr) << r.error;
    EXPECT_EQ(r.last, scap::status::eof);
    EXPECT_TRUE(r.events.empty());
    EXPECT_FALSE(r.eng->get_snapshot().machine.present);
}

// Blocks far larger than the reader's chunks, and events straddling every chunk boundary, read
// from a file both plain and gzip-compressed, decompressed on the worker thread or not.
TEST(SavefileReaderStructure, BlocksLargerThanTheReadChunksFromFiles) {
    bytes file = section_header();
    std::vector<bytes> want;
    const bytes big_blob(3 << 20, 0x5a);
    for (int i = 0; i < 3000; ++i) {
        if (i == 10) append(file, block(0x7777, bytes(5 << 20, 1)));  // skipped
        bytes ev = i % 500 == 7
                       ? event_builder(PPME_PLUGINEVENT_E, 1).num<uint32_t>(1).param(big_blob).build()
                       : event_builder(PPME_SYSCALL_WRITE_X, static_cast<uint64_t>(i))
                             .num<int64_t>(i)
                             .param(bytes(static_cast<size_t>(i % 977), static_cast<uint8_t>(i)))
                             .num<int64_t>(1)
                             .num<uint32_t>(0)
                             .build();
        append(file, event_block(ev.size() > 60000 ? 0x221 : 0x216, static_cast<uint16_t>(i % 4), ev));
        want.push_back(std::move(ev));
    }
    const std::string dir = scap_test::temp_dir("reader_large");
    write_file(dir + "/big.scap", file);
    gzFile gz = gzopen((dir + "/big.scap.gz").c_str(), "wb1");
    ASSERT_NE(gz, nullptr);
    ASSERT_EQ(gzwrite(gz, file.data(), static_cast<unsigned>(file.size())), static_cast<int>(file.size()));
    gzclose(gz);
    for (int mode = 0; mode < 4; ++mode) {
        const char* name = mode % 2 ? "/big.scap.gz" : "/big.scap";
        scap::savefile_options o;
        o.path = dir + name;
        o.convert = false;
        o.background_read = mode < 2;  // the worker thread, then the caller's thread alone
        std::string error;
        auto eng = scap::open_savefile(o, error);
        ASSERT_NE(eng, nullptr) << error;
        size_t i = 0;
        scap::event_ref ref;
        scap::status s;
        while ((s = eng->next(ref)) == scap::status::ok) {
            ASSERT_LT(i, want.size());
            const auto* p = reinterpret_cast<const uint8_t*>(ref.hdr);
            ASSERT_EQ(bytes(p, p + ref.hdr->len), want[i]) << name << " event " << i;
            ASSERT_EQ(ref.cpu, i % 4);
            ++i;
        }
        EXPECT_EQ(s, scap::status::eof) << eng->last_error();
        EXPECT_EQ(i, want.size()) << name;
    }
}

// The same capture read from memory and from its file gives the same events and snapshot.
TEST(SavefileReaderStructure, MemoryInputReadsLikeTheFile) {
    const std::string path = scap_test::capture("falco_ping_sendto.scap");
    const bytes plain = scap_test::read_plain(path);
    ASSERT_FALSE(plain.empty());
    read_result mem = read_memory(plain, true);
    ASSERT_NE(mem.eng, nullptr) << mem.error;
    ASSERT_EQ(mem.last, scap::status::eof) << mem.error;
    scap::savefile_options o;
    o.path = path;
    std::string error;
    auto eng = scap::open_savefile(o, error);
    ASSERT_NE(eng, nullptr) << error;
    size_t i = 0;
    scap::event_ref ref;
    while (eng->next(ref) == scap::status::ok) {
        ASSERT_LT(i, mem.events.size());
        const auto* p = reinterpret_cast<const uint8_t*>(ref.hdr);
        ASSERT_EQ(bytes(p, p + ref.hdr->len), mem.events[i]) << i;
        ++i;
    }
    EXPECT_EQ(i, mem.events.size());
    EXPECT_EQ(eng->get_snapshot().processes.size(), mem.eng->get_snapshot().processes.size());
    EXPECT_EQ(eng->get_snapshot().fd_count(), mem.eng->get_snapshot().fd_count());
}

// ---- damaged files ---------------------------------------------------------------------------

// A small capture with every kind of snapshot block and a few events.
bytes small_capture() {
    bytes file = section_header();
    body mi;
    char host[128] = "h";
    mi.put(uint32_t{1}).put(uint64_t{1}).put(uint64_t{1}).raw(host, 128).put(uint64_t{0}).put(uint64_t{0});
    mi.put(uint64_t{0}).put(uint64_t{0});
    append(file, block(0x201, mi.b));
    body il, v4;
    v4.put(uint16_t{1}).put(uint16_t{2}).put(uint32_t{1}).put(uint32_t{2}).put(uint32_t{3}).put(uint64_t{4});
    v4.raw("lo", 2);
    il.entry(v4, false);
    append(file, block(0x219, il.b));
    body ul, u;
    u.put(uint8_t{0}).put(uint32_t{0}).put(uint32_t{0}).str16("root").str16("/root").str16("/bin/sh");
    ul.entry(u, true);
    append(file, block(0x220, ul.b));
    append(file, block(0x215, process_entry(9)));
    body fdl, fd;
    fd.put(int64_t{3}).put(uint64_t{1}).put(uint8_t{1}).str16("/f");
    fdl.put(uint64_t{100}).entry(fd, true);
    append(file, block(0x218, fdl.b));
    for (int i = 0; i < 4; ++i) append(file, event_block(0x216, 0, close_event(i)));
    return file;
}

struct damage_case {
    const char* name;
    size_t block_index;  // which block of small_capture() to damage (0 = section header)
    size_t at;           // offset inside that block
    std::vector<uint8_t> with;
    const char* expect_what;
    const char* expect_block;
};

std::vector<size_t> block_offsets(const bytes& file) {
    std::vector<size_t> out;
    for (size_t at = 0; at + 8 <= file.size();) {
        out.push_back(at);
        uint32_t len;
        std::memcpy(&len, file.data() + at + 4, 4);
        at += len;
    }
    return out;
}

TEST(SavefileReaderDamage, EntriesThatLieAboutTheirLengthNameTheirBlock) {
    const damage_case cases[] = {
        {"process entry runs past its block",
         4,
         8,
         {0xff, 0xff, 0, 0},
         "runs past",
         "process list block 0x215"},
        {"process entry too short", 4, 8, {2, 0, 0, 0}, "too small", "process list block 0x215"},
        {"fd entry past block", 5, 16, {0xff, 0, 0, 0}, "does not fit", "fd list block 0x218"},
        {"user entry past block", 3, 8, {0xff, 0, 0, 0}, "does not fit", "user list block 0x220"},
        {"interface entry past block", 2, 8, {0xff, 0, 0, 0}, "does not fit", "interface list block 0x219"},
        {"process entry string past its entry",
         4,
         8 + 4 + 40,
         {0xff, 0x0f},
         "truncated",
         "process list block 0x215"},
    };
    const bytes good = small_capture();
    const std::vector<size_t> at = block_offsets(good);
    ASSERT_EQ(at.size(), 10u);
    for (const damage_case& c : cases) {
        bytes file = good;
        std::memcpy(file.data() + at[c.block_index] + c.at, c.with.data(), c.with.size());
        read_result r = read_memory(file);
        ASSERT_EQ(r.eng, nullptr) << c.name;
        EXPECT_NE(r.error.find(c.expect_what), std::string::npos) << c.name << ": " << r.error;
        EXPECT_NE(r.error.find(c.expect_block), std::string::npos) << c.name << ": " << r.error;
        EXPECT_NE(r.error.find("at offset " + std::to_string(at[c.block_index])), std::string::npos)
            << c.name << ": " << r.error;
    }
}

TEST(SavefileReaderDamage, AMachineInfoBlockTooShort) {
    bytes file = section_header();
    append(file, block(0x201, bytes(10, 0)));
    read_result r = read_memory(file);
    ASSERT_EQ(r.eng, nullptr);
    EXPECT_NE(r.error.find("truncated machine info (machine info block 0x201 at offset 28"),
              std::string::npos)
        << r.error;
}

TEST(SavefileReaderDamage, AnEventWhoseLengthsArrayRunsPastTheEvent) {
    bytes file = small_capture();
    const std::vector<size_t> at = block_offsets(file);
    // Third event: nparams says 15 parameters, whose lengths alone exceed the event.
    const uint32_t many = 15;
    std::memcpy(file.data() + at[8] + 8 + 2 + 22, &many, 4);
    read_result r = read_memory(file);
    ASSERT_NE(r.eng, nullptr) << r.error;
    EXPECT_EQ(r.last, scap::status::error);
    EXPECT_EQ(r.events.size(), 2u);
    EXPECT_NE(r.error.find("lengths array runs past"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("event block 0x216 at offset " + std::to_string(at[8])), std::string::npos)
        << r.error;
    EXPECT_NE(r.error.find("event block number 3"), std::string::npos) << r.error;
}

// Cut anywhere, the capture either ends cleanly at a block boundary or reports an error; it
// never crashes nor reads out of bounds (the suite runs under ASan/UBSan).
TEST(SavefileReaderDamage, CutAtEveryOffset) {
    const bytes good = small_capture();
    const std::vector<size_t> at = block_offsets(good);
    for (size_t cut = 0; cut < good.size(); ++cut) {
        const bytes file(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
        read_result r = read_memory(file);
        const bool on_boundary = std::find(at.begin(), at.end(), cut) != at.end();
        if (!r.eng) {
            EXPECT_FALSE(r.error.empty()) << cut;
            continue;
        }
        if (on_boundary)
            EXPECT_EQ(r.last, scap::status::eof) << cut << ": " << r.error;
        else
            EXPECT_EQ(r.last, scap::status::error) << cut;
    }
}

// Every byte overwritten with a few values: any outcome but a crash or an invalid event.
TEST(SavefileReaderDamage, EveryByteCorrupted) {
    const bytes good = small_capture();
    for (size_t i = 0; i < good.size(); ++i) {
        for (uint8_t v : {uint8_t{0}, uint8_t{0xff}, static_cast<uint8_t>(good[i] ^ 0x80)}) {
            bytes file = good;
            file[i] = v;
            read_result r = read_memory(file);
            for (const bytes& e : r.events) ASSERT_EQ(scap::validate_event(e.data(), e.size()), nullptr);
            if (r.eng && r.last == scap::status::error) {
                ASSERT_FALSE(r.error.empty());
            }
        }
    }
}

}  // namespace
