// Transformers and field-to-field comparisons.
#include <gtest/gtest.h>

#include "filter_test_fields.h"

using namespace filter_test;

TEST(FilterTransformers, CaseAndBasename) {
    mock_event e;
    e.proc_name = "LoAder";
    EXPECT_TRUE(eval("tolower(proc.name) = loader", e));
    EXPECT_FALSE(eval("proc.name = loader", e));
    EXPECT_TRUE(eval("toupper(proc.name) = LOADER", e));
    EXPECT_TRUE(eval("basename(fd.name) = file.txt", e));
    EXPECT_TRUE(eval("toupper(basename(fd.name)) = FILE.TXT", e));
    e.fd_name = "/usr/bin/";
    EXPECT_TRUE(eval("basename(fd.name) = ''", e));
    e.fd_name = "plain";
    EXPECT_TRUE(eval("basename(fd.name) = plain", e));
}

TEST(FilterTransformers, Len) {
    mock_event e;  // loader, args (-l, -a), buffer 11 bytes
    EXPECT_TRUE(eval("len(proc.name) = 6", e));
    EXPECT_TRUE(eval("len(proc.name) > 5 and len(proc.name) < 7", e));
    EXPECT_TRUE(eval("len(proc.args) = 2", e));
    EXPECT_TRUE(eval("len(evt.buffer) = 11", e));
    EXPECT_FALSE(compiles("len(proc.name) contains 6"));  // len yields a number
    EXPECT_FALSE(compiles("len(evt.num) = 1"));
}

TEST(FilterTransformers, Base64) {
    mock_event e;
    e.proc_name = "aGVsbG8=";
    EXPECT_TRUE(eval("b64(proc.name) = hello", e));
    e.proc_name = "aGVsbG8";
    EXPECT_TRUE(eval("b64(proc.name) = hello", e));
    e.proc_name = "not base64!";
    EXPECT_FALSE(eval("b64(proc.name) exists", e));
    EXPECT_FALSE(compiles("b64(fd.name) = x"));  // FSPATH is not accepted by b64
}

TEST(FilterTransformers, TypeRulesAreCompileErrors) {
    EXPECT_EQ(compile_error("tolower(evt.num) = 1"),
              "filter error at column 1: transformer 'tolower' cannot be applied to field 'evt.num' of type "
              "UINT64");
    EXPECT_EQ(compile_error("proc.name = x and toupper(fd.plain) = X"),
              "filter error at column 19: field 'fd.plain' does not support transformers");
    EXPECT_FALSE(compiles("join(proc.name) = x"));
    EXPECT_FALSE(compiles("tolower(proc.name, proc.pname) = x"));
}

TEST(FilterTransformers, FieldToFieldComparisons) {
    mock_event e;
    e.proc_name = "bash";
    e.pname = "bash";
    EXPECT_TRUE(eval("proc.name = val(proc.pname)", e));
    EXPECT_FALSE(eval("proc.name != val(proc.pname)", e));
    e.pname = "BASH";
    EXPECT_FALSE(eval("proc.name = val(proc.pname)", e));
    EXPECT_TRUE(eval("proc.name = tolower(proc.pname)", e));
    EXPECT_TRUE(eval("toupper(proc.name) = val(proc.pname)", e));
    EXPECT_TRUE(eval("proc.name < val(proc.pname)", e) == false);
    mock_event f;
    EXPECT_TRUE(eval("proc.args intersects val(proc.args)", f));
    EXPECT_TRUE(eval("proc.args in val(proc.args)", f));
}

TEST(FilterTransformers, FieldToFieldTypeRules) {
    EXPECT_EQ(
        compile_error("evt.num > val(fd.num)"),
        "filter error at column 11: left-hand side has type UINT64 but the right-hand side has type FD");
    EXPECT_FALSE(compiles("proc.name regex val(proc.pname)"));
    EXPECT_FALSE(compiles("fd.snet = val(fd.snet)"));
    EXPECT_FALSE(compiles("proc.name = val(fd.plain)"));
    // A single value against a list field: the list-ness must match too.
    EXPECT_EQ(
        compile_error("proc.name in val(proc.args)"),
        "filter error at column 14: left-hand side has type CHARBUF but the right-hand side has type CHARBUF "
        "(list)");
    EXPECT_TRUE(compiles("len(proc.name) > len(proc.pname)"));
}
