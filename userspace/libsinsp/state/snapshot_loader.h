// A capture's process and fd lists loaded into the state as the engine parses them, entry by
// entry (scap::savefile_options::processes_to), instead of through the engine's snapshot: with
// tens of thousands of processes the raw lists would otherwise be held whole beside the state.
#pragma once

#include "scap/snapshot.h"
#include "state/core.h"

namespace sinsp {

class snapshot_loader final : public scap::snapshot_sink {
  public:
    explicit snapshot_loader(state_core& core) : m_core(core) {}

    void add_process(scap::process_info&& p) override {
        begin();
        m_core.load_snapshot_process(p);
    }
    bool begin_fds(uint64_t tid) override {
        begin();
        m_tid = static_cast<int64_t>(tid);
        return m_core.begin_snapshot_fds(m_tid);
    }
    void add_fd(scap::fd_info&& fd) override { m_core.load_snapshot_fd(m_tid, fd); }

    // Whether any list reached the state: then the load ends with state_core::finish_snapshot.
    bool started() const { return m_started; }
    void reset() { m_started = false; }

  private:
    void begin() {
        if (!m_started) m_core.begin_snapshot();
        m_started = true;
    }

    state_core& m_core;
    int64_t m_tid = 0;  // the fd list being read
    bool m_started = false;
};

}  // namespace sinsp
