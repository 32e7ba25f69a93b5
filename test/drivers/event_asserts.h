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

// The first event of `type` in the run (of thread `tid`, default the run's own), checked for
// shape; nullptr plus a failure when missing.
inline const scap::event_view* find(const run_result& r, uint16_t type, scap::event_view& out,
                                    uint64_t tid = 0) {
    const owned_event* e = r.first(type, tid ? tid : static_cast<uint64_t>(r.pid));
    if (!e) {
        ADD_FAILURE() << "no " << scap_event_table[type].name << " event (type " << type << ") in the run of "
                      << r.pid << " (" << r.events.size() << " events, complete=" << r.complete << ")";
        return nullptr;
    }
    out = e->view();
    expect_shape(out);
    return &out;
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
