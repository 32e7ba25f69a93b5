// Fuzzes the capture-file reader: arbitrary bytes as a whole capture file (section header,
// snapshot blocks, event blocks of every kind), read to the end with conversion on, each event
// formatted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scap/param_format.h"
#include "scap/savefile.h"
#include "scap/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    scap::savefile_options opts;
    opts.background_read = false;  // deterministic: one thread
    std::string error;
    auto eng = scap::open_savefile_memory(data, size, opts, error);
    if (!eng) return 0;
    scap::event_ref ref;
    std::string line;
    for (int i = 0; i < 100000 && eng->next(ref) == scap::status::ok; ++i) {
        line.clear();
        scap::append_params(line, ref.view());
    }
    return 0;
}
