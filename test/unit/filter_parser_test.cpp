// Parser: tree shapes (precedence, grouping), tokens, escapes, and error positions.
#include <gtest/gtest.h>

#include "sinsp/filter_parser.h"

using sinsp::filter::filter_error;
using sinsp::filter::parse;
using sinsp::filter::unescape;

namespace {
std::string shape(const std::string& f) {
    return sinsp::filter::ast::to_string(*parse(f));
}
std::string error_of(const std::string& f) {
    try {
        parse(f);
    } catch (const filter_error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(FilterParser, ComparisonsKeepOperatorAndLiteral) {
    EXPECT_EQ(shape("evt.type=openat"), "evt.type = \"openat\"");
    EXPECT_EQ(shape("evt.type == openat"), "evt.type == \"openat\"");
    EXPECT_EQ(shape("proc.name contains load"), "proc.name contains \"load\"");
    EXPECT_EQ(shape("fd.num >= 10"), "fd.num >= \"10\"");
    EXPECT_EQ(shape("fd.num>0x1F"), "fd.num > \"0x1F\"");
    EXPECT_EQ(shape("fd.name exists"), "fd.name exists");
    EXPECT_EQ(shape("evt.type in (open, openat, \"c d\")"), "evt.type in (\"open\", \"openat\", \"c d\")");
    EXPECT_EQ(shape("evt.type in()"), "evt.type in ()");
    EXPECT_EQ(shape("evt.type in ( )"), "evt.type in ()");
    EXPECT_EQ(shape("fd.name pmatch (/a, /b)"), "fd.name pmatch (\"/a\", \"/b\")");
    EXPECT_EQ(shape("proc.name in my_list"), "proc.name in \"my_list\"");
}

TEST(FilterParser, NotBindsTighterThanAndThanOr) {
    EXPECT_EQ(shape("a.b=1 or c.d=2 and e.f=3"), "(a.b = \"1\" or (c.d = \"2\" and e.f = \"3\"))");
    EXPECT_EQ(shape("a.b=1 and c.d=2 or e.f=3"), "((a.b = \"1\" and c.d = \"2\") or e.f = \"3\")");
    EXPECT_EQ(shape("not a.b=1 and c.d=2"), "(not a.b = \"1\" and c.d = \"2\")");
    EXPECT_EQ(shape("not (a.b=1 and c.d=2)"), "not (a.b = \"1\" and c.d = \"2\")");
    EXPECT_EQ(shape("not not a.b=1"), "a.b = \"1\"");
    EXPECT_EQ(shape("not(a.b=1)"), "not a.b = \"1\"");
    EXPECT_EQ(shape("a.b=1 and(c.d=2 or e.f=3)"), "(a.b = \"1\" and (c.d = \"2\" or e.f = \"3\"))");
    EXPECT_EQ(shape("a.b=1 or(c.d=2)"), "(a.b = \"1\" or c.d = \"2\")");
    EXPECT_EQ(shape("((a.b=1))"), "a.b = \"1\"");
    EXPECT_EQ(shape("a.b=1 and c.d=2 and e.f=3"), "(a.b = \"1\" and c.d = \"2\" and e.f = \"3\")");
}

TEST(FilterParser, FieldArgumentsAndTransformers) {
    EXPECT_EQ(shape("proc.aname[2]=bash"), "proc.aname[2] = \"bash\"");
    EXPECT_EQ(shape("evt.arg[\"a b\"]=x"), "evt.arg[a b] = \"x\"");
    EXPECT_EQ(shape("evt.arg.name=x"), "evt.arg.name = \"x\"");
    EXPECT_EQ(shape("evt.rawarg.size > 10"), "evt.rawarg.size > \"10\"");
    EXPECT_EQ(shape("tolower(proc.name)=bash"), "tolower(proc.name) = \"bash\"");
    EXPECT_EQ(shape("toupper( basename(fd.name) ) = X"), "toupper(basename(fd.name)) = \"X\"");
    EXPECT_EQ(shape("len(proc.name) > 3"), "len(proc.name) > \"3\"");
    EXPECT_EQ(shape("proc.name = val(proc.pname)"), "proc.name = val(proc.pname)");
    EXPECT_EQ(shape("proc.name=tolower(proc.pname)"), "proc.name = tolower(proc.pname)");
    EXPECT_EQ(shape("len(proc.name) > len(proc.pname)"), "len(proc.name) > len(proc.pname)");
    EXPECT_EQ(shape("proc.name in val(proc.args)"), "proc.name in val(proc.args)");
}

TEST(FilterParser, ModifiersNeedAListThatIsNotABooleanKeyword) {
    EXPECT_EQ(shape("proc.name = anyof (a, b)"), "proc.name = anyof (\"a\", \"b\")");
    EXPECT_EQ(shape("proc.name contains allof (a, b)"), "proc.name contains allof (\"a\", \"b\")");
    // "anyof" followed by "and" is just the value "anyof".
    EXPECT_EQ(shape("proc.name = anyof and a.b=1"), "(proc.name = \"anyof\" and a.b = \"1\")");
    EXPECT_EQ(shape("proc.name = oneof"), "proc.name = \"oneof\"");
}

TEST(FilterParser, QuotedStringsAndEscapes) {
    EXPECT_EQ(shape("proc.name = \"a b\""), "proc.name = \"a b\"");
    EXPECT_EQ(shape("proc.name = 'it\\'s'"), "proc.name = \"it's\"");
    EXPECT_EQ(unescape("\"a\\tb\\n\""), "a\tb\n");
    EXPECT_EQ(unescape("\"\\x41\\x7a\""), "Az");
    EXPECT_EQ(unescape("\"a\\/b\""), "a/b");
    EXPECT_EQ(unescape("\"a\\ b\""), "a\\b");  // the reference's tolerated mis-escape
    EXPECT_THROW(unescape("\"\\q\""), std::invalid_argument);
    EXPECT_THROW(unescape("\"\\'\""), std::invalid_argument);
    EXPECT_THROW(unescape("'\\\"'"), std::invalid_argument);
    EXPECT_THROW(unescape("\"\\x4\""), std::invalid_argument);
    EXPECT_THROW(unescape("\"\\xZZ\""), std::invalid_argument);
}

TEST(FilterParser, WordOperatorsNeedABlank) {
    EXPECT_NE(error_of("proc.name containsx"), "");
    EXPECT_NE(error_of("proc.name contains(x)"), "");
    EXPECT_EQ(shape("evt.type in(open)"), "evt.type in (\"open\")");
    EXPECT_EQ(shape("fd.num>=1"), "fd.num >= \"1\"");
}

TEST(FilterParser, ErrorsNameThePositionAndWhatWasExpected) {
    EXPECT_EQ(error_of("proc.name contains "),
              "filter error at column 20: expected a value after 'contains'");
    EXPECT_EQ(error_of("proc.name contains"),
              "filter error at column 11: expected a comparison operator: one of "
              "'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', "
              "'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', "
              "'endswith', 'regex', 'intersects', 'in', 'pmatch'");
    EXPECT_EQ(error_of(""), "filter error at column 1: the filter is empty");
    EXPECT_EQ(error_of("evt.type=open and"),
              "filter error at column 18: expected a blank or '(' after 'and'");
    EXPECT_EQ(error_of("evt.type=open and "),
              "filter error at column 19: unexpected end of filter: expected a '(', a field check or an "
              "identifier");
    EXPECT_EQ(error_of("(evt.type=open"), "filter error at column 15: expected ')'");
    EXPECT_EQ(error_of("fd.num > abc"),
              "filter error at column 10: expected a number or a field transformer after '>'");
    EXPECT_EQ(error_of("evt.type in (a,)"),
              "filter error at column 16: expected a value after ',' in the list");
    EXPECT_EQ(error_of("evt.type=open orx"), "filter error at column 17: expected a blank or '(' after 'or'");
    EXPECT_EQ(error_of("evt.type=open xyz"),
              "filter error at column 15: unexpected 'xyz': expected 'and', 'or' or the end");
    EXPECT_EQ(error_of("proc.aname[]=x"),
              "filter error at column 12: expected a field argument (a quoted or bare "
              "string) after '['");
    EXPECT_EQ(error_of("proc.name = val(x)"), "filter error at column 17: expected a field inside 'val('");
    EXPECT_EQ(error_of("a.b=1 and\nc.d"),
              "filter error at line 2, column 4: expected a comparison operator: one of "
              "'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', "
              "'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', "
              "'endswith', 'regex', 'intersects', 'in', 'pmatch'");
    EXPECT_EQ(error_of("proc.name = \"bad \\q\""),
              "filter error at column 13: unsupported escape sequence \\q");
}

TEST(FilterParser, ErrorCarriesStructuredPosition) {
    try {
        parse("evt.type=open and\n  proc.name contains ");
        FAIL() << "no error";
    } catch (const filter_error& e) {
        EXPECT_EQ(e.pos().line, 2u);
        EXPECT_EQ(e.pos().column, 22u);
        EXPECT_EQ(e.pos().offset, 39u);
        EXPECT_EQ(e.detail(), "expected a value after 'contains'");
    }
}

TEST(FilterParser, IdentifiersAndDepthLimit) {
    EXPECT_EQ(shape("my_macro and a.b=1"), "(my_macro and a.b = \"1\")");
    std::string deep(200, '(');
    deep += "a.b=1" + std::string(200, ')');
    EXPECT_NE(error_of(deep).find("nesting exceeds the limit"), std::string::npos);
    std::string ok(15, '(');  // each group costs several levels of recursion
    ok += "a.b=1" + std::string(15, ')');
    EXPECT_EQ(shape(ok), "a.b = \"1\"");
}

// to_filter_text is filter text again: integers bare, words with a backslash bare (the reference's
// lexer cannot read "\\" back), the rest quoted; parsing it gives the same tree.
TEST(FilterParser, FilterTextReadsBackAsTheSameTree) {
    const char* filters[] = {
        "fd.num >= 0 and evt.res < -1",
        "proc.args contains \"\\ \" or proc.args endswith \\",
        "evt.type in (open, \"c d\", 'x\"y') and not fd.name startswith /etc",
        "proc.name = \"\" or fd.name contains \"a,b\"",
        "fd.num > 0x1F or proc.pname in (and, or)",
        "proc.name = val(proc.pname) or fd.name exists",
    };
    for (const char* f : filters) {
        const std::string text = sinsp::filter::ast::to_filter_text(*parse(f));
        EXPECT_EQ(shape(text), shape(f)) << f << " -> " << text;
    }
    EXPECT_EQ(sinsp::filter::ast::to_filter_text(*parse("fd.num >= 10 and proc.args endswith \\")),
              "(fd.num >= 10 and proc.args endswith \\)");
}
