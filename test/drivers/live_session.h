// One modern_bpf engine shared by every live test of the binary, drained by a background
// thread that keeps only the events of the code a test is running ("a run"). Opening the engine
// costs about a second; sharing it keeps each test at a few milliseconds.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scap/event.h"
#include "scap/snapshot.h"

namespace drvtest {

// Bytes of I/O data the shared session copies into events: the engine's default, so the suite
// checks the configuration users run (read/write & co. built on the driver's fast path; the
// generic filler's data handling is covered by modern_bpf_test's snaplen cases).
inline constexpr uint32_t k_snaplen = 80;

// An event copied out of the engine (engine refs die at the next call).
struct owned_event {
    std::vector<uint8_t> bytes;
    uint16_t cpu = 0;
    scap::event_view view() const { return scap::event_view(bytes.data()); }
};

// What a run produced, in delivery order, plus how it ended.
struct run_result {
    std::vector<owned_event> events;
    bool complete = false;  // the end marker (procexit or marker syscall) was seen in time
    int wait_status = 0;    // forked runs: waitpid status of the child
    pid_t pid = 0;          // forked runs: the child's pid; thread runs: the thread's tid

    // Events of one thread (tid 0: of `pid`).
    std::vector<const owned_event*> of_tid(uint64_t tid = 0) const;
    // First event of this type (and thread, when tid != 0), or nullptr.
    const owned_event* first(uint16_t type, uint64_t tid = 0) const;
    // Every event of this type, any thread of the run.
    std::vector<const owned_event*> all(uint16_t type) const;
};

// The engine the live suite drives: $SCAP_TEST_ENGINE, default "modern_bpf".
const char* selected_engine();

class live_session {
  public:
    // The shared session, opened on first use; nullptr when the machine cannot run live tests
    // (then skip_reason() says why) or when opening failed (then error() says why).
    static live_session* get();
    // The session if get() opened it, without trying to open it.
    static live_session* opened();
    static const std::string& skip_reason();
    static const std::string& error();

    // Forks; the child runs `body` and _exit()s with its return value. Collects the events of
    // the child and of everything it forks until the child's procexit.
    run_result run_in_child(const std::function<int()>& body,
                            std::chrono::milliseconds budget = std::chrono::milliseconds(3000));

    // Runs `body` on the calling thread and collects that thread's events (and those of any
    // process it forks) up to a unique marker syscall issued afterwards.
    run_result run_here(const std::function<void()>& body,
                        std::chrono::milliseconds budget = std::chrono::milliseconds(3000));

    // What the engine knew when it opened (processes, users, machine), for writing captures.
    const scap::snapshot& snapshot() const;

    // Events of each type delivered by the engine since it opened, any process.
    std::vector<uint64_t> emitted_counts() const;

    // Stops the reader and closes the engine (end of the test binary).
    static void shutdown();

    class impl;

  private:
    explicit live_session(impl* p) : m(p) {}
    impl* m;
};

// The marker syscall run_here() ends with: close() of an fd number nobody can hold, so it fails
// with EBADF and its event carries the number back.
bool is_marker(const scap::event_view& v, int64_t marker_fd);

}  // namespace drvtest
