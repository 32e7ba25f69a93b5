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
    // An element that does not apply makes the whole list absent.
    EXPECT_FALSE(eval("len((proc.name, proc.aname[9])) exists", e));
    // Integers join a list as decimal text.
    e.res = -2;
    EXPECT_TRUE(eval("join(',', (evt.num, evt.res, fd.sport)) = '42,-2,443'", e));
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
    EXPECT_EQ(compile_error("len((proc.name, fd.sip)) = 2"),
              "filter error at column 17: list elements must be strings, but 'fd.sip' has type IPADDR");
    EXPECT_FALSE(compiles("concat(proc.name, 'x')[1] = x"));
    // The result is a string: byte-buffer operators stay refused.
    EXPECT_FALSE(compiles("concat(proc.name, 'x') bcontains 00"));
}

TEST(FilterMultivalue, GetoptListsOptionsAndArguments) {
    mock_event e;
    e.args = {"-v", "-p", "8080", "-ofile", "--long", "-xq", "target", "-z"};
    // v and p known, p takes an argument, attached or separate; x unknown ("?"); the first
    // operand ("target") ends the scan, so -z is never seen.
    EXPECT_TRUE(eval("getopt(proc.args, 'vp:o:q') intersects (8080)", e));
    EXPECT_TRUE(eval("getopt(proc.args, 'vp:o:q') intersects ('?')", e));
    EXPECT_TRUE(eval("getopt(proc.args, 'vp:o:q') intersects (file)", e));
    EXPECT_FALSE(eval("getopt(proc.args, 'vp:o:q') intersects (z)", e));
    EXPECT_FALSE(eval("getopt(proc.args, 'vp:o:q') intersects (long, '-', l)", e));  // long options skipped
    EXPECT_TRUE(eval("len(getopt(proc.args, 'vp:o:q')) = 7", e));                    // v p 8080 o file ? q
    EXPECT_TRUE(eval("join(' ', getopt(proc.args, 'vp:o:q')) = 'v p 8080 o file ? q'", e));
    // "--" ends the options.
    EXPECT_TRUE(eval("join(' ', getopt(('-a', '--', '-b'), 'ab')) = a", e));
    // An argument-taking option at the end has an empty argument.
    EXPECT_TRUE(eval("join('|', getopt(('-a', '-t'), 'at:')) = 'a|'", e));
    // A cluster stops at the first option taking an argument: the rest is its argument.
    EXPECT_TRUE(eval("join(' ', getopt(('-abcvalue'), 'abc:')) = 'a b c value'", e));
}

TEST(FilterMultivalue, GetoptSelector) {
    mock_event e;
    e.args = {"-t", "one", "-n", "-t", "two"};
    EXPECT_TRUE(eval("getopt(proc.args, 'nt:')[t] = two", e));    // the last one wins
    EXPECT_TRUE(eval("getopt(proc.args, 'nt:')[n] = n", e));      // no argument: the option itself
    EXPECT_FALSE(eval("getopt(proc.args, 'nt:')[x] exists", e));  // absent option: no value
    EXPECT_FALSE(eval("getopt(proc.args, 'nt:')[x] != ''", e));
    e.args = {"-t"};
    EXPECT_TRUE(eval("getopt(proc.args, 't:')[t] = ''", e));
}

TEST(FilterMultivalue, GetoptArgumentRules) {
    EXPECT_FALSE(compiles("getopt(proc.args) intersects (a)"));
    EXPECT_FALSE(compiles("getopt(proc.args, 'a', 'b') intersects (a)"));
    EXPECT_EQ(compile_error("getopt(proc.name, 'a') intersects (a)"),
              "filter error at column 8: getopt() takes a list of strings as first argument");
    EXPECT_EQ(compile_error("getopt(proc.args, ('a')) intersects (a)"),
              "filter error at column 19: getopt() takes a single string as optstring");
    EXPECT_EQ(compile_error("getopt(proc.args, 'a')[ab] = a"),
              "filter error at column 1: getopt() takes a single option character as argument");
    // Without a selector the result is a list: only list operators apply.
    EXPECT_FALSE(compiles("getopt(proc.args, 'a') = a"));
    EXPECT_TRUE(compiles("getopt(proc.args, 'a')[a] = a"));
}
