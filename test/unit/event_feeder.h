// Feeding events built with event_builder.h to an inspector, one at a time.
#pragma once

#include "event_builder.h"
#include "sinsp/inspector.h"

namespace scap::test {

// Processes `e`, first copied into `keep`: the event the inspector hands back points into the
// bytes it was given, so they must outlive the call (until the next event).
inline const sinsp::event& feed_event(sinsp::inspector& insp, bytes& keep, const bytes& e) {
    keep = e;
    scap::event_ref ref;
    ref.hdr = hdr(keep);
    return insp.process(ref);
}

// The same for tests that feed one inspector from several places.
class event_feeder {
  public:
    explicit event_feeder(sinsp::inspector& insp) : m_insp(insp) {}
    const sinsp::event& feed(const bytes& e) { return feed_event(m_insp, m_keep, e); }

  private:
    sinsp::inspector& m_insp;
    bytes m_keep;
};

}  // namespace scap::test
