// scapdig --rules: evaluate Falco-format rules on a capture or live, print alerts and a summary.
#pragma once

#include "options.h"

namespace scapdig {

// Returns the process exit code.
int run_rules(const options& o);

}  // namespace scapdig
