// Fuzzes the decoding of one arbitrary event: validation, parameter access and formatting, and
// conversion (whose output must be valid).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "converter/converter.h"
#include "scap/param_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Copy to an exactly sized heap buffer so ASan catches any read past the end.
    std::vector<uint8_t> buf(data, data + size);
    if (scap::validate_event(buf.data(), buf.size()) != nullptr) return 0;
    std::string line;
    scap::append_params(line, scap::event_view(buf.data()));
    scap::converter conv;
    const scap::event_header* out = nullptr;
    if (conv.convert(reinterpret_cast<const scap::event_header*>(buf.data()), &out) ==
        scap::converter::outcome::converted) {
        const auto* p = reinterpret_cast<const uint8_t*>(out);
        if (scap::validate_event(p, scap::event_view(p).len()) != nullptr)
            __builtin_trap();  // the converter must emit valid events
        line.clear();
        scap::append_params(line, scap::event_view(p));
    }
    return 0;
}
