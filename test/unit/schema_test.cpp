// Invariants of the event schema (driver/schema) and spot checks of facts that must match the
// reference schema byte for byte.
#include <gtest/gtest.h>

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

TEST(Schema, FlagTablesAreTerminatedAndNamed) {
    int n = 0;
    for (const scap_name_value* f = scap_flags_file_flags; f->name; ++f) ++n;
    EXPECT_GT(n, 10);
    bool found_creat = false;
    for (const scap_name_value* f = scap_flags_file_flags; f->name; ++f)
        if (std::string(f->name) == "O_CREAT") found_creat = true;
    EXPECT_TRUE(found_creat);
    EXPECT_EQ(param(PPME_SYSCALL_OPENAT_2_X, 3).info, static_cast<const void*>(scap_flags_file_flags));
}

}  // namespace
