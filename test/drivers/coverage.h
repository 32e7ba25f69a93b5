// Which exit events the live tests asserted on. Printed with what the driver emitted at the end
// of the binary, as the "driver coverage" figure.
#pragma once

#include <cstdint>
#include <string>

namespace drvtest {

// Records that a test asserted on an event of this type.
void note_tested(uint16_t type);

// Generated per-syscall cases: how many ran, how many the deny list kept from running.
void note_generated(bool ran);
// A syscall left out of the generated cases, and why (listed in the summary).
void note_denied(const std::string& name, const char* reason);

}  // namespace drvtest
