// Known driver bug symptoms a test looks for. Where a symptom shows, the test records it and, at
// its end, fails with "driver bug: ..." naming every symptom seen (one readable line instead of a
// cascade of value mismatches). All the bugs these tests found are fixed; a symptom coming back is
// a regression and fails the suite.
#pragma once

#include <string>

#include <gtest/gtest.h>

namespace drvtest {

class driver_bugs {
  public:
    // True when the symptom is present (the caller then skips its own assertion).
    bool seen(bool symptom, const std::string& what) {
        if (symptom) m_found += (m_found.empty() ? "" : "; ") + what;
        return symptom;
    }
    const std::string& found() const { return m_found; }

  private:
    std::string m_found;
};

#define DRV_SKIP_IF_DRIVER_BUGS(bugs) \
    if (!(bugs).found().empty()) FAIL() << "driver bug: " << (bugs).found()

}  // namespace drvtest
