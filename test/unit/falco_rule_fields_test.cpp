// The fields Falco's default rule files use in conditions and outputs: binding each alone shows
// which one is missing faster than a whole rule does (rules_default_files_test.cpp loads the rules).
#include <gtest/gtest.h>

#include <string>

#include "sinsp/fields.h"
#include "sinsp/filter.h"

namespace {

// The default files name these fields in conditions and outputs; binding each alone shows which
// field is missing faster than a rule's whole condition does.
TEST(FalcoRuleFields, FieldsTheDefaultRulesUseExist) {
    sinsp::field_catalog catalog;
    for (const char* f : {"container.id",
                          "container.image.repository",
                          "container.mount.dest[/var/run/docker.sock]",
                          "container.privileged",
                          "container.start_ts",
                          "container.mounts",
                          "k8s.ns.name",
                          "k8s.pod.name",
                          "fd.name_changed",
                          "fd.nameraw",
                          "fd.sip.name",
                          "fd.cip.name",
                          "fd.lip.name",
                          "fd.rip.name",
                          "proc.is_exe_from_memfd",
                          "proc.is_exe_upper_layer",
                          "proc.exe_ino.ctime",
                          "proc.exe_ino.mtime",
                          "proc.exe_ino.ctime_duration_proc_start",
                          "proc.aexepath[2]"}) {
        EXPECT_NO_THROW(sinsp::filter::compile(std::string(f) + " exists", catalog)) << f;
    }
}

}  // namespace
