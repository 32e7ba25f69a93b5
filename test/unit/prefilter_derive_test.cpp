// The in-kernel pre-filter's derivation (proposal 0011): the conditions derived for known filters,
// and soundness on real captures: every event a filter matches passes its event code's rule, as
// the driver would evaluate it.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "field_probe.h"
#include "prefilter_test_support.h"
#include "scap/prefilter.h"
#include "sinsp/filter.h"
#include "sinsp/filter_parser.h"
#include "sinsp/prefilter.h"

namespace {

using prefilter_test::exact;
using prefilter_test::return_value;
using prefilter_test::rule_of;

constexpr int64_t k_min = std::numeric_limits<int64_t>::min();
constexpr int64_t k_max = std::numeric_limits<int64_t>::max();

scap::prefilter derive(const std::string& text) {
    sinsp::field_catalog catalog;
    auto compiled = sinsp::filter::compile(text, catalog);
    return sinsp::derive_prefilter(*sinsp::filter::parse(text), compiled->event_codes());
}

// The state's events are never constrained, whatever the filter says.
TEST(PrefilterDerive, StateEventsAlwaysPass) {
    const auto& state = sinsp::prefilter_state_events();
    for (uint16_t code : {PPME_SYSCALL_OPENAT_2_X, PPME_SYSCALL_CLOSE_X, PPME_SYSCALL_EXECVE_19_X,
                          PPME_SYSCALL_CLONE_20_X, PPME_SOCKET_SOCKET_X, PPME_SYSCALL_DUP_1_X})
        EXPECT_TRUE(state[code]) << scap_event_table[code].name;
    EXPECT_FALSE(state[PPME_SYSCALL_READ_X]);
    const auto pf = derive("evt.failed=true and evt.type=openat");
    EXPECT_TRUE(rule_of(pf, PPME_SYSCALL_OPENAT_2_X).accepts_all());
    EXPECT_TRUE(derive("fd.name startswith /etc and evt.type in (open, openat)").rule(PPME_SYSCALL_OPEN_X) ==
                nullptr);
}

TEST(PrefilterDerive, CommAndTypePerEventCode) {
    const auto pf = derive("proc.name=nginx and evt.type=read");
    EXPECT_EQ(rule_of(pf, PPME_SYSCALL_READ_X).comms, exact({"nginx"}));
    EXPECT_FALSE(rule_of(pf, PPME_SYSCALL_READ_X).never);
    // Another type the selection would also keep: the filter cannot match it.
    EXPECT_TRUE(rule_of(pf, PPME_SYSCALL_WRITE_X).never);

    const auto two =
        derive("(evt.type=read and proc.name=a) or (evt.type=write and proc.name startswith bb)");
    EXPECT_EQ(rule_of(two, PPME_SYSCALL_READ_X).comms, exact({"a"}));
    ASSERT_EQ(rule_of(two, PPME_SYSCALL_WRITE_X).comms.size(), 1u);
    EXPECT_TRUE(rule_of(two, PPME_SYSCALL_WRITE_X).comms[0].prefix);
    EXPECT_EQ(rule_of(two, PPME_SYSCALL_WRITE_X).comms[0].text, "bb");
}

TEST(PrefilterDerive, OrOfSameFieldIsASetOtherwiseNothing) {
    EXPECT_EQ(
        rule_of(derive("evt.type=read and (proc.name=a or proc.name in (b, c))"), PPME_SYSCALL_READ_X).comms,
        exact({"a", "b", "c"}));
    EXPECT_TRUE(rule_of(derive("evt.type=read and (proc.name=a or thread.tid=5)"), PPME_SYSCALL_READ_X)
                    .accepts_all());
    const auto& r =
        rule_of(derive("evt.type=read and (thread.tid=5 or thread.tid in (6, 7))"), PPME_SYSCALL_READ_X);
    EXPECT_EQ(r.tids, (std::vector<uint32_t>{5, 6, 7}));
    // Equal names on both sides of an `and` that cannot both hold.
    EXPECT_TRUE(rule_of(derive("evt.type=read and proc.name=a and proc.name=b"), PPME_SYSCALL_READ_X).never);
    EXPECT_EQ(
        rule_of(derive("evt.type=read and proc.name in (a, b) and proc.name in (b, c)"), PPME_SYSCALL_READ_X)
            .comms,
        exact({"b"}));
}

TEST(PrefilterDerive, NegationIsSound) {
    EXPECT_TRUE(rule_of(derive("evt.type=read and not proc.name=a"), PPME_SYSCALL_READ_X).accepts_all());
    EXPECT_TRUE(rule_of(derive("evt.type=read and proc.name!=a"), PPME_SYSCALL_READ_X).accepts_all());
    const auto& ok = rule_of(derive("evt.type=read and not evt.failed=true"), PPME_SYSCALL_READ_X);
    EXPECT_EQ(ok.ret_min, 0);
    EXPECT_EQ(ok.ret_max, k_max);
    // not (a or b) = not a and not b.
    const auto& both =
        rule_of(derive("evt.type=read and not (evt.failed=false or proc.name=x)"), PPME_SYSCALL_READ_X);
    EXPECT_EQ(both.ret_max, -1);
    EXPECT_TRUE(both.comms.empty());
    // not (a and b) = not a or not b: nothing.
    EXPECT_TRUE(
        rule_of(derive("evt.type=read and not (evt.failed=false and proc.name=x)"), PPME_SYSCALL_READ_X)
            .accepts_all());
    EXPECT_TRUE(rule_of(derive("not evt.type=read"), PPME_SYSCALL_READ_X).never);
}

TEST(PrefilterDerive, ReturnValueAtoms) {
    const auto r = [](const char* f) { return rule_of(derive(f), PPME_SYSCALL_READ_X); };
    EXPECT_EQ(r("evt.type=read and evt.rawres > 0").ret_min, 1);
    // Decimal, as the filter compiler reads it.
    EXPECT_EQ(r("evt.type=read and evt.rawres = 010").ret_min, 10);
    EXPECT_EQ(r("evt.type=read and evt.rawres = 010").ret_max, 10);
    EXPECT_EQ(r("evt.type=read and not evt.rawres > 0").ret_max, 0);
    EXPECT_EQ(r("evt.type=read and evt.rawres in (-2, 5)").ret_min, -2);
    EXPECT_EQ(r("evt.type=read and evt.rawres in (-2, 5)").ret_max, 5);
    EXPECT_EQ(r("evt.type=read and evt.res != SUCCESS").ret_max, -1);
    EXPECT_EQ(r("evt.type=read and evt.res = ENOENT").ret_max, -1);
    EXPECT_EQ(r("evt.type=read and evt.res = SUCCESS").ret_min, 0);
    EXPECT_TRUE(r("evt.type=read and evt.res in (SUCCESS, EAGAIN)").accepts_all());
    EXPECT_TRUE(r("evt.type=read and (evt.failed=true or evt.rawres > 10) and evt.rawres < 0").ret_max == -1);
    // A hull, not a union: still implied.
    const auto& hull = r("evt.type=read and (evt.rawres=-1 or evt.rawres=4)");
    EXPECT_EQ(hull.ret_min, -1);
    EXPECT_EQ(hull.ret_max, 4);
    EXPECT_TRUE(r("evt.type=read and evt.rawres > 5 and evt.rawres < 3").never);
    EXPECT_TRUE(r("evt.type=read and evt.rawres != 0").accepts_all());
    EXPECT_TRUE(r("evt.type=read and evt.failed exists").accepts_all());
}

TEST(PrefilterDerive, CommLengthLimits) {
    const auto r = [](const char* f) { return rule_of(derive(f), PPME_SYSCALL_READ_X); };
    // 16 characters cannot be a kernel comm; the condition is dropped rather than relied on.
    EXPECT_TRUE(r("evt.type=read and proc.name=abcdefghijklmnop").accepts_all());
    EXPECT_EQ(r("evt.type=read and proc.name=abcdefghijklmno").comms, exact({"abcdefghijklmno"}));
    const auto& pre = r("evt.type=read and proc.name startswith abcdefghijklmnopq");
    ASSERT_EQ(pre.comms.size(), 1u);
    EXPECT_EQ(pre.comms[0].text, "abcdefghijklmno");
    EXPECT_TRUE(r("evt.type=read and proc.name in (a,b,c,d,e,f,g,h,i)").accepts_all());
    EXPECT_TRUE(r("evt.type=read and proc.name in (a, \"\")").accepts_all());
    EXPECT_TRUE(r("evt.type=read and tolower(proc.name) = a").accepts_all());
    EXPECT_TRUE(r("evt.type=read and proc.name contains a").accepts_all());
    EXPECT_TRUE(r("evt.type=read and proc.name = val(proc.pname)").accepts_all());
}

TEST(PrefilterDerive, GenericEventsIgnoreTheirTypeName) {
    // Generic events' evt.type is the syscall's name, not the event's: only other atoms count.
    const auto pf = derive("evt.type=getpid and proc.pid=42");
    const auto& g = rule_of(pf, PPME_GENERIC_X);
    EXPECT_FALSE(g.never);
    EXPECT_EQ(g.pids, (std::vector<uint32_t>{42}));
}

TEST(PrefilterDerive, UserspaceEvaluator) {
    scap::prefilter_rule r;
    r.ret_min = 0;
    r.comms = {{"ngi", true}, {"cat", false}};
    r.pids = {7};
    EXPECT_TRUE(scap::prefilter_passes(r, 3, 1, 7, "nginx"));
    EXPECT_TRUE(scap::prefilter_passes(r, 0, 1, 7, "cat"));
    EXPECT_FALSE(scap::prefilter_passes(r, 0, 1, 7, "cats"));
    EXPECT_FALSE(scap::prefilter_passes(r, -2, 1, 7, "nginx"));
    EXPECT_FALSE(scap::prefilter_passes(r, 0, 1, 8, "nginx"));
    r.never = true;
    EXPECT_FALSE(scap::prefilter_passes(r, 3, 1, 7, "nginx"));
}

struct soundness_case {
    const char* capture;
    const char* filter;
    bool expect_drops;  // the rules reject some events of the capture
};

TEST(PrefilterDerive, EveryMatchPassesOnRealCaptures) {
    const char* mixed = "reference_mixed_2M.scap.gz";
    const soundness_case cases[] = {
        {"falco_cat_write.scap", "proc.name=cat and evt.type=read", true},
        {"falco_cat_write.scap", "evt.failed=true and evt.type=access", true},
        {"falco_cat_write.scap", "fd.name startswith /etc and evt.type in (open, openat)", true},
        {"falco_cat_write.scap", "(evt.type=read and proc.name=cat) or (evt.type=fstat and proc.name=bash)",
         true},
        {"falco_cat_write.scap", "not (evt.failed=false or proc.name=bash)", true},
        {"falco_cat_write.scap", "evt.rawres > 0 and evt.type in (read, mmap)", true},
        {"falco_cat_write.scap", "thread.tid=20072 or proc.pid=20072", false},
        {"falco_cat_write.scap", "evt.type=read and (thread.tid=20072 or proc.pid=20072)", true},
        {"libs_curl_google.scap", "proc.name in (curl, bash) and evt.type in (read, write, sendto, recvfrom)",
         true},
        {"libs_curl_google.scap", "not evt.failed=true and proc.name startswith cu", true},
        {"libs_curl_google.scap", "evt.res != SUCCESS", true},
        {"libs_curl_google.scap", "evt.type=access and evt.rawres < 0", true},
        {"libs_curl_google.scap", "evt.type=poll and not evt.rawres <= 0", true},
        {"libs_curl_google.scap", "evt.res=ENOENT or evt.res=EACCES", true},
        {"falco_open-multiple-files.scap", "proc.name startswith pyth and evt.type != open", true},
        {"libs_test_ipv6_client.scap", "proc.name=test_ipv6_clien and evt.type in (connect, sendto, write)",
         true},
        {"libs_test_ipv6_client.scap", "evt.failed=true and not proc.name in (bash, sshd)", true},
        {mixed, "proc.name=bash and evt.type=read", true},
        {mixed, "evt.failed=true and evt.type in (access, read, write)", true},
        {mixed, "(evt.type=read and proc.name=true) or (evt.type=write and proc.name startswith mixed)",
         true},
        {mixed, "evt.rawres > 100 and evt.type=read and not proc.name=apt-cache", true},
    };
    for (const soundness_case& c : cases) {
        SCOPED_TRACE(std::string(c.capture) + ": " + c.filter);
        const scap::prefilter pf = derive(c.filter);
        sinsp::inspector insp;
        sinsp::field_catalog catalog;
        auto flt = sinsp::filter::compile(c.filter, catalog);
        size_t matched = 0, rejected = 0, unsound = 0;
        scap_test::for_each_event(insp, c.capture, [&](const sinsp::event& e) {
            const scap::prefilter_rule* r = pf.rule(e.type());
            const sinsp::event_context ctx{&e, &insp};
            const bool match = flt->matches(ctx);
            matched += match;
            if (!r) return;
            scap::prefilter_rule check = *r;
            int64_t ret = 0;
            if (!return_value(e.view, ret)) {
                check.ret_min = k_min;
                check.ret_max = k_max;
            }
            const std::string comm = e.thread ? std::string(insp.str(e.thread->comm)) : std::string();
            const uint32_t pid = e.thread && e.thread->pid >= 0 ? static_cast<uint32_t>(e.thread->pid) : 0;
            const bool passes = scap::prefilter_passes(check, ret, static_cast<uint32_t>(e.tid()), pid, comm);
            rejected += !passes;
            if (match && !passes) {
                ++unsound;
                ADD_FAILURE() << "event " << e.num << " (" << e.view.info().name
                              << ") matches but its rule rejects it: " << pf.describe();
            }
        });
        EXPECT_GT(matched, 0u);
        EXPECT_EQ(unsound, 0u);
        if (c.expect_drops)
            EXPECT_GT(rejected, 0u);
        else
            EXPECT_EQ(rejected, 0u);
    }
}

}  // namespace
