// Fuzzes the capture-file reader as `scapdig -r` uses it: arbitrary bytes as a whole capture
// file (section header, snapshot blocks, event blocks of every kind) read to the end with
// conversion on, the snapshot and every event applied to libsinsp's state, each event formatted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scap/param_format.h"
#include "scap/savefile.h"
#include "sinsp/inspector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    scap::savefile_options opts;
    opts.background_read = false;  // deterministic: one thread
    std::string error;
    auto eng = scap::open_savefile_memory(data, size, opts, error);
    if (!eng) {
        if (error.empty()) __builtin_trap();  // a rejected file must say why
        return 0;
    }
    sinsp::inspector_options iopts;
    iopts.max_threads = 64;
    sinsp::inspector insp(iopts);
    insp.open(std::move(eng));
    const sinsp::event* e = nullptr;
    std::string line;
    for (int i = 0; i < 100000 && insp.next(e) == scap::status::ok; ++i) {
        line.clear();
        scap::append_params(line, e->view);
    }
    return 0;
}
