// Fuzzes the converter on old-format streams: enter and exit events of any version, in any
// order, from any threads, fed through one converter as the capture-file engine does. Every
// event it delivers must be a valid current event.
#include <cstdint>
#include <string>

#include "converter/converter.h"
#include "event_stream.h"
#include "scap/param_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    scap::converter conv;
    std::string line;
    fuzz::for_each_event(data, size, [&](const scap::event_header* in) {
        const scap::event_header* out = nullptr;
        const auto outcome = conv.convert(in, &out);
        if (outcome != scap::converter::outcome::pass && outcome != scap::converter::outcome::converted)
            return;
        const auto* bytes = reinterpret_cast<const uint8_t*>(out);
        if (scap::validate_event(bytes, scap::event_view(bytes).len()) != nullptr)
            __builtin_trap();  // the converter must deliver valid events
        line.clear();
        scap::append_params(line, scap::event_view(bytes));
    });
    return 0;
}
