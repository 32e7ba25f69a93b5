// proc.*, thread.*, user.* and group.* fields over real captures (values read off the captures'
// events and snapshots with scap-open -p / scapdig) and synthetic process trees.
#include <gtest/gtest.h>

#include "event_builder.h"
#include "field_probe.h"

namespace {

using scap_test::field_probe;

using scap_test::count_matches;
using scap_test::first_match;

TEST(FieldsProc, CatAndItsAncestors) {
    // cat /dev/null (tid 20072) started from bash (11310) under emacs, bash, sshd x3, systemd.
    auto f = first_match("falco_cat_write.scap", "proc.name=cat and evt.type=open",
                         {"proc.name",
                          "proc.exe",
                          "proc.args",
                          "proc.cmdline",
                          "proc.exeline",
                          "proc.pid",
                          "proc.ppid",
                          "proc.pname",
                          "proc.pcmdline",
                          "proc.aname[0]",
                          "proc.aname[1]",
                          "proc.aname[2]",
                          "proc.apid[1]",
                          "proc.cwd",
                          "thread.tid",
                          "thread.ismain",
                          "proc.cmdnargs",
                          "proc.cmdlenargs",
                          "thread.cgroup[cpuset]",
                          "proc.env[HOME]",
                          "proc.fdopencount"});
    EXPECT_EQ(f["proc.name"], "cat");
    EXPECT_EQ(f["proc.exe"], "cat");
    EXPECT_EQ(f["proc.args"], "/dev/null");
    EXPECT_EQ(f["proc.cmdline"], "cat /dev/null");
    EXPECT_EQ(f["proc.exeline"], "cat /dev/null");
    EXPECT_EQ(f["proc.pid"], "20072");
    EXPECT_EQ(f["proc.ppid"], "11310");
    EXPECT_EQ(f["proc.pname"], "bash");
    EXPECT_EQ(f["proc.pcmdline"], "bash --noediting -i");
    EXPECT_EQ(f["proc.aname[0]"], "cat");
    EXPECT_EQ(f["proc.aname[1]"], "bash");
    EXPECT_EQ(f["proc.aname[2]"], "emacs");
    EXPECT_EQ(f["proc.apid[1]"], "11310");
    EXPECT_EQ(f["proc.cwd"], "/mnt/sf_mstemm/work/src/agent/build/release/userspace/dragent/");
    EXPECT_EQ(f["thread.tid"], "20072");
    EXPECT_EQ(f["thread.ismain"], "true");
    EXPECT_EQ(f["proc.cmdnargs"], "1");
    EXPECT_EQ(f["proc.cmdlenargs"], "9");
    EXPECT_EQ(f["thread.cgroup[cpuset]"], "/user.slice/user-1000.slice/session-1.scope");
    EXPECT_EQ(f["proc.env[HOME]"], "/home/mstemm");
}

// cat's thread was first seen at its execve, whose old version carries no uid or gid: unknown
// ids show as the kernel's "no id" value and the names as <NA>, as in the reference.
TEST(FieldsProc, UnknownCredentialsAfterAnOldExec) {
    auto f = first_match("falco_cat_write.scap", "proc.name=cat and evt.type=open",
                         {"user.uid", "user.name", "user.loginuid", "group.gid", "group.name", "proc.pgid",
                          "proc.vpid", "proc.exepath", "proc.pid.ts"});
    EXPECT_EQ(f["user.uid"], "4294967295");
    EXPECT_EQ(f["user.name"], "<NA>");
    EXPECT_EQ(f["user.loginuid"], "-1");
    EXPECT_EQ(f["group.gid"], "4294967295");
    EXPECT_EQ(f["group.name"], "<NA>");
    EXPECT_EQ(f["proc.pgid"], "-1");
    EXPECT_EQ(f["proc.vpid"], "20072");
    EXPECT_EQ(f["proc.exepath"], "");
    EXPECT_EQ(f["proc.pid.ts"], "<NA>");  // start unknown: absent
}

// Session leaders as the reference finds them: gdb's session 7638 has no thread in the table,
// so the oldest ancestor sharing it (sudo) leads it; bash in a container (pid namespace, virtual
// pid 1) has a session id that means nothing in the host's table and no ancestor shares it.
TEST(FieldsProc, SessionLeaderFromAncestorsOrNone) {
    auto gdb = first_match("falco_connect_localhost.scap", "evt.num=151",
                           {"proc.name", "proc.sname", "proc.sid.exepath"});
    EXPECT_EQ(gdb["proc.name"], "gdb");
    EXPECT_EQ(gdb["proc.sname"], "sudo");
    EXPECT_EQ(gdb["proc.sid.exepath"], "/usr/bin/sudo");
    auto bash =
        first_match("falco_open-multiple-files.scap", "evt.num=84", {"proc.name", "proc.vpid", "proc.sname"});
    EXPECT_EQ(bash["proc.name"], "bash");
    EXPECT_EQ(bash["proc.vpid"], "1");
    EXPECT_EQ(bash["proc.sname"], "");
}

TEST(FieldsProc, AnyAncestorMatches) {
    const char* cap = "falco_cat_write.scap";
    const size_t cat_events = count_matches(cap, "proc.name=cat");
    ASSERT_GT(cat_events, 0u);
    EXPECT_EQ(count_matches(cap, "proc.name=cat and proc.aname=sshd"), cat_events);
    EXPECT_EQ(count_matches(cap, "proc.name=cat and proc.aname=systemd"), cat_events);
    EXPECT_EQ(count_matches(cap, "proc.name=cat and proc.aname=nosuchprocess"), 0u);
    EXPECT_EQ(count_matches(cap, "proc.name=cat and proc.aname[1] in (bash, zsh)"), cat_events);
    EXPECT_EQ(count_matches(cap, "proc.name=cat and proc.aname contains emac"), cat_events);
}

TEST(FieldsProc, CurlCommandLine) {
    // libs_curl_google.scap: execve exe=curl args=-6 http://www.google.com, parent bash. The
    // main thread (17497) is first seen at its execve, whose old version carries no uid: its
    // user is unknown (<NA>), as in the reference; the resolver thread (17498) was cloned with
    // uid 1000.
    auto f = first_match(
        "libs_curl_google.scap", "proc.name=curl and evt.type=connect and thread.tid=17497",
        {"proc.cmdline", "proc.args", "proc.pname", "proc.cwd", "user.name", "proc.cmdnargs", "thread.tid"});
    EXPECT_EQ(f["thread.tid"], "17497");
    EXPECT_EQ(f["proc.cmdline"], "curl -6 http://www.google.com");
    EXPECT_EQ(f["proc.args"], "-6 http://www.google.com");
    EXPECT_EQ(f["proc.pname"], "bash");
    EXPECT_EQ(f["proc.cwd"], "/home/ubuntu/");
    EXPECT_EQ(f["user.name"], "<NA>");
    EXPECT_EQ(f["proc.cmdnargs"], "2");
}

TEST(FieldsProc, PythonOpeningFilesAndItsUser) {
    // falco_open-multiple-files.scap: `python open.py` (pid 16569) run by mstemm (uid 501).
    auto f = first_match(
        "falco_open-multiple-files.scap", "evt.type=open and fd.name=/tmp/file-1",
        {"proc.cmdline", "proc.pid", "proc.ppid", "proc.pname", "user.uid", "user.name", "user.homedir",
         "user.shell", "group.gid", "group.name", "proc.loginshellid", "proc.aname", "proc.nthreads"});
    EXPECT_EQ(f["proc.cmdline"], "python open.py");
    EXPECT_EQ(f["proc.pid"], "16569");
    EXPECT_EQ(f["proc.ppid"], "2089");
    EXPECT_EQ(f["proc.pname"], "bash");
    EXPECT_EQ(f["user.uid"], "501");
    EXPECT_EQ(f["user.name"], "mstemm");
    EXPECT_EQ(f["user.homedir"], "/home/mstemm");
    EXPECT_EQ(f["user.shell"], "/bin/bash");
    EXPECT_EQ(f["group.gid"], "20");
    EXPECT_EQ(f["group.name"], "dialout");
    EXPECT_EQ(f["proc.loginshellid"], "1995");  // the oldest shell: the bash under sshd
    EXPECT_EQ(f["proc.aname"], "(bash, emacs, bash, sshd, sshd, sshd, systemd)");
    EXPECT_EQ(f["proc.nthreads"], "1");
}

TEST(FieldsProc, ReferenceWorkloadProcess) {
    auto f = first_match("reference_mixed_2M.scap.gz", "evt.type=execve and proc.name=mixed_load",
                         {"proc.cmdline", "proc.exepath", "proc.pname", "user.name"});
    EXPECT_EQ(f["proc.cmdline"], "mixed_load 30");
    EXPECT_EQ(f["proc.exepath"], "/tmp/upstream-libs/work/mixed_load");
    EXPECT_EQ(f["proc.pname"], "bash");
    EXPECT_EQ(f["user.name"], "root");
}

// Synthetic trees: capabilities, a cycle in the parent links, a missing parent.
class FieldsProcTree : public ::testing::Test {
  protected:
    void load(const std::vector<scap::process_info>& procs) {
        scap::snapshot snap;
        snap.processes = procs;
        insp.load_snapshot(snap);
    }
    static scap::process_info proc(uint64_t pid, uint64_t ppid, const char* comm) {
        scap::process_info p;
        p.tid = p.pid = pid;
        p.ptid = ppid;
        p.comm = comm;
        p.exe = comm;
        return p;
    }
    std::string field(uint64_t tid, const std::string& name) {
        m_keep = scap::test::event_builder(PPME_SYSCALL_GETUID_X, tid).num<uint32_t>(0).build();
        scap::event_ref ref;
        ref.hdr = scap::test::hdr(m_keep);
        const sinsp::event& e = insp.process(ref);
        field_probe probe({name});
        return probe.text(name, e, insp);
    }
    sinsp::inspector insp;

