// Upgrades events from captures of any age to current exit-only events as they are read.
// Contract used by the capture-file engine (see proposals/0001-foundation.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scap/event.h"

namespace scap {

struct converter_stats {
    uint64_t passed = 0;         // already current: returned untouched, no copy
    uint64_t converted = 0;      // rewritten into the converter's buffer
    uint64_t enter_stored = 0;   // enter events kept for their thread, not delivered
    uint64_t dropped = 0;        // events the current schema no longer delivers
    uint64_t missing_enter = 0;  // exits converted without their enter event (defaults used)
    uint64_t errors = 0;
};

class converter {
  public:
    enum class outcome {
        pass,       // *out == in: the event is already current
        converted,  // *out points to the converter's buffer, valid until the next convert()
        consumed,   // nothing to deliver (enter event stored, or event dropped)
        error,      // last_error() says what; the caller reports it with file offset / event number
    };

    converter();
    ~converter();
    converter(const converter&) = delete;
    converter& operator=(const converter&) = delete;

    // `in` must have passed validate_event(). Inline: nearly every event of a current capture
    // is already current, and that answer is one array read.
    outcome convert(const event_header* in, const event_header** out) {
        if (in->type < PPM_EVENT_MAX) {
            const uint16_t want = m_current_nparams[in->type];
            if (want == k_any_nparams || want == in->nparams) {
                *out = in;
                ++m_stats.passed;
                return outcome::pass;
            }
        }
        return convert_slow(in, out);
    }

    const converter_stats& stats() const { return m_stats; }
    const std::string& last_error() const { return m_last_error; }
    // Enter events dropped from the per-thread store because too many threads had one pending.
    uint64_t enter_evictions() const;
    // Enter events currently waiting for their exit.
    size_t stored_enters() const;
    // How many enter events consumed since the previous call the reference would have numbered
    // (it delivers them to its inspector, which counts and hides them: open, openat, openat2,
    // creat, connect, execve, execveat); the count restarts at 0. The engine hands it out with the
    // next delivered event so evt.num names the same event in both.
    uint32_t take_numbered_enters() {
        const uint32_t n = m_numbered_enters;
        m_numbered_enters = 0;
        return n;
    }

  private:
    outcome convert_slow(const event_header* in, const event_header** out);
    outcome deliver(const event_header* in, const event_header* cur, const event_header** out);
    outcome fail(std::string msg);

    // Per event type, the parameter count at which an event is current and passes untouched:
    // k_any_nparams for any count, k_never_current when the type always needs a rule.
    static constexpr uint16_t k_any_nparams = 0xffff, k_never_current = 0xfffe;
    uint16_t m_current_nparams[PPM_EVENT_MAX];

    struct impl;
    impl* m_impl;
    converter_stats m_stats;
    std::string m_last_error;
    uint32_t m_numbered_enters = 0;
};

}  // namespace scap
