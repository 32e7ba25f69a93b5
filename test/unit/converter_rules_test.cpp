// Converter behaviour per rule family, on synthetic old-format events.
#include <gtest/gtest.h>

#include "converter/converter.h"
#include "event_builder.h"

using scap::converter;
using namespace scap::test;

namespace {

struct result {
    converter::outcome oc;
    const scap::event_header* out = nullptr;
};

result run(converter& c, const bytes& ev) {
    result r;
    r.oc = c.convert(hdr(ev), &r.out);
    return r;
}

uint16_t type_of(const scap::event_header* e) {
    return scap::event_view(e).type();
}
uint32_t nparams_of(const scap::event_header* e) {
    return scap::event_view(e).nparams();
}

}  // namespace

TEST(ConverterPass, CurrentEventIsReturnedUntouched) {
    converter c;
    const bytes ev = event_builder(PPME_SYSCALL_READ_X)
                         .num<int64_t>(5)
                         .param({1, 2, 3, 4, 5})
                         .num<int64_t>(3)
                         .num<uint32_t>(5)
                         .build();
    const result r = run(c, ev);
    EXPECT_EQ(r.oc, converter::outcome::pass);
    EXPECT_EQ(r.out, hdr(ev));  // same pointer: no copy on the hot path
    EXPECT_EQ(c.stats().passed, 1u);
    EXPECT_EQ(c.stats().converted, 0u);
}

TEST(ConverterStoreMerge, EnterParamsAreMergedIntoExit) {
    converter c;
    const bytes enter = event_builder(PPME_SYSCALL_READ_E, 7).num<int64_t>(3).num<uint32_t>(4096).build();
    const bytes exit = event_builder(PPME_SYSCALL_READ_X, 7, 200).num<int64_t>(2).param({'h', 'i'}).build();

    EXPECT_EQ(run(c, enter).oc, converter::outcome::consumed);
    EXPECT_EQ(c.stats().enter_stored, 1u);
    const result r = run(c, exit);
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    EXPECT_EQ(type_of(r.out), PPME_SYSCALL_READ_X);
    ASSERT_EQ(nparams_of(r.out), 4u);
    EXPECT_EQ(param_bytes(r.out, 0), val<int64_t>(2));
    EXPECT_EQ(param_bytes(r.out, 1), (bytes{'h', 'i'}));
    EXPECT_EQ(param_bytes(r.out, 2), val<int64_t>(3));      // fd from the enter
    EXPECT_EQ(param_bytes(r.out, 3), val<uint32_t>(4096));  // size from the enter
    EXPECT_EQ(scap::event_view(r.out).ts(), 200u);          // the exit's header is kept
    EXPECT_EQ(scap::event_view(r.out).tid(), 7u);
    EXPECT_EQ(scap::event_view(r.out).len(), 26u + 4 * 2 + 8 + 2 + 8 + 4);
    EXPECT_EQ(c.stored_enters(), 0u);  // the exit consumed it
}

TEST(ConverterMissingEnter, EnterParamsGetTypedDefaults) {
    converter c;
    const bytes exit = event_builder(PPME_SYSCALL_READ_X).num<int64_t>(-11).param({}).build();
    const result r = run(c, exit);
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    ASSERT_EQ(nparams_of(r.out), 4u);
    EXPECT_EQ(param_bytes(r.out, 2), val<int64_t>(0));
    EXPECT_EQ(param_bytes(r.out, 3), val<uint32_t>(0));
    EXPECT_EQ(c.stats().missing_enter, 1u);
}

TEST(ConverterMissingEnter, ListedExitsFallBackToEmpty) {
    converter c;
    const bytes exit = event_builder(PPME_SYSCALL_SETRESUID_X).num<int64_t>(0).build();
    const result r = run(c, exit);
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    ASSERT_EQ(nparams_of(r.out), 4u);
    for (uint32_t i = 1; i < 4; ++i) EXPECT_TRUE(param_bytes(r.out, i).empty()) << i;
}

