// Where the library's worker threads run (the prefetch worker that reads and inflates capture
// files, the batch reader). By default they go wherever their creator's affinity lets them; a
// caller that pins its own event loop to one CPU can keep them off it, so the two stages never
// share a core and measurements repeat (scapdig --cpu).
#pragma once

#include <string>
#include <vector>

namespace scap {

// CPU numbers as the kernel counts them; empty: leave the thread's affinity alone.
using cpu_list = std::vector<unsigned>;

// Restricts the calling thread to `cpus`. True when it did (or `cpus` is empty); otherwise
// `error` says why (a CPU out of range or not allowed for this process).
bool pin_current_thread(const cpu_list& cpus, std::string& error);

// The CPUs the calling thread may run on now.
cpu_list current_thread_cpus();

}  // namespace scap
