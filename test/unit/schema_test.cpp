// Invariants of the event schema (driver/schema) and spot checks of facts that must match the
// reference schema byte for byte.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <string>

#include "scap_schema.h"

namespace {

const scap_param_info& param(int event, int i) {
    return scap_event_table[event].params[i];
}

TEST(Schema, EveryEventHasANameAndFitsTheParamLimit) {
    for (int e = 0; e < PPM_EVENT_MAX; ++e) {
        const scap_event_info& ev = scap_event_table[e];
        ASSERT_NE(ev.name, nullptr) << "event " << e;
        EXPECT_LE(ev.nparams, static_cast<uint32_t>(SCAP_MAX_EVENT_PARAMS)) << ev.name;
        if (ev.nparams) {
            EXPECT_NE(ev.params, nullptr) << ev.name;
        }
        if (std::strcmp(ev.name, "NA") == 0) {
            EXPECT_TRUE(ev.flags & EF_UNUSED) << "event " << e;
        }
    }
}

TEST(Schema, ParamInfoIsConsistent) {
    for (int e = 0; e < PPM_EVENT_MAX; ++e) {
        const scap_event_info& ev = scap_event_table[e];
        for (uint32_t i = 0; i < ev.nparams; ++i) {
            const scap_param_info& p = ev.params[i];
            ASSERT_NE(p.name, nullptr);
            EXPECT_LT(p.type, PT_MAX) << ev.name << "." << p.name;
            switch (p.info_kind) {
                case SCAP_INFO_FLAGS:
                    ASSERT_NE(p.info, nullptr) << ev.name << "." << p.name;
                    EXPECT_NE(static_cast<const scap_name_value*>(p.info)[0].name, nullptr);
                    break;
                case SCAP_INFO_DYN:
                    EXPECT_EQ(p.type, PT_DYN);
                    ASSERT_NE(p.info, nullptr);
                    EXPECT_GT(p.ninfo, 0);
                    break;
                case SCAP_INFO_DIRFD:
                    EXPECT_EQ(p.type, PT_FSRELPATH);
                    ASSERT_GE(p.dirfd_index, 0);
                    ASSERT_LT(static_cast<uint32_t>(p.dirfd_index), ev.nparams) << ev.name << "." << p.name;
                    EXPECT_EQ(ev.params[p.dirfd_index].type, PT_FD) << ev.name << "." << p.name;
                    break;
                default:
                    EXPECT_EQ(p.info, nullptr);
                    break;
            }
            if (p.type == PT_DYN) {
                EXPECT_EQ(p.info_kind, SCAP_INFO_DYN) << ev.name << "." << p.name;
            }
        }
    }
}

TEST(Schema, PairsShareTheirName) {
    for (int e = 0; e + 1 < PPM_EVENT_MAX; e += 2) {
        const scap_event_info& enter = scap_event_table[e];
        const scap_event_info& exit = scap_event_table[e + 1];
        if ((enter.flags | exit.flags) & EF_UNUSED) continue;
        EXPECT_STREQ(enter.name, exit.name) << "codes " << e << "/" << e + 1;
    }
}

TEST(Schema, SyscallTableRefersToKnownEventsAndCodes) {
    int mapped = 0;
    for (int nr = 0; nr < SCAP_SYSCALL_TABLE_SIZE_X86_64; ++nr) {
        const scap_syscall_info& s = scap_syscall_table_x86_64[nr];
        ASSERT_LT(s.ppm_sc, PPM_SC_MAX);
        ASSERT_LT(s.exit_event, PPM_EVENT_MAX);
        ASSERT_LT(s.enter_event, PPM_EVENT_MAX);
        if (s.flags & UF_USED) {
            ++mapped;
            EXPECT_EQ(s.exit_event, s.enter_event + 1) << "syscall " << nr;
            EXPECT_FALSE(scap_event_table[s.exit_event].flags & EF_OLD_VERSION)
                << "syscall " << nr << " maps to an old event version";
        }
    }
    EXPECT_GT(mapped, 150);
}

TEST(Schema, KnownFactsMatchTheReference) {
    EXPECT_EQ(PPM_EVENT_MAX, 454);
    EXPECT_EQ(PPME_GENERIC_X, 1);
    EXPECT_EQ(PPME_SYSCALL_OPENAT_2_X, 307);
    EXPECT_EQ(PPME_SCHEDSWITCH_6_E, 152);
    EXPECT_EQ(PPME_SYSCALL_EXECVE_19_X, 293);
    const char* openat_params[] = {"fd", "dirfd", "name", "flags", "mode", "dev", "ino"};
    ASSERT_EQ(scap_event_table[PPME_SYSCALL_OPENAT_2_X].nparams, 7u);
    for (int i = 0; i < 7; ++i) EXPECT_STREQ(param(PPME_SYSCALL_OPENAT_2_X, i).name, openat_params[i]);
    EXPECT_EQ(param(PPME_SYSCALL_OPENAT_2_X, 1).type, PT_FD);
    EXPECT_EQ(param(PPME_SYSCALL_OPENAT_2_X, 2).type, PT_FSRELPATH);
    EXPECT_EQ(param(PPME_SYSCALL_OPENAT_2_X, 2).dirfd_index, 1);
    EXPECT_EQ(param(PPME_SYSCALL_OPENAT_2_X, 3).type, PT_FLAGS32);

    const char* read_params[] = {"res", "data", "fd", "size"};
    ASSERT_EQ(scap_event_table[PPME_SYSCALL_READ_X].nparams, 4u);
    for (int i = 0; i < 4; ++i) EXPECT_STREQ(param(PPME_SYSCALL_READ_X, i).name, read_params[i]);
    EXPECT_EQ(param(PPME_SYSCALL_READ_X, 1).type, PT_BYTEBUF);

    EXPECT_EQ(scap_event_table[PPME_SYSCALL_EXECVE_19_X].nparams, 31u);
    EXPECT_STREQ(param(PPME_SYSCALL_EXECVE_19_X, 30).name, "filename");

    EXPECT_EQ(scap_syscall_table_x86_64[257].exit_event, PPME_SYSCALL_OPENAT_2_X);  // __NR_openat
    EXPECT_EQ(scap_syscall_table_x86_64[257].ppm_sc, PPM_SC_OPENAT);
    EXPECT_EQ(scap_syscall_table_x86_64[59].exit_event, PPME_SYSCALL_EXECVE_19_X);  // __NR_execve
    EXPECT_STREQ(scap_ppm_sc_names[PPM_SC_OPENAT], "openat");

    EXPECT_TRUE(scap_event_uses_large_payload(PPME_PLUGINEVENT_E));
    EXPECT_TRUE(scap_event_uses_large_payload(PPME_ASYNCEVENT_E));
    EXPECT_FALSE(scap_event_uses_large_payload(PPME_SYSCALL_READ_X));
    EXPECT_EQ(scap_param_len_size(PPME_CONTAINER_JSON_2_E), 4u);
}

// The direction convention scap_event_is_enter relies on, checked against the IDs in events.def.
TEST(Schema, EnterIdsAreEvenAndExitIdsOdd) {
    struct id_entry {
        int code;
        const char* id;
    };
    static const id_entry ids[] = {
#define EVENT(code, id, name, category, flags, nparams) {code, #id},
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
    };
    ASSERT_EQ(sizeof(ids) / sizeof(ids[0]), static_cast<size_t>(PPM_EVENT_MAX));
    for (const id_entry& e : ids) {
        const std::string id = e.id;
        ASSERT_GE(id.size(), 2u);
        const std::string suffix = id.substr(id.size() - 2);
        ASSERT_TRUE(suffix == "_E" || suffix == "_X") << id;
        EXPECT_EQ(scap_event_is_enter(e.code), suffix == "_E") << id;
    }
}

// Codes come in pairs; only one half of a pair may be an unused slot.
TEST(Schema, UnusedSlotsAreHalfPairs) {
    for (int e = 0; e + 1 < PPM_EVENT_MAX; e += 2) {
        const bool unused_e = scap_event_table[e].flags & EF_UNUSED;
        const bool unused_x = scap_event_table[e + 1].flags & EF_UNUSED;
        EXPECT_FALSE(unused_e && unused_x) << "codes " << e << "/" << e + 1;
        // (An unused slot may still list parameters: the reference's tracer exit does.)
        if (unused_e) {
            EXPECT_STREQ(scap_event_table[e].name, "NA");
        }
        if (unused_x) {
            EXPECT_STREQ(scap_event_table[e + 1].name, "NA");
        }
    }
}

TEST(Schema, CompileTimeCountsMatchTheTable) {
    static_assert(SCAP_NPARAMS_SYSCALL_OPENAT_2_X == 7, "openat exit has 7 parameters");
    static_assert(SCAP_NPARAMS_SYSCALL_READ_X == 4, "read exit has 4 parameters");
    static_assert(sizeof(ppm_evt_hdr) == 26, "packed event header");
    const unsigned counts[] = {
#define EVENT(code, id, name, category, flags, nparams) SCAP_NPARAMS_##id,
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
    };
    for (int e = 0; e < PPM_EVENT_MAX; ++e) EXPECT_EQ(scap_event_table[e].nparams, counts[e]) << e;
}

TEST(Schema, LargePayloadEventsAreExactlyTheReferenceOnes) {
    for (int e = 0; e < PPM_EVENT_MAX; ++e) {
        const bool expected =
            e == PPME_PLUGINEVENT_E || e == PPME_CONTAINER_JSON_2_E || e == PPME_ASYNCEVENT_E;
        EXPECT_EQ(scap_event_uses_large_payload(e) != 0, expected) << scap_event_table[e].name;
        EXPECT_EQ(scap_param_len_size(e), expected ? 4u : 2u) << scap_event_table[e].name;
    }
    EXPECT_FALSE(scap_event_uses_large_payload(PPM_EVENT_MAX));
}

TEST(Schema, PpmScNamesAreLowerCaseWithOneHole) {
    for (int sc = 0; sc < PPM_SC_MAX; ++sc) {
        const char* n = scap_ppm_sc_names[sc];
        if (sc == 382) {  // unassigned in the reference
            EXPECT_EQ(n, nullptr);
            continue;
        }
        ASSERT_NE(n, nullptr) << sc;
        ASSERT_NE(n[0], '\0') << sc;
        for (const char* c = n; *c; ++c)
            EXPECT_TRUE(std::islower(static_cast<unsigned char>(*c)) ||
                        std::isdigit(static_cast<unsigned char>(*c)) || *c == '_')
                << n;
    }
    EXPECT_STREQ(scap_ppm_sc_names[PPM_SC_UNKNOWN], "unknown");
    EXPECT_STREQ(scap_ppm_sc_names[PPM_SC__LLSEEK], "_llseek");
    EXPECT_STREQ(scap_ppm_sc_names[PPM_SC_LANDLOCK_CREATE_RULESET], "landlock_create_ruleset");
    EXPECT_STREQ(scap_ppm_sc_names[PPM_SC_SCHED_SWITCH], "sched_switch");
    EXPECT_EQ(PPM_SC_MAX, 454);
}

TEST(Schema, SyscallsWithoutEventsUseTheGenericPair) {
    int generic = 0;
    for (int nr = 0; nr < SCAP_SYSCALL_TABLE_SIZE_X86_64; ++nr) {
        const scap_syscall_info& s = scap_syscall_table_x86_64[nr];
        if (s.ppm_sc == PPM_SC_UNKNOWN) {  // not a syscall the schema knows: all zero
            EXPECT_EQ(s.flags, 0) << nr;
            EXPECT_EQ(s.exit_event, 0) << nr;
            continue;
        }
        if (s.flags & UF_USED) continue;
        ++generic;
        EXPECT_EQ(s.enter_event, PPME_GENERIC_E) << nr;
        EXPECT_EQ(s.exit_event, PPME_GENERIC_X) << nr;
    }
    EXPECT_GT(generic, 100);
    const scap_syscall_info& rt_sigaction = scap_syscall_table_x86_64[13];  // __NR_rt_sigaction
    EXPECT_EQ(rt_sigaction.ppm_sc, PPM_SC_RT_SIGACTION);
    EXPECT_EQ(rt_sigaction.flags, 0);
    const scap_syscall_info& openat = scap_syscall_table_x86_64[257];  // __NR_openat
    EXPECT_EQ(openat.flags, UF_USED | UF_NEVER_DROP);
    EXPECT_EQ(openat.enter_event, PPME_SYSCALL_OPENAT_2_E);
    EXPECT_EQ(scap_syscall_table_x86_64[400].ppm_sc, PPM_SC_UNKNOWN);  // x86_64 has no syscall 400
}

TEST(Schema, FlagTablesAreTerminatedAndNamed) {
    int n = 0;
    for (const scap_name_value* f = scap_flags_file_flags; f->name; ++f) ++n;
    EXPECT_GT(n, 10);
    bool found_creat = false;
    for (const scap_name_value* f = scap_flags_file_flags; f->name; ++f)
        if (std::string(f->name) == "O_CREAT") found_creat = true;
    EXPECT_TRUE(found_creat);
    for (const scap_name_value* f = scap_flags_file_flags; f->name; ++f)
        if (std::string(f->name) == "O_CREAT") {
            EXPECT_EQ(f->value, 1u << 2);
        }
    EXPECT_EQ(param(PPME_SYSCALL_OPENAT_2_X, 3).info, static_cast<const void*>(scap_flags_file_flags));
}

}  // namespace
