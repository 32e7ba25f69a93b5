// Operators per value type, against the mock registry's fields.
#include <gtest/gtest.h>

#include "filter_test_fields.h"

using namespace filter_test;

TEST(FilterOps, Strings) {
    mock_event e;  // proc.name = "loader"
    EXPECT_TRUE(eval("proc.name = loader", e));
    EXPECT_TRUE(eval("proc.name == loader", e));
    EXPECT_FALSE(eval("proc.name = load", e));
    EXPECT_TRUE(eval("proc.name != load", e));
    EXPECT_TRUE(eval("proc.name contains oad", e));
    EXPECT_FALSE(eval("proc.name contains OAD", e));
    EXPECT_TRUE(eval("proc.name icontains OAD", e));
    EXPECT_TRUE(eval("proc.name startswith load", e));
    EXPECT_FALSE(eval("proc.name startswith oad", e));
    EXPECT_TRUE(eval("proc.name endswith der", e));
    EXPECT_FALSE(eval("proc.name endswith loade", e));
    // Ordering operators take numbers or fields only; strings order byte-wise through val().
    EXPECT_FALSE(compiles("proc.name < abc"));
    e.pname = "loadez";
    EXPECT_TRUE(eval("proc.name < val(proc.pname)", e));
    EXPECT_TRUE(eval("proc.name <= val(proc.pname)", e));
    EXPECT_FALSE(eval("proc.name >= val(proc.pname)", e));
    e.pname = "load";
    EXPECT_TRUE(eval("proc.name > val(proc.pname)", e));
    EXPECT_TRUE(eval("proc.name in (bash, loader)", e));
    EXPECT_FALSE(eval("proc.name in (bash, load)", e));
    EXPECT_TRUE(eval("proc.name intersects (loader)", e));
    EXPECT_TRUE(eval("proc.name contains \"\"", e));
    EXPECT_FALSE(compiles("proc.name bcontains 6c"));
    EXPECT_FALSE(compiles("proc.name = \"a\\x00b\""));
}

TEST(FilterOps, GlobAndRegex) {
    mock_event e;
    EXPECT_TRUE(eval("proc.name glob 'lo*r'", e));
    EXPECT_TRUE(eval("proc.name glob lo?der", e));
    EXPECT_FALSE(eval("proc.name glob LO*", e));
    EXPECT_TRUE(eval("proc.name iglob LO*", e));
    EXPECT_TRUE(eval("fd.name glob '/opt/*/file.txt'", e));
    EXPECT_TRUE(eval("proc.name regex 'lo.*r'", e));
    EXPECT_FALSE(eval("proc.name regex 'oad'", e));  // anchored at both ends
    EXPECT_TRUE(eval("proc.name regex '[a-z]+'", e));
    EXPECT_NE(compile_error("proc.name regex '('").find("invalid regex pattern"), std::string::npos);
    EXPECT_FALSE(compiles("fd.num regex '1'"));
}

TEST(FilterOps, Pmatch) {
    mock_event e;  // fd.name = /opt/dir/subdir/file.txt
    EXPECT_TRUE(eval("fd.name pmatch (/opt/dir)", e));
    EXPECT_TRUE(eval("fd.name pmatch (/opt/dir/subdir)", e));
    EXPECT_FALSE(eval("fd.name pmatch (/opt/dir2)", e));
    EXPECT_TRUE(eval("fd.name pmatch (/opt/dir, /opt/dir2)", e));
    EXPECT_FALSE(eval("fd.name pmatch (/opt/dir3, /opt/dir2)", e));
    EXPECT_TRUE(eval("fd.name pmatch (/opt/*)", e));
    EXPECT_TRUE(eval("fd.name pmatch (/opt/*/subdir)", e));
    EXPECT_TRUE(eval("fd.name pmatch (/opt/di?/subdir)", e));
    EXPECT_FALSE(eval("fd.name pmatch (/opt/dii?/subdir)", e));
    EXPECT_TRUE(eval("fd.name pmatch (/opt/di[r]/subdir)", e));
    EXPECT_FALSE(eval("fd.name pmatch (/opt/di[!r]/subdir)", e));
    EXPECT_FALSE(eval("fd.name pmatch (/opt/di/subdir)", e));
    EXPECT_FALSE(eval("fd.name pmatch (/opt/*/subdir2)", e));
    EXPECT_TRUE(eval("fd.name pmatch (/opt/*/*)", e));
    EXPECT_FALSE(eval("fd.name pmatch (/opt/*/*/subsubdir)", e));
    EXPECT_FALSE(compiles("fd.name pmatch val(proc.name)"));
}