  private:
    std::vector<uint8_t> m_keep;
};

TEST_F(FieldsProcTree, AncestorWalkStopsAtCyclesAndUnknownParents) {
    load({proc(10, 11, "a"), proc(11, 10, "b"), proc(20, 999, "orphan")});
    EXPECT_EQ(field(10, "proc.aname[1]"), "b");
    EXPECT_EQ(field(10, "proc.aname[2]"), "a");   // the cycle is walked, boundedly
    EXPECT_EQ(field(10, "proc.aname[64]"), "a");  // 64 steps around the a<->b cycle, then stop
    sinsp::field_catalog fields;
    EXPECT_THROW(sinsp::filter::compile("proc.aname[65] = a", fields), sinsp::filter::filter_error);
    EXPECT_EQ(field(20, "proc.pname"), "<NA>");  // parent 999 is unknown
    EXPECT_EQ(field(20, "proc.aname"), "<NA>");
}

TEST_F(FieldsProcTree, CapabilitiesByName) {
    auto p = proc(30, 1, "capper");
    p.cap_effective = (1ull << 0) | (1ull << 21) | (1ull << 39);  // CHOWN, SYS_ADMIN, BPF
    p.cap_permitted = 0;
    load({p});
    EXPECT_EQ(field(30, "thread.cap_effective"), "CAP_CHOWN CAP_SYS_ADMIN CAP_BPF");
    EXPECT_EQ(field(30, "thread.cap_permitted"), "");
}

TEST(FieldsProcErrors, AncestorLevelMustBeANumber) {
    sinsp::field_catalog fields;
    EXPECT_THROW(sinsp::filter::compile("proc.aname[x] = bash", fields), sinsp::filter::filter_error);
    EXPECT_THROW(sinsp::filter::compile("thread.cgroup = x", fields), sinsp::filter::filter_error);
}

}  // namespace

