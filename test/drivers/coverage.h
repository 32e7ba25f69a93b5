// Which exit events the live tests asserted on. Printed with what the driver emitted at the end
// of the binary, as the "driver coverage" figure.
#pragma once

#include <cstdint>

namespace drvtest {

// Records that a test asserted on an event of this type.
void note_tested(uint16_t type);

// Generated per-syscall cases: how many ran, how many the deny list kept from running.
void note_generated(bool ran);

}  // namespace drvtest