TEST(ConverterChangeType, OldExitBecomesCurrentExitWithEnterParams) {
    converter c;
    ASSERT_EQ(run(c, event_builder(PPME_SYSCALL_UNLINK_E).text("/tmp/x").build()).oc,
              converter::outcome::consumed);
    const result r = run(c, event_builder(PPME_SYSCALL_UNLINK_X).num<int64_t>(0).build());
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    EXPECT_EQ(type_of(r.out), PPME_SYSCALL_UNLINK_2_X);
    ASSERT_EQ(nparams_of(r.out), 2u);
    EXPECT_EQ(param_bytes(r.out, 0), val<int64_t>(0));
    EXPECT_EQ(param_bytes(r.out, 1), str("/tmp/x"));
}

TEST(ConverterAddParams, MissingTrailingParamsAreEmptyOrDefault) {
    converter c;
    // open exit from before dev/ino existed: both come back empty.
    const bytes open = event_builder(PPME_SYSCALL_OPEN_X)
                           .num<int64_t>(3)
                           .text("/etc/passwd")
                           .num<uint32_t>(1)
                           .num<uint32_t>(0644)
                           .build();
    result r = run(c, open);
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    ASSERT_EQ(nparams_of(r.out), 6u);
    EXPECT_EQ(param_bytes(r.out, 1), str("/etc/passwd"));
    EXPECT_TRUE(param_bytes(r.out, 4).empty());
    EXPECT_TRUE(param_bytes(r.out, 5).empty());

    // fcntl exit without arg: the reference gives the type's default (8 zero bytes), not empty.
    const bytes fcntl =
        event_builder(PPME_SYSCALL_FCNTL_X).num<int64_t>(0).num<int64_t>(4).num<uint8_t>(1).build();
    r = run(c, fcntl);
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    ASSERT_EQ(nparams_of(r.out), 4u);
    EXPECT_EQ(param_bytes(r.out, 3), val<uint64_t>(0));
}

TEST(ConverterDrop, UnusedAndUnmanagedOldEntersAreConsumed) {
    converter c;
    EXPECT_EQ(run(c, event_builder(PPME_SYSCALL_CLONE_11_E).build()).oc, converter::outcome::consumed);
    EXPECT_EQ(run(c, event_builder(PPME_PROCEXIT_X).build()).oc, converter::outcome::consumed);
    EXPECT_EQ(c.stats().dropped, 2u);
}

TEST(ConverterErrors, MoreParamsThanTheSchemaIsAnError) {
    converter c;
    event_builder b(PPME_SYSCALL_READ_X);
    for (int i = 0; i < 5; ++i) b.num<int64_t>(i);
    const bytes ev = b.build();
    const result r = run(c, ev);
    EXPECT_EQ(r.oc, converter::outcome::error);
    EXPECT_NE(c.last_error().find("more than"), std::string::npos) << c.last_error();
    EXPECT_EQ(c.stats().errors, 1u);
}

TEST(ConverterErrors, StoredEnterOfAnotherSyscallIsAnError) {
    converter c;
    run(c, event_builder(PPME_SYSCALL_CLOSE_E, 9).num<int64_t>(3).build());
    const result r = run(c, event_builder(PPME_SYSCALL_READ_X, 9).num<int64_t>(1).param({'a'}).build());
    EXPECT_EQ(r.oc, converter::outcome::error);
    EXPECT_NE(c.last_error().find("close_E"), std::string::npos) << c.last_error();
}

TEST(ConverterChain, ContainerEventGoesThroughJsonToCurrentVersion) {
    converter c;
    const bytes ev = event_builder(PPME_CONTAINER_E)
                         .text("abc123")
                         .num<uint32_t>(1)
                         .text("web")
                         .text("nginx:latest")
                         .build();
    const result r = run(c, ev);
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    EXPECT_EQ(type_of(r.out), PPME_CONTAINER_JSON_2_E);  // two steps: fields -> json -> large json
    ASSERT_EQ(nparams_of(r.out), 1u);
    EXPECT_EQ(param_bytes(r.out, 0), str(R"({"id":"abc123","type":1,"name":"web","image":"nginx:latest"})"));
}