TEST(FieldsProc, CgroupSubsystemsNamedAsProcShowsThem) {
    // The driver that wrote this capture named blkio by the kernel's internal name "io"; the
    // reference shows (and looks up) the /proc name, blkio.
    auto f = first_match("libs_curl_google.scap", "proc.name=curl and evt.type=execve",
                         {"thread.cgroups", "thread.cgroup[blkio]", "thread.cgroup[io]"});
    EXPECT_EQ(f["thread.cgroups"],
              "cpuset=/ cpu=/user.slice cpuacct=/user.slice blkio=/user.slice memory=/user.slice "
              "devices=/user.slice freezer=/ net_cls=/ perf_event=/ net_prio=/ hugetlb=/ "
              "pids=/user.slice/user-1000.slice");
    EXPECT_EQ(f["thread.cgroup[blkio]"], "/user.slice");
    EXPECT_EQ(f["thread.cgroup[io]"], "<NA>");
}

TEST(FieldsProc, ForkedChildTakesItsParentsCwdWhenCloneLeavesItOut) {
    // bash 8878 forks 8884; the driver left both clone events' cwd parameter empty, and the
    // child's first event (a page fault) comes before its own clone exit.
    auto f = first_match("reference_mixed_2M.scap.gz", "thread.tid=8884", {"proc.cwd", "evt.type"});
    EXPECT_EQ(f["evt.type"], "page_fault");
    EXPECT_EQ(f["proc.cwd"], "/tmp/upstream-libs/work/");
}

