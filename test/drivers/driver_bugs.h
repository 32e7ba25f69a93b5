// Known driver bugs a test found. A test asserts the correct behaviour everywhere else; where a
// bug's symptom shows, it records the bug instead of failing, and at its end skips with
// "driver bug: ..." so the list reaches the driver side. Once fixed, the symptom is gone and the
// test checks the value for real (the callers assert the correct value when no symptom shows).
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
    if (!(bugs).found().empty()) GTEST_SKIP() << "driver bug: " << (bugs).found()

}  // namespace drvtest
