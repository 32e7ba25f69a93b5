// Field values on the reference's own exit-only capture (reference_mixed_2M.scap.gz), each
// checked against the text the reference's libsinsp prints for the same event (read off its
// sinsp-example). One pass over the capture's first 50,200 events, then one test per behaviour.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "field_probe.h"

namespace {

using scap_test::field_probe;

// The texts of `names` for the events numbered in `wanted`, read in one pass.
class ReferenceMixedFields : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const std::vector<std::string> names = {"fd.typechar",
                                                "fd.directory",
                                                "fd.nameraw",
                                                "fd.name",
                                                "fd.num",
                                                "proc.fdopencount",
                                                "evt.args",
                                                "evt.arg.filename",
                                                "evt.arg.exe_ino_ctime",
                                                "fd.containerdirectory"};
        const uint64_t wanted[] = {146, 6192, 6208, 49805, 50145};
        sinsp::inspector insp;
        field_probe probe(names);
        std::string err;
        ASSERT_EQ(insp.open_file(scap_test::capture("reference_mixed_2M.scap.gz"), err), scap::status::ok)
            << err;
        const sinsp::event* e;
        while (insp.next(e) == scap::status::ok && e->num <= 50145) {
            for (uint64_t n : wanted) {
                if (e->num != n) continue;
                for (const auto& name : names) s_seen[n][name] = probe.text(name, *e, insp);
            }
        }
    }
    static std::string at(uint64_t num, const std::string& field) { return s_seen[num][field]; }
    static std::map<uint64_t, std::map<std::string, std::string>> s_seen;
};
std::map<uint64_t, std::map<std::string, std::string>> ReferenceMixedFields::s_seen;

// mmap(-1) for anonymous memory: an fd the state does not know reads 'o', directory "/".
TEST_F(ReferenceMixedFields, AnUnknownFdHasTheReferencesPlaceholders) {
    EXPECT_EQ(at(6208, "fd.num"), "-1");
    EXPECT_EQ(at(6208, "fd.typechar"), "o");
    EXPECT_EQ(at(6208, "fd.directory"), "/");
    EXPECT_EQ(at(6208, "fd.containerdirectory"), ":/");
}

// fd 5 of this shell came from the capture's fd table: no call named it, so no raw name.
TEST_F(ReferenceMixedFields, SnapshotFdsHaveNoRawName) {
    EXPECT_EQ(at(146, "fd.name"),
              "/tmp/bash_tool_442bf197-4afb-4d93-acc0-f2454b739f2f/bashtool-stdout-9363f027b2984275");
    EXPECT_EQ(at(146, "fd.nameraw"), "");
}

// execve of ./mixed_load: the relative filename is shown with the path it names, the exe's
// inode times as dates, and the whole argument and cgroup lists.
TEST_F(ReferenceMixedFields, ExecveArgumentsRenderAsTheReferences) {
    EXPECT_EQ(at(6192, "evt.arg.filename"), "/tmp/upstream-libs/work/mixed_load");
    const std::string args = at(6192, "evt.args");
    EXPECT_NE(args.find(" filename=./mixed_load(/tmp/upstream-libs/work/mixed_load)"), std::string::npos)
        << args;
    EXPECT_NE(args.find(" cwd=<NA> "), std::string::npos) << args;  // an empty string parameter
    EXPECT_NE(args.find("memory=/process_api/2882f80f091d958f1fa772551c76467b."), std::string::npos) << args;
    EXPECT_EQ(at(6192, "evt.arg.exe_ino_ctime").size(), std::string("2297-07-04 07:12:59.859547599").size());
}

// fcntl(0, F_DUPFD) returning 11: the event is about the copy.
TEST_F(ReferenceMixedFields, FcntlDupfdIsAboutTheNewFd) {
    EXPECT_EQ(at(49805, "fd.num"), "11");
}

// bash marks its pipes close-on-exec with fcntl(F_SETFD) before exec'ing mkdir: mkdir keeps 4.
TEST_F(ReferenceMixedFields, ExecveDropsFdsMarkedCloseOnExecByFcntl) {
    EXPECT_EQ(at(50145, "proc.fdopencount"), "4");
}

}  // namespace
