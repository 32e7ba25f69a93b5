// The derived + overridden rule table covers the whole schema, and every rule lands on a current
// event when run on a synthetic event of its key.
#include <gtest/gtest.h>

#include <string>

#include "converter/converter.h"
#include "converter/param_sizes.h"
#include "converter/rules.h"
#include "event_builder.h"

using namespace scap::conv;
using namespace scap::test;

namespace {

bool flag(uint16_t t, uint32_t f) {
    return (scap_event_table[t].flags & f) != 0;
}

// An event of type t with n parameters of plausible size for their types.
bytes synthetic(uint16_t t, uint32_t n, uint64_t tid) {
    event_builder b(t, tid);
    for (uint32_t i = 0; i < n; ++i) {
        const int f = fixed_size(scap_event_table[t].params[i].type);
        if (f > 0)
            b.param(bytes(static_cast<size_t>(f), static_cast<uint8_t>(i + 1)));
        else
            b.text("p" + std::to_string(i));
    }
    return b.build();
}

// Delivered events must be current: all their parameters, and either not an old version or an
// enter event the table deliberately delivers (the last execve enter, execveat's enter).
void expect_current(const scap::event_header* e, const rule_table& t, const std::string& what) {
    const scap::event_view v(e);
    EXPECT_EQ(v.nparams(), scap_event_table[v.type()].nparams) << what;
    if (flag(v.type(), EF_OLD_VERSION)) {
        const rule* r = t.find(v.type(), v.nparams());
        ASSERT_NE(r, nullptr) << what;
        EXPECT_TRUE(r->act == action::pass || r->act == action::store_and_pass) << what;
    }
}

}  // namespace

TEST(ConverterTable, EveryManagedEnterAndOldVersionHasARule) {
    const rule_table& t = rule_table::get();
    int checked = 0;
    for (uint16_t ty = 0; ty < PPM_EVENT_MAX; ++ty) {
        if (flag(ty, EF_UNUSED)) continue;
        if (flag(ty, EF_OLD_VERSION) && !flag(ty, EF_CONVERTER_MANAGED)) {
            // Unmanaged old versions must be enters (dropped); an exit would be a schema bug.
            EXPECT_TRUE(is_enter_code(ty)) << scap_event_table[ty].name << " " << ty;
            continue;
        }
        if (!flag(ty, EF_CONVERTER_MANAGED)) continue;
        if (is_enter_code(ty) || flag(ty, EF_OLD_VERSION)) {
            EXPECT_NE(t.find(ty, scap_event_table[ty].nparams), nullptr)
                << scap_event_table[ty].name << " " << ty;
            ++checked;
        }
    }
    EXPECT_GT(checked, 100);
}

TEST(ConverterTable, EveryRuleEndsOnACurrentEvent) {
    const rule_table& t = rule_table::get();
    int rules = 0;
    t.for_each([&](uint16_t ty, uint32_t n, const rule& r) {
        ++rules;
        const std::string what = std::string(scap_event_table[ty].name) + " type " + std::to_string(ty) +
                                 " nparams " + std::to_string(n);
        if (r.act == action::change_type) {
            EXPECT_LE(r.params.size(), scap_event_table[r.target].nparams) << what;
            EXPECT_FALSE(flag(r.target, EF_UNUSED)) << what;
        }
        if (r.act == action::add_params) {
            EXPECT_LE(n + r.params.size(), scap_event_table[ty].nparams) << what;
        }

        scap::converter c;
        // With the enter stored first (when the rule reads one), then without.
        for (int with_enter = 0; with_enter < 2; ++with_enter) {
            if (with_enter) {
                if (r.expected_enter == k_no_enter) continue;
                const bytes en = synthetic(r.expected_enter, scap_event_table[r.expected_enter].nparams, 77);
                const scap::event_header* ignored = nullptr;
                ASSERT_NE(c.convert(hdr(en), &ignored), scap::converter::outcome::error)
                    << what << c.last_error();
            }
            const bytes ev = synthetic(ty, n, 77);
            const scap::event_header* out = nullptr;
            const auto oc = c.convert(hdr(ev), &out);
            ASSERT_NE(oc, scap::converter::outcome::error) << what << ": " << c.last_error();
            if (oc == scap::converter::outcome::consumed) {
                // Exit-only: every syscall enter ends stored (after being completed or upgraded);
                // standalone enter-coded events (procexit, scheduler...) must be delivered.
                const bool standalone = ty + 1 >= PPM_EVENT_MAX || flag(ty + 1, EF_UNUSED);
                const bool stored_enter = is_enter_code(ty) && !standalone;
                EXPECT_TRUE(r.act == action::store_enter || r.act == action::drop || stored_enter) << what;
                continue;
            }
            expect_current(out, t, what);
        }
    });
    EXPECT_GT(rules, 253);  // at least as many keys as the reference table
}

TEST(ConverterTable, WideOldValueIsCutToTheNewWidth) {
    scap::converter c;
    const scap::event_header* out = nullptr;
    const bytes en = event_builder(PPME_SYSCALL_BPF_E).num<int64_t>(0x1122334455667788).build();
    ASSERT_EQ(c.convert(hdr(en), &out), scap::converter::outcome::consumed);
    const bytes ex = event_builder(PPME_SYSCALL_BPF_X).num<int64_t>(7).build();
    ASSERT_EQ(c.convert(hdr(ex), &out), scap::converter::outcome::converted) << c.last_error();
    EXPECT_EQ(scap::event_view(out).type(), PPME_SYSCALL_BPF_2_X);
    EXPECT_EQ(param_bytes(out, 0), val<int64_t>(7));
    EXPECT_EQ(param_bytes(out, 1), val<uint32_t>(0x55667788));
}
