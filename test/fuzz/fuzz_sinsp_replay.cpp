// Fuzzes libsinsp's state on arbitrary event sequences: events back to back (see
// event_stream.h) go through a converter, as the capture-file engine hands them over, then
// through the inspector's state parsers; every field of the catalog is then extracted from each
// event, so extractors meet whatever state the sequence left behind.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "converter/converter.h"
#include "event_stream.h"
#include "sinsp/fields.h"
#include "sinsp/filter_parser.h"
#include "sinsp/formatter.h"
#include "sinsp/inspector.h"

namespace {

// One formatter per field that compiles without an argument ("*" prints partial results).
std::vector<std::unique_ptr<sinsp::event_formatter>>& all_fields() {
    static sinsp::field_catalog catalog;
    static std::vector<std::unique_ptr<sinsp::event_formatter>> formatters = [] {
        std::vector<std::unique_ptr<sinsp::event_formatter>> out;
        catalog.for_each_field([&](const sinsp::filter::field_descriptor& f) {
            try {
                out.push_back(std::make_unique<sinsp::event_formatter>("*%" + f.name, catalog));
            } catch (const sinsp::filter::filter_error&) {
                // needs an argument: the filter fuzzer covers those
            }
        });
        return out;
    }();
    return formatters;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto& formatters = all_fields();
    sinsp::inspector_options opts;
    opts.max_threads = 32;  // small, so sequences reach the eviction path
    sinsp::inspector insp(opts);
    scap::converter conv;
    std::string line;
    fuzz::for_each_event(data, size, [&](const scap::event_header* in) {
        const scap::event_header* evt = nullptr;
        const auto outcome = conv.convert(in, &evt);
        if (outcome != scap::converter::outcome::pass && outcome != scap::converter::outcome::converted)
            return;
        scap::event_ref ref;
        ref.hdr = evt;
        const sinsp::event& e = insp.process(ref);
        const sinsp::event_context ctx{&e, &insp};
        for (auto& f : formatters) {
            line.clear();
            f->format(ctx, line);
        }
    });
    return 0;
}
