// Multi-argument transformers (join, concat), literal arguments and transformer lists.
#include <gtest/gtest.h>

#include "filter_test_fields.h"

using namespace filter_test;

TEST(FilterMultivalue, Join) {
    mock_event e;  // proc.args = (-l, -a)
    EXPECT_TRUE(eval("join(' ', proc.args) = '-l -a'", e));
    EXPECT_TRUE(eval("join(\",\", proc.args) = '-l,-a'", e));
    EXPECT_TRUE(eval("join('', (proc.name, '/', proc.pname)) = loader/bash", e));
    EXPECT_TRUE(eval("len(join('', proc.args)) = 4", e));
    EXPECT_TRUE(eval("toupper(join('+', proc.args)) = -L+-A", e));
    e.args.clear();
    EXPECT_TRUE(eval("join(' ', proc.args) = ''", e));
    EXPECT_TRUE(eval("join(' ', proc.args) exists", e));
}

TEST(FilterMultivalue, Concat) {
    mock_event e;
    EXPECT_TRUE(eval("concat(proc.name, ':', proc.pname) = loader:bash", e));
    EXPECT_TRUE(eval("concat(proc.pname, 42) = bash42", e));
    EXPECT_TRUE(eval("tolower(concat('A', 'B')) = ab", e));
    // As a right-hand operand, compared with another field.
    e.proc_name = "bash-x";
    EXPECT_TRUE(eval("proc.name = concat(proc.pname, '-x')", e));
    EXPECT_FALSE(eval("proc.name != concat(proc.pname, '-x')", e));
    // An argument that does not apply to the event makes the whole value absent.
    EXPECT_FALSE(eval("concat(evt.arg[x], proc.aname[9]) exists", e));
}

TEST(FilterMultivalue, ListsAsArguments) {
    mock_event e;
    EXPECT_TRUE(eval("len((proc.name, proc.pname, 'x')) = 3", e));
    EXPECT_TRUE(eval("len((proc.args, proc.name)) = 3", e));  // list elements are flattened
    // An element that does not apply contributes nothing.
    EXPECT_TRUE(eval("len((proc.name, proc.aname[9])) = 1", e));
}

TEST(FilterMultivalue, ArgumentRulesAreCompileErrors) {
    EXPECT_EQ(compile_error("join(' ') = x"),
              "filter error at column 1: join() takes exactly 2 arguments: a separator and a list");
    EXPECT_EQ(compile_error("join(proc.args, proc.args) = x"),
              "filter error at column 6: join() takes a single value as separator, not a list");
    EXPECT_EQ(compile_error("join(' ', proc.name) = x"),
              "filter error at column 11: join() takes a list as second argument");
    EXPECT_EQ(compile_error("join(' ', evt.codes) = x"),
              "filter error at column 11: join() arguments must be strings");
    EXPECT_EQ(compile_error("concat(proc.name) = x"),
              "filter error at column 1: concat() takes at least 2 arguments");
    // The reference takes CHARBUF only: an FSPATH field is refused.
    EXPECT_EQ(compile_error("concat(proc.name, fd.name) = x"),
              "filter error at column 19: concat() arguments must be single strings (CHARBUF)");
    EXPECT_EQ(compile_error("concat(proc.name, proc.args) = x"),
              "filter error at column 19: concat() arguments must be single strings (CHARBUF)");
    EXPECT_EQ(compile_error("len((proc.name, evt.num)) = 2"),
              "filter error at column 17: list elements must be strings, but 'evt.num' has type UINT64");
    EXPECT_FALSE(compiles("concat(proc.name, 'x')[1] = x"));
    EXPECT_FALSE(compiles("getopt(proc.args, 'l') = x"));
    // The result is a string: byte-buffer operators stay refused.
    EXPECT_FALSE(compiles("concat(proc.name, 'x') bcontains 00"));
}