TEST(ConverterChain, OldExecveBecomesTheCurrentVersion) {
    converter c;
    const result e = run(c, event_builder(PPME_SYSCALL_EXECVE_8_E, 5).build());
    // Exit-only: the enter is upgraded to the last enter version and kept, never delivered.
    ASSERT_EQ(e.oc, converter::outcome::consumed) << c.last_error();
    EXPECT_EQ(c.stored_enters(), 1u);

    event_builder x(PPME_SYSCALL_EXECVE_8_X, 5);
    x.num<int64_t>(0).text("/bin/ls").param(str("-l")).num<int64_t>(5).num<int64_t>(5).num<int64_t>(1);
    x.text("/home").num<int64_t>(1024);
    const result r = run(c, x.build());
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    EXPECT_EQ(type_of(r.out), PPME_SYSCALL_EXECVE_19_X);
    EXPECT_EQ(nparams_of(r.out), scap_event_table[PPME_SYSCALL_EXECVE_19_X].nparams);
    EXPECT_EQ(param_bytes(r.out, 1), str("/bin/ls"));
    EXPECT_EQ(param_bytes(r.out, 6), str("/home"));
    EXPECT_EQ(param_bytes(r.out, 7), val<int64_t>(1024));
    for (uint32_t i = 8; i < nparams_of(r.out); ++i) EXPECT_TRUE(param_bytes(r.out, i).empty()) << i;
}

TEST(ConverterThreads, InterleavedThreadsKeepTheirOwnEnter) {
    converter c;
    run(c, event_builder(PPME_SYSCALL_READ_E, 1).num<int64_t>(10).num<uint32_t>(100).build());
    run(c, event_builder(PPME_SYSCALL_READ_E, 2).num<int64_t>(20).num<uint32_t>(200).build());
    EXPECT_EQ(c.stored_enters(), 2u);
    const bytes x2 = event_builder(PPME_SYSCALL_READ_X, 2).num<int64_t>(0).param({}).build();
    result r = run(c, x2);
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    EXPECT_EQ(param_bytes(r.out, 2), val<int64_t>(20));
    EXPECT_EQ(param_bytes(r.out, 3), val<uint32_t>(200));
    const bytes x1 = event_builder(PPME_SYSCALL_READ_X, 1).num<int64_t>(0).param({}).build();
    r = run(c, x1);
    ASSERT_EQ(r.oc, converter::outcome::converted) << c.last_error();
    EXPECT_EQ(param_bytes(r.out, 2), val<int64_t>(10));
    EXPECT_EQ(param_bytes(r.out, 3), val<uint32_t>(100));
    // A second exit on thread 1 finds no enter any more.
    r = run(c, x1);
    ASSERT_EQ(r.oc, converter::outcome::converted);
    EXPECT_EQ(param_bytes(r.out, 2), val<int64_t>(0));
    EXPECT_EQ(c.stats().missing_enter, 1u);
}

// The reference still hands a few enter events to its inspector, which numbers them (evt.num) and
// hides them; the converter counts the ones it consumes so the next event's number can agree.
TEST(ConverterNumbering, EntersTheReferenceNumbersAreCountedOnce) {
    converter c;
    EXPECT_EQ(c.take_numbered_enters(), 0u);
    // open's enter (numbered there) and read's (dropped there before numbering).
    run(c,
        event_builder(PPME_SYSCALL_OPEN_E, 3).text("/etc/passwd").num<uint32_t>(1).num<uint32_t>(0).build());
    run(c, event_builder(PPME_SYSCALL_READ_E, 4).num<int64_t>(3).num<uint32_t>(10).build());
    // An old execve enter becomes the numbered version before it is stored.
    run(c, event_builder(PPME_SYSCALL_EXECVE_8_E, 5).build());
    EXPECT_EQ(c.take_numbered_enters(), 2u);
    EXPECT_EQ(c.take_numbered_enters(), 0u);  // taken: counted once
    // Exits and current events are never counted.
    const bytes ev = event_builder(PPME_SYSCALL_READ_X)
                         .num<int64_t>(5)
                         .param({1})
                         .num<int64_t>(3)
                         .num<uint32_t>(5)
                         .build();
    run(c, ev);
    EXPECT_EQ(c.take_numbered_enters(), 0u);
}
