// Syscalls the generated test must not run with six zero arguments, with why.
#pragma once

#include <string_view>

namespace drvtest {

// The reason a syscall (by ppm_sc name) is kept from the zero-argument run, or nullptr.
const char* zero_args_deny_reason(std::string_view ppm_sc_name);

}  // namespace drvtest