TEST(FilterOps, Numbers) {
    mock_event e;  // evt.num 42, evt.res -2, fd.num 3
    EXPECT_TRUE(eval("evt.num = 42", e));
    EXPECT_FALSE(eval("evt.num = 43", e));
    EXPECT_TRUE(eval("evt.num != 43", e));
    EXPECT_TRUE(eval("evt.num > 41 and evt.num < 43 and evt.num >= 42 and evt.num <= 42", e));
    EXPECT_TRUE(eval("evt.num in (1, 42)", e));
    EXPECT_FALSE(eval("evt.num in (1, 43)", e));
    EXPECT_TRUE(eval("evt.res < 0", e));
    EXPECT_TRUE(eval("evt.res = -2", e));
    EXPECT_TRUE(eval("evt.res > -3", e));
    EXPECT_TRUE(eval("fd.num in (3)", e));
    EXPECT_TRUE(eval("evt.ratio = 3", e));
    EXPECT_TRUE(eval("evt.ratio > 2", e));
    // Literals are decimal only, as in the reference (sscanf semantics).
    EXPECT_NE(compile_error("evt.num > 0x10").find("'0x10' is not a valid number"), std::string::npos);
    EXPECT_NE(compile_error("evt.num = abc"), "");
    EXPECT_EQ(compile_error("evt.num contains 4"),
              "filter error at column 1: 'contains' operator not supported for numeric fields");
    EXPECT_FALSE(compiles("evt.num glob 4*"));
    EXPECT_FALSE(compiles("evt.num pmatch (4)"));
}

TEST(FilterOps, PortsAcceptServiceNames) {
    mock_event e;
    e.sport = 443;
    EXPECT_TRUE(eval("fd.sport = 443", e));
    EXPECT_TRUE(eval("fd.sport in (80, 443)", e));
    EXPECT_TRUE(eval("fd.sport = https", e));
    EXPECT_FALSE(eval("fd.sport = ssh", e));
    EXPECT_FALSE(compiles("fd.sport = no-such-service-xyz"));
}

TEST(FilterOps, Bools) {
    mock_event e;
    EXPECT_TRUE(eval("evt.is_io = true", e));
    EXPECT_FALSE(eval("evt.is_io = false", e));
    EXPECT_TRUE(eval("evt.is_io != false", e));
    EXPECT_FALSE(compiles("evt.is_io = 1"));
    EXPECT_FALSE(compiles("evt.is_io > true"));
}

TEST(FilterOps, AddressesAndNetworks) {
    mock_event e;  // 192.168.1.10
    EXPECT_TRUE(eval("fd.sip = 192.168.1.10", e));
    EXPECT_FALSE(eval("fd.sip = 192.168.1.11", e));
    EXPECT_TRUE(eval("fd.sip != 192.168.1.11", e));
    EXPECT_TRUE(eval("fd.sip in (10.0.0.1, 192.168.1.10)", e));
    EXPECT_FALSE(eval("fd.sip = ::1", e));  // family differs: not equal
    EXPECT_TRUE(eval("fd.sip != ::1", e));
    EXPECT_TRUE(eval("fd.snet = 192.168.0.0/16", e));
    EXPECT_FALSE(eval("fd.snet = 192.169.0.0/16", e));
    EXPECT_TRUE(eval("fd.snet = 192.168.1.8/29", e));
    EXPECT_FALSE(eval("fd.snet = 192.168.1.0/29", e));
    EXPECT_TRUE(eval("fd.snet in (10.0.0.0/8, 192.168.1.0/24)", e));
    EXPECT_TRUE(eval("fd.snet != 10.0.0.0/8", e));
    EXPECT_FALSE(compiles("fd.snet = 192.168.1.1"));  // a network needs a prefix
    EXPECT_FALSE(compiles("fd.sip = 300.1.1.1"));
    EXPECT_FALSE(compiles("fd.sip contains 1"));
    EXPECT_FALSE(compiles("fd.snet = 10.0.0.0/33"));

    mock_event v6;
    uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    std::memcpy(v6.sip, addr, 16);
    v6.sip_len = 16;
    EXPECT_TRUE(eval("fd.sip = 2001:db8::1", v6));
    EXPECT_FALSE(eval("fd.sip = 2001:db8::2", v6));
    EXPECT_TRUE(eval("fd.snet = 2001:db8::/32", v6));
    EXPECT_FALSE(eval("fd.snet = 2001:db9::/32", v6));
    EXPECT_FALSE(eval("fd.snet = 10.0.0.0/8", v6));
}