TEST(FieldsProc, ExecKeepsTheCwdWhenItsEventLeavesItOut) {
    // 8884 (forked from bash in /tmp/upstream-libs/work) execs ./mixed_load; the driver sent the
    // execve event with an empty cwd parameter.
    auto f = first_match("reference_mixed_2M.scap.gz", "thread.tid=8884 and evt.type=execve",
                         {"proc.cwd", "proc.name"});
    EXPECT_EQ(f["proc.name"], "mixed_load");
    EXPECT_EQ(f["proc.cwd"], "/tmp/upstream-libs/work/");
}

namespace {

TEST(FieldsProc, ParentStartUnknownIsZero) {
    // cat's parent bash (11310) comes from the capture's snapshot, which has no start time for
    // it: proc.ppid.ts is 0 (as the reference prints it), the duration stays absent.
    auto f = scap_test::first_match("falco_cat_write.scap", "proc.name=cat and evt.type=open",
                                    {"proc.ppid", "proc.ppid.ts", "proc.ppid.duration"});
    EXPECT_EQ(f["proc.ppid"], "11310");
    EXPECT_EQ(f["proc.ppid.ts"], "0");
    EXPECT_EQ(f["proc.ppid.duration"], "<NA>");
    // A thread without a known parent process has none.
    auto g = scap_test::first_match("falco_cat_write.scap", "proc.pid=1", {"proc.ppid.ts"});
    EXPECT_EQ(g["proc.ppid.ts"], "<NA>");
}

}  // namespace

namespace {

TEST(FieldsProc, ExectimeWithoutAKnownThreadIsZero) {
    // Event 2 is the procinfo of kernel thread 3, which the snapshot left out: no thread state,
    // yet thread.exectime is 0 there (as in the reference), and present on every event.
    auto f = scap_test::first_match("falco_cat_write.scap", "evt.num=2", {"proc.pid", "thread.exectime"});
    EXPECT_EQ(f["proc.pid"], "<NA>");
    EXPECT_EQ(f["thread.exectime"], "0");
    EXPECT_EQ(scap_test::count_matches("falco_cat_write.scap", "thread.exectime exists"),
              scap_test::count_matches("falco_cat_write.scap", "evt.num > 0"));
}

}  // namespace

// The close of a standard stream still shows it (the reference removes the fd after the event):
// sleep closing its stdout, then its stderr, in the reference's own capture.
TEST(FieldsProc, ClosingAStandardStreamStillShowsIt) {
    auto out = first_match("reference_mixed_2M.scap.gz", "evt.num=6092",
                           {"evt.type", "proc.stdout.name", "proc.stdout.type"});
    EXPECT_EQ(out["evt.type"], "close");
    EXPECT_EQ(out["proc.stdout.name"], "/tmp/bash_jobs.0/8ba63624668d/stdout");
    EXPECT_EQ(out["proc.stdout.type"], "file");
    auto err =
        first_match("reference_mixed_2M.scap.gz", "evt.num=6093", {"proc.stdout.name", "proc.stderr.name"});
    EXPECT_EQ(err["proc.stdout.name"], "<NA>");  // closed by the previous event
    EXPECT_EQ(err["proc.stderr.name"], "/tmp/bash_jobs.0/8ba63624668d/stderr");
}
