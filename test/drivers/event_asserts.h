// Reading and asserting event parameters by their schema names, so a test reads like the
// schema ("fd", "flags") and a renamed or moved parameter fails loudly instead of silently
// checking the wrong slot.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "coverage.h"
#include "live_session.h"
#include "scap/event.h"

namespace drvtest {

// Index of the parameter called `name` in the schema of this event type, or -1.
inline int param_index(uint16_t type, std::string_view name) {
    const scap_event_info& info = scap_event_table[type];
    for (uint32_t i = 0; i < info.nparams; ++i)
        if (name == info.params[i].name) return static_cast<int>(i);
    return -1;
}

// A parameter by name; a test failure (and an empty view) when the schema has no such name.
inline scap::param_view param(const scap::event_view& v, std::string_view name) {
    const int i = param_index(v.type(), name);
    if (i < 0 || static_cast<uint32_t>(i) >= v.nparams()) {
        ADD_FAILURE() << scap_event_table[v.type()].name << " has no parameter \"" << name << "\"";
        return {};
    }
    return v.param(static_cast<uint32_t>(i));
}

// Integer parameters, sign- or zero-extended from their stored width.
inline int64_t sint(const scap::event_view& v, std::string_view name) {
    const scap::param_view p = param(v, name);
    switch (p.len) {
        case 1:
            return p.as<int8_t>();
        case 2:
            return p.as<int16_t>();
        case 4:
            return p.as<int32_t>();
        default:
            return p.as<int64_t>();
    }
}
inline uint64_t uint(const scap::event_view& v, std::string_view name) {
    return param(v, name).as<uint64_t>();
}
inline std::string str(const scap::event_view& v, std::string_view name) {
    return std::string(param(v, name).str());
}
inline std::string bytes(const scap::event_view& v, std::string_view name) {
    return std::string(param(v, name).bytes());
}

// The event is well formed and has the schema's shape; marks its type as tested.
inline void expect_shape(const scap::event_view& v) {
    EXPECT_EQ(scap::validate_event(v.raw(), v.len()), nullptr);
    EXPECT_EQ(v.nparams(), scap_event_table[v.type()].nparams) << scap_event_table[v.type()].name;
    note_tested(v.type());
}

// The first event of `type` by the run's own thread (or `tid`) that `pred` accepts, checked for
// shape. False plus a failure naming the type when there is none.
template <typename Pred>
bool find_if(const run_result& r, uint16_t type, Pred pred, scap::event_view& out, uint64_t tid = 0) {
    if (tid == 0) tid = static_cast<uint64_t>(r.pid);
    for (const owned_event& e : r.events) {
        const scap::event_view v = e.view();
        if (v.type() != type || v.tid() != tid || !pred(v)) continue;
        out = v;
        expect_shape(out);
        return true;
    }
    ADD_FAILURE() << "no matching " << scap_event_table[type].name << " event (type " << type << ") of tid "
                  << tid << " (" << r.events.size() << " events in the run, complete=" << r.complete << ")";
    return false;
}
inline bool find(const run_result& r, uint16_t type, scap::event_view& out, uint64_t tid = 0) {
    return find_if(
        r, type, [](const scap::event_view&) { return true; }, out, tid);
}

// A schema flag value by name (the PPM_* value the driver must convert to).
inline uint64_t flag(const scap_name_value* table, std::string_view name) {
    for (; table->name; ++table)
        if (name == table->name) return table->value;
    ADD_FAILURE() << "no flag " << name;
    return 0;
}

// Skips the test when the shared session cannot exist on this machine; fails when it should.
#define DRV_SESSION_OR_SKIP(var)                                                               \
    ::drvtest::live_session* var = ::drvtest::live_session::get();                             \
    do {                                                                                       \
        if (!var && !::drvtest::live_session::skip_reason().empty())                           \
            GTEST_SKIP() << ::drvtest::live_session::skip_reason();                            \
        ASSERT_NE(var, nullptr) << "engine open failed: " << ::drvtest::live_session::error(); \
    } while (0)

}  // namespace drvtest