TEST(FilterOps, ByteBuffers) {
    mock_event e;  // "hello\0world"
    EXPECT_TRUE(eval("evt.buffer bcontains 68656c6c6f", e));
    EXPECT_TRUE(eval("evt.buffer bcontains 656c6C", e));
    EXPECT_FALSE(eval("evt.buffer bcontains 20", e));
    EXPECT_TRUE(eval("evt.buffer bcontains 6f00776f", e));  // across the NUL
    EXPECT_TRUE(eval("evt.buffer bstartswith 68", e));
    EXPECT_FALSE(eval("evt.buffer bstartswith 65", e));
    EXPECT_TRUE(eval("evt.buffer = \"hello\\x00world\"", e));
    EXPECT_FALSE(eval("evt.buffer = hello", e));
    EXPECT_TRUE(eval("evt.buffer contains world", e));
    EXPECT_TRUE(eval("evt.buffer startswith hello", e));
    EXPECT_TRUE(eval("evt.buffer endswith world", e));
    EXPECT_FALSE(compiles("evt.buffer bcontains 2"));
    EXPECT_FALSE(compiles("evt.buffer bcontains 2g"));
    EXPECT_FALSE(compiles("evt.buffer bstartswith xyz1"));
    EXPECT_FALSE(compiles("evt.buffer glob x*"));
}

TEST(FilterOps, ListFields) {
    mock_event e;  // proc.args = (-l, -a), evt.codes = (1, 2, 3)
    EXPECT_TRUE(eval("proc.args in (-l, -a, -h)", e));
    EXPECT_FALSE(eval("proc.args in (-l)", e));
    EXPECT_TRUE(eval("proc.args intersects (-l)", e));
    EXPECT_FALSE(eval("proc.args intersects (-x, -y)", e));
    EXPECT_TRUE(eval("evt.codes in (1, 2, 3, 4)", e));
    EXPECT_TRUE(eval("evt.codes intersects (3)", e));
    EXPECT_FALSE(eval("evt.codes intersects (5)", e));
    EXPECT_TRUE(eval("proc.args exists", e));
    EXPECT_EQ(compile_error("proc.args = -l"),
              "filter error at column 1: '=' operator not supported on list fields (only 'in', 'intersects', "
              "'exists')");
    EXPECT_FALSE(compiles("proc.args contains l"));
    mock_event empty;
    empty.args.clear();
    EXPECT_TRUE(eval("proc.args in (x)", empty));  // vacuously: every value is listed
    EXPECT_FALSE(eval("proc.args intersects (x)", empty));
}

TEST(FilterOps, ExistsAndMissingFields) {
    mock_event e;
    EXPECT_TRUE(eval("fd.name exists", e));
    e.has_fd = false;
    EXPECT_FALSE(eval("fd.name exists", e));
    EXPECT_FALSE(eval("fd.name = x", e));
    EXPECT_FALSE(eval("fd.name != x", e));  // no value: no comparison matches
    EXPECT_TRUE(eval("not fd.name exists", e));
}

