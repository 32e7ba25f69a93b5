// evt.* fields over falco_cat_write.scap (cat, tid 20072, reading /dev/null); expected values
// were read off `scap-open -p` for the same capture.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "field_probe.h"

namespace {

using scap_test::field_probe;

const char* k_capture = "falco_cat_write.scap";

// Field texts of the event number `num`.
std::map<std::string, std::string> fields_of(uint64_t num, const std::vector<std::string>& names) {
    return scap_test::first_match(k_capture, "evt.num=" + std::to_string(num), names);
}

size_t count(const std::string& filter) {
    return scap_test::count_matches(k_capture, filter);
}

class FieldsEvt : public ::testing::Test {
  protected:
    // evt.time and evt.datetime are local time: pin the zone so expected texts are fixed.
    void SetUp() override {
        const char* tz = std::getenv("TZ");
        m_saved = tz ? tz : "";
        m_had = tz != nullptr;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    void TearDown() override {
        if (m_had) {
            setenv("TZ", m_saved.c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }

  private:
    std::string m_saved;
    bool m_had = false;
};

TEST_F(FieldsEvt, SuccessfulOpen) {
    // 137: open fd=3 name=/etc/ld.so.cache flags=0x1001(O_RDONLY|O_CLOEXEC)
    auto f = fields_of(
        137, {"evt.num",       "evt.type",     "evt.dir",          "evt.res",           "evt.rawres",
              "evt.failed",    "evt.arg.name", "evt.arg[0]",       "evt.arg[flags]",    "evt.rawarg.flags",
              "evt.rawarg.fd", "evt.category", "evt.is_open_read", "evt.is_open_write", "evt.is_open_create",
              "evt.is_io",     "evt.args",     "evt.count.error",  "evt.type.is[open]", "evt.type.is[read]",
              "evt.source"});
    EXPECT_EQ(f["evt.num"], "137");
    EXPECT_EQ(f["evt.type"], "open");
    EXPECT_EQ(f["evt.dir"], "<");
    EXPECT_EQ(f["evt.res"], "SUCCESS");
    EXPECT_EQ(f["evt.rawres"], "3");
    EXPECT_EQ(f["evt.failed"], "false");
    EXPECT_EQ(f["evt.arg.name"], "/etc/ld.so.cache");
    EXPECT_EQ(f["evt.arg[0]"], "<f>/etc/ld.so.cache");
    EXPECT_EQ(f["evt.arg[flags]"], "O_RDONLY|O_CLOEXEC");
    EXPECT_EQ(f["evt.rawarg.flags"], "4097");
    EXPECT_EQ(f["evt.rawarg.fd"], "3");
    EXPECT_EQ(f["evt.category"], "file");
    EXPECT_EQ(f["evt.is_open_read"], "true");
    EXPECT_EQ(f["evt.is_open_write"], "false");
    EXPECT_EQ(f["evt.is_open_create"], "false");
    EXPECT_EQ(f["evt.is_io"], "false");
    EXPECT_EQ(f["evt.args"],
              "fd=3(<f>/etc/ld.so.cache) name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 "
              "dev=<NA> ino=<NA>");  // parameters the old capture lacks are absent
    EXPECT_EQ(f["evt.count.error"], "0");
    EXPECT_EQ(f["evt.type.is[open]"], "1");
    EXPECT_EQ(f["evt.type.is[read]"], "0");
    EXPECT_EQ(f["evt.source"], "syscall");
}

TEST_F(FieldsEvt, FailedAccess) {
    // 133: access res=-2(ENOENT) name=/etc/ld.so.nohwcap mode=0x0(F_OK)
    auto f = fields_of(133, {"evt.res", "evt.rawres", "evt.failed", "evt.arg.res", "evt.arg.mode",
                             "evt.count.error", "evt.count.error.file", "evt.count.error.net", "evt.info"});
    EXPECT_EQ(f["evt.res"], "ENOENT");
    EXPECT_EQ(f["evt.rawres"], "-2");
    EXPECT_EQ(f["evt.failed"], "true");
    EXPECT_EQ(f["evt.arg.res"], "ENOENT");
    EXPECT_EQ(f["evt.arg.mode"], "F_OK");
    EXPECT_EQ(f["evt.count.error"], "1");
    // access has no fd and is not an open: not a file error as the reference counts them.
    EXPECT_EQ(f["evt.count.error.file"], "<NA>");
    EXPECT_EQ(f["evt.count.error.net"], "<NA>");
    EXPECT_EQ(f["evt.info"], "res=-2(ENOENT) name=/etc/ld.so.nohwcap mode=0(F_OK)");
}

TEST_F(FieldsEvt, ReadOfAFile) {
    // 144: read res=832 data=.ELF... fd=3(libc.so.6) size=832
    auto f = fields_of(144, {"evt.is_io", "evt.is_io_read", "evt.is_io_write", "evt.io_dir", "evt.buflen",
                             "evt.buflen.in", "evt.buflen.out", "evt.buflen.file.in", "evt.buflen.net",
                             "evt.category", "evt.arg.fd", "evt.rawarg.size"});
    EXPECT_EQ(f["evt.is_io"], "true");
    EXPECT_EQ(f["evt.is_io_read"], "true");
    EXPECT_EQ(f["evt.is_io_write"], "false");
    EXPECT_EQ(f["evt.io_dir"], "read");
    EXPECT_EQ(f["evt.buflen"], "832");
    EXPECT_EQ(f["evt.buflen.in"], "832");
    EXPECT_EQ(f["evt.buflen.out"], "<NA>");
    EXPECT_EQ(f["evt.buflen.file.in"], "832");
    EXPECT_EQ(f["evt.buflen.net"], "<NA>");
    EXPECT_EQ(f["evt.category"], "file");
    EXPECT_EQ(f["evt.arg.fd"], "<f>/lib/x86_64-linux-gnu/libc.so.6");
    EXPECT_EQ(f["evt.rawarg.size"], "832");
}

TEST_F(FieldsEvt, BufferHoldsTheBytesRead) {
    sinsp::inspector insp;
    field_probe probe({"evt.buffer"});
    std::string buf;
    scap_test::for_each_event(insp, k_capture, [&](const sinsp::event& e) {
        if (e.num == 144) buf = probe.text("evt.buffer", e, insp);
    });
    ASSERT_GE(buf.size(), 4u);
    EXPECT_EQ(buf.substr(0, 4), ".ELF");  // \x7f shown as '.'
}

TEST_F(FieldsEvt, Times) {
    // Event 137 happened at 1470327477.881785348.
    auto f = fields_of(
        137, {"evt.rawtime", "evt.rawtime.s", "evt.rawtime.ns", "evt.time", "evt.time.s", "evt.datetime",
              "evt.datetime.s", "evt.time.iso8601", "evt.reltime", "evt.deltatime"});
    EXPECT_EQ(f["evt.rawtime"], "1470327477881785348");
    EXPECT_EQ(f["evt.rawtime.s"], "1470327477");
    EXPECT_EQ(f["evt.rawtime.ns"], "881785348");
    EXPECT_EQ(f["evt.time"], "16:17:57.881785348");
    EXPECT_EQ(f["evt.time.s"], "16:17:57");
    EXPECT_EQ(f["evt.datetime"], "2016-08-04 16:17:57.881785348");
    EXPECT_EQ(f["evt.datetime.s"], "2016-08-04 16:17:57");
    EXPECT_EQ(f["evt.time.iso8601"], "2016-08-04T16:17:57.881785348+0000");
    // From the first event that is not a meta event (131, cat's execve): the snapshot's procinfo
    // events before it do not start the stream.
    EXPECT_EQ(f["evt.reltime"], std::to_string(1470327477881785348ull - 1470327477881730713ull));
    EXPECT_EQ(f["evt.deltatime"], std::to_string(1470327477881785348ull - 1470327477881777387ull));
    // The procinfo events before it are at 0 (the reference shows their absolute time there).
    EXPECT_EQ(fields_of(130, {"evt.reltime"})["evt.reltime"], "0");
}

TEST_F(FieldsEvt, GenericEventsShowTheirSyscall) {
    // 147: a generic event standing for mprotect (ppm_sc 75); its args stay empty.
    auto f = fields_of(147, {"evt.type", "evt.rawarg.ID", "evt.args"});
    EXPECT_EQ(f["evt.type"], "mprotect");
    EXPECT_EQ(f["evt.rawarg.ID"], "75");
    EXPECT_EQ(f["evt.args"], "");
}

TEST_F(FieldsEvt, FiltersCountTheExpectedEvents) {
    EXPECT_EQ(count("evt.failed=true and proc.name=cat"), 3u);  // the three ENOENT accesses
    EXPECT_EQ(count("evt.res=ENOENT"), 3u);
    EXPECT_EQ(count("evt.type=open and evt.is_open_read=true"), 4u);
    EXPECT_EQ(count("evt.is_io_read=true and evt.buflen > 0"), 1u);  // the 832-byte read
    EXPECT_EQ(count("evt.rawarg.res < 0 and evt.type=access"), 3u);
    EXPECT_EQ(count("evt.arg.name contains ld.so"), 4u);             // 3 accesses + the open of ld.so.cache
    EXPECT_EQ(count("evt.category=process and proc.name=cat"), 2u);  // execve, procexit
}

TEST_F(FieldsEvt, ErrorCountsApplyByKind) {
    const std::vector<std::string> kinds = {"evt.count.error",       "evt.count.error.file",
                                            "evt.count.error.net",   "evt.count.error.memory",
                                            "evt.count.error.other", "evt.count.exit"};
    auto access = fields_of(133, kinds);  // failed, no fd
    EXPECT_EQ(access["evt.count.error"], "1");
    EXPECT_EQ(access["evt.count.error.other"], "1");
    EXPECT_EQ(access["evt.count.error.memory"], "<NA>");
    auto open = fields_of(137, kinds);  // succeeded, creates a file fd
    EXPECT_EQ(open["evt.count.error"], "0");
    EXPECT_EQ(open["evt.count.error.file"], "0");
    EXPECT_EQ(open["evt.count.error.other"], "<NA>");
    EXPECT_EQ(open["evt.count.exit"], "1");
    auto procinfo = fields_of(1, kinds);  // no result, no exit
    for (const auto& k : kinds) EXPECT_EQ(procinfo[k], "<NA>") << k;
}

TEST_F(FieldsEvt, EveryExitEventHasAResult) {
    // 139: mmap res=140382221828096 (an address, its result parameter printed in hex by scap-open).
    auto f = fields_of(139, {"evt.rawres", "evt.res", "evt.failed", "evt.args", "evt.arg.res"});
    EXPECT_EQ(f["evt.rawres"], "140382221828096");
    EXPECT_EQ(f["evt.res"], "SUCCESS");
    EXPECT_EQ(f["evt.failed"], "false");
    EXPECT_EQ(f["evt.arg.res"], "140382221828096");
    EXPECT_EQ(f["evt.args"],
              "res=140382221828096 vm_size=440 vm_rss=4 vm_swap=0 addr=0 length=72949 prot=1(PROT_READ) "
              "flags=2(MAP_PRIVATE) fd=3(<f>/etc/ld.so.cache) offset=0");
}

TEST_F(FieldsEvt, ParametersAsTheEventLayerShowsThem) {
    // 148: mmap at a fixed address (a PF_HEX parameter: upper case, no prefix); 172: a read of
    // nothing (an empty buffer is NULL).
    EXPECT_EQ(fields_of(148, {"evt.arg.addr"})["evt.arg.addr"], "7FAD48557000");
    EXPECT_EQ(fields_of(172, {"evt.arg.data"})["evt.arg.data"], "NULL");
    EXPECT_EQ(fields_of(137, {"evt.arg.dev"})["evt.arg.dev"], "<NA>");
}

TEST_F(FieldsEvt, MemoryFollowsMmap) {
    // The process had 368 KB before its first mmap (138) and 440 KB after it (139).
    EXPECT_EQ(fields_of(138, {"proc.vmsize"})["proc.vmsize"], "368");
    EXPECT_EQ(fields_of(139, {"proc.vmsize"})["proc.vmsize"], "440");
    EXPECT_EQ(fields_of(148, {"proc.vmrss"})["proc.vmrss"], "292");
}

TEST_F(FieldsEvt, SwitchesUpdatePageFaultsAndMemory) {
    // The mixed capture's first switch (77): next=0 pgft_maj=7 pgft_min=38082 vm_size=66456
    // vm_rss=60028, from a process's main thread.
    auto f = scap_test::first_match(
        "reference_mixed_2M.scap.gz", "evt.num=77",
        {"evt.type", "thread.pfminor", "thread.pfmajor", "proc.vmsize", "thread.vmrss"});
    EXPECT_EQ(f["evt.type"], "switch");
    EXPECT_EQ(f["thread.pfminor"], "38082");
    EXPECT_EQ(f["thread.pfmajor"], "7");
    EXPECT_EQ(f["proc.vmsize"], "66456");
    EXPECT_EQ(f["thread.vmrss"], "60028");
}

TEST_F(FieldsEvt, CgroupsAbsentWhenUnknown) {
    // falco_syscall.scap 179: an open by tid 16518, which the capture never described (its
    // entry is made up, without cgroups); systemd (procinfo 1, from the snapshot) has them.
    auto unknown =
        scap_test::first_match("falco_syscall.scap", "evt.num=180", {"thread.tid", "thread.cgroups"});
    EXPECT_EQ(unknown["thread.tid"], "16518");
    EXPECT_EQ(unknown["thread.cgroups"], "<NA>");
    EXPECT_NE(fields_of(1, {"thread.cgroups"})["thread.cgroups"], "<NA>");
}

TEST_F(FieldsEvt, ProcinfoOfAnUnknownThreadHasNoThread) {
    // 2: procinfo of tid 3, a kernel thread the snapshot does not list: looked up, not invented.
    auto f = fields_of(2, {"thread.tid", "proc.name", "proc.vmsize", "thread.ismain"});
    EXPECT_EQ(f["thread.tid"], "3");
    EXPECT_EQ(f["proc.name"], "<NA>");
    EXPECT_EQ(f["proc.vmsize"], "<NA>");
    EXPECT_EQ(f["thread.ismain"], "<NA>");
}

TEST_F(FieldsEvt, SocketFieldsOfAFile) {
    // 137: the open of /etc/ld.so.cache. The reference gives every fd these fields.
    auto f = fields_of(137, {"fd.l4proto", "fd.is_server", "fd.connected", "fd.dev.major", "fd.dev.minor"});
    EXPECT_EQ(f["fd.l4proto"], "<NA>");
    EXPECT_EQ(f["fd.is_server"], "false");
    EXPECT_EQ(f["fd.connected"], "false");
    EXPECT_EQ(f["fd.dev.major"], "0");
    EXPECT_EQ(f["fd.dev.minor"], "0");
}

TEST_F(FieldsEvt, UnknownIdsAsTheReferenceShowsThem) {
    // falco_syscall.scap 179: tid 16518, never described by the capture: no session, group, user,
    // executable. The reference shows -1 ids, compares them for leadership, empty leader names
    // and paths, and <NA> user names.
    auto f = scap_test::first_match("falco_syscall.scap", "evt.num=180",
                                    {"proc.sid", "proc.pgid", "proc.sname", "proc.is_sid_leader",
                                     "proc.exepath", "user.name", "user.loginname", "proc.exeline"});
    EXPECT_EQ(f["proc.sid"], "-1");
    EXPECT_EQ(f["proc.pgid"], "-1");
    EXPECT_EQ(f["proc.sname"], "");
    EXPECT_EQ(f["proc.is_sid_leader"], "true");  // -1 == -1 (vpid unknown too)
    EXPECT_EQ(f["proc.exepath"], "");
    EXPECT_EQ(f["user.name"], "<NA>");
    EXPECT_EQ(f["user.loginname"], "<NA>");
    EXPECT_EQ(f["proc.exeline"], " ");
    // cat: the space after the executable, then its argument.
    EXPECT_EQ(fields_of(137, {"proc.exeline"})["proc.exeline"], "cat /dev/null");
}

TEST_F(FieldsEvt, ArgumentErrors) {
    sinsp::field_catalog fields;
    EXPECT_THROW(sinsp::filter::compile("evt.arg = x", fields), sinsp::filter::filter_error);
    try {
        sinsp::filter::compile("evt.rawarg.nosuchparam = 1", fields);
        FAIL() << "accepted an unknown parameter name";
    } catch (const sinsp::filter::filter_error& e) {
        EXPECT_NE(std::string(e.what()).find("nosuchparam"), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(FieldsEvtType, ValuesMustNameAnEventOrASyscall) {
    // As in the reference: a name no event or syscall has is a compile error, not a silent
    // never-match; event names, syscall names without an event of their own, meta events pass.
    sinsp::field_catalog fields;
    for (const char* bad :
         {"evt.type = foo", "evt.type in (open, foo)", "evt.type != opne", "evt.type contains ope"}) {
        try {
            sinsp::filter::compile(bad, fields);
            ADD_FAILURE() << bad << " compiled";
        } catch (const sinsp::filter::filter_error& e) {
            EXPECT_NE(std::string(e.what()).find("unknown event type"), std::string::npos) << e.what();
        }
    }
    for (const char* good : {"evt.type = open", "evt.type in (openat, mprotect, switch)",
                             "evt.type = container", "evt.type = syscall"}) {
        EXPECT_NO_THROW(sinsp::filter::compile(good, fields)) << good;
    }
}

TEST(FieldsEvtType, GenericEventsShowTheirSyscallByName) {
    // This old capture's driver sent mprotect as a generic event; its first parameter is the
    // syscall's ppm_sc code, shown by name as the reference does (the number stays raw).
    auto f =
        scap_test::first_match("falco_cat_write.scap", "evt.type=mprotect", {"evt.arg[0]", "evt.rawarg.ID"});
    EXPECT_EQ(f["evt.arg[0]"], "mprotect");
    EXPECT_EQ(f["evt.rawarg.ID"], "75");
}

namespace {

TEST(FieldsEvtHostname, EmptyOnReplayThoughTheCaptureNamesItsHost) {
    // The capture's machine block records "ubuntu"; on replay the reference shows an empty
    // hostname (not an absent one), and so do we.
    auto f = scap_test::first_match(k_capture, "evt.num=55", {"evt.hostname"});
    EXPECT_EQ(f["evt.hostname"], "");
    EXPECT_EQ(scap_test::count_matches(k_capture, "evt.hostname = ''"),
              scap_test::count_matches(k_capture, "evt.num > 0"));
}

}  // namespace

// poll's fds in evt.args: each fd with the type letter of what it is in the thread's table (curl
// polls its IPv6 DNS socket, fd 4, for POLLOUT), as the reference renders them; an empty list is
// empty.
TEST(FieldsEvtPoll, FdListShowsEachFdsTypeAndFlags) {
    auto wait_out = scap_test::first_match("libs_curl_google.scap", "evt.num=754", {"evt.type", "evt.args"});
    EXPECT_EQ(wait_out["evt.type"], "poll");
    EXPECT_EQ(wait_out["evt.args"], "res=1 fds=4:64 timeout=0");
    auto none = scap_test::first_match("libs_curl_google.scap", "evt.num=757", {"evt.arg.fds"});
    EXPECT_EQ(none["evt.arg.fds"], "");
}