TEST(FilterOps, Modifiers) {
    mock_event e;  // loader
    EXPECT_TRUE(eval("proc.name = anyof (bash, loader)", e));
    EXPECT_FALSE(eval("proc.name = anyof (bash, sh)", e));
    EXPECT_TRUE(eval("proc.name contains allof (lo, der)", e));
    EXPECT_FALSE(eval("proc.name contains allof (lo, xyz)", e));
    EXPECT_TRUE(eval("proc.name contains oneof (lo, xyz)", e));
    EXPECT_FALSE(eval("proc.name contains oneof (lo, der)", e));
    EXPECT_TRUE(eval("proc.name != allof (a, b)", e));
    EXPECT_TRUE(eval("proc.name regex anyof ('x.*', 'l.*')", e));
    EXPECT_FALSE(eval("proc.name regex allof ('x.*', 'l.*')", e));
    EXPECT_FALSE(eval("proc.name = anyof ()", e));
}

TEST(FilterOps, FieldArguments) {
    mock_event e;
    EXPECT_TRUE(eval("proc.aname[2] = sshd", e));
    EXPECT_TRUE(eval("proc.aname = bash", e));
    EXPECT_FALSE(eval("proc.aname[9] exists", e));
    EXPECT_TRUE(eval("evt.arg[fd] = arg:fd", e));
    EXPECT_TRUE(eval("evt.arg.name = arg:name", e));
    EXPECT_TRUE(eval("evt.arg['a b'] = 'arg:a b'", e));
    EXPECT_EQ(compile_error("evt.arg = x"), "filter error at column 1: field 'evt.arg' requires an argument");
    EXPECT_EQ(compile_error("proc.name[1] = x"),
              "filter error at column 1: field 'proc.name' does not take an argument");
    EXPECT_EQ(compile_error("proc.nope = x"), "filter error at column 1: unknown field 'proc.nope'");
    EXPECT_EQ(compile_error("evt.type=open and nomacro"),
              "filter error at column 19: unexpected identifier 'nomacro' (macros must be expanded before "
              "compiling)");
}

TEST(FilterOps, BooleanLogicAndShortCircuit) {
    mock_event e;
    EXPECT_TRUE(eval("evt.type=openat and proc.name contains load and not fd.name startswith /proc", e));
    EXPECT_FALSE(eval("evt.type=openat and proc.name contains load and not fd.name startswith /opt", e));
    EXPECT_TRUE(eval("evt.type=open or proc.name=loader", e));
    EXPECT_FALSE(eval("evt.type=open or proc.name=bash", e));
    EXPECT_TRUE(eval("not (evt.type=open or proc.name=bash)", e));
    EXPECT_TRUE(eval("evt.num=1 or evt.num=42 and proc.name=loader", e));
    EXPECT_FALSE(eval("(evt.num=1 or evt.num=42) and proc.name=bash", e));
}

TEST(FilterOps, EvtTypeFastPathAgreesWithNameComparison) {
    for (uint16_t type :
         {uint16_t(PPME_SYSCALL_OPENAT_2_X), uint16_t(PPME_SYSCALL_OPEN_X), uint16_t(PPME_GENERIC_X)}) {
        mock_event e;
        e.type = type;
        for (const char* f : {"evt.type = openat", "evt.type != openat", "evt.type in (open, openat)",
                              "not evt.type in (open)", "evt.type = open or evt.type = syscall"}) {
            EXPECT_EQ(eval(f, e, true), eval(f, e, false)) << f << " type " << type;
        }
    }
}

TEST(FilterOps, CheapOperandsAreEvaluatedFirst) {
    mock_fields fields;
    auto f = compile("proc.name regex 'l.*' and proc.name contains load and evt.type=openat", fields);
    EXPECT_EQ(f->describe(),
              "(evt.type = \"openat\" and proc.name contains \"load\" and proc.name regex \"l.*\")");
    auto g = compile("fd.name glob '/x*' or evt.num = 1", fields);
    EXPECT_EQ(g->describe(), "(evt.num = \"1\" or fd.name glob \"/x*\")");
}

TEST(FilterOps, AcceptAll) {
    mock_event e;
    EXPECT_TRUE(accept_all()->matches(as_ctx(e)));
    EXPECT_TRUE(accept_all()->event_codes()[PPME_SYSCALL_OPEN_X]);
}
