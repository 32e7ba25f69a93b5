// Fuzzes the filter language: the input is a filter expression (and, the same text, an output
// format). What compiles is analysed (event and syscall codes, the evaluation tree) and
// evaluated on the first events of a real capture, named by SCAP_FUZZ_CAPTURE at run time, so
// operators and transformers run on real values.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scap/savefile.h"
#include "sinsp/fields.h"
#include "sinsp/filter.h"
#include "sinsp/formatter.h"
#include "sinsp/inspector.h"

namespace {

constexpr int k_events = 64;  // events of the capture each input is evaluated on

const std::string& capture_bytes() {
    static const std::string bytes = [] {
        const char* path = std::getenv("SCAP_FUZZ_CAPTURE");
        if (!path) {
            std::fprintf(stderr,
                         "fuzz_filter: SCAP_FUZZ_CAPTURE not set: filters are compiled, not evaluated\n");
            return std::string();
        }
        std::ifstream in(path, std::ios::binary);
        std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (s.empty()) {
            std::fprintf(stderr, "fuzz_filter: cannot read %s\n", path);
            std::abort();
        }
        return s;
    }();
    return bytes;
}

template <typename F>
void for_each_capture_event(F&& f) {
    const std::string& bytes = capture_bytes();
    if (bytes.empty()) return;
    std::string error;
    scap::savefile_options opts;
    opts.background_read = false;
    auto eng =
        scap::open_savefile_memory(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), opts, error);
    if (!eng) {
        std::fprintf(stderr, "fuzz_filter: %s\n", error.c_str());
        std::abort();
    }
    sinsp::inspector insp;
    insp.open(std::move(eng));
    const sinsp::event* e = nullptr;
    for (int i = 0; i < k_events && insp.next(e) == scap::status::ok; ++i) f(sinsp::event_context{e, &insp});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static sinsp::field_catalog fields;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::unique_ptr<sinsp::filter::compiled_filter> filter;
    try {
        filter = sinsp::filter::compile(text, fields);
    } catch (const sinsp::filter::filter_error&) {
    }
    std::unique_ptr<sinsp::event_formatter> format;
    try {
        format = std::make_unique<sinsp::event_formatter>(text, fields);
    } catch (const sinsp::filter::filter_error&) {
    }
    if (!filter && !format) return 0;
    if (filter) {
        (void)filter->event_codes();
        (void)filter->syscall_codes();
        (void)filter->describe();
    }
    std::string line;
    for_each_capture_event([&](const sinsp::event_context& ctx) {
        if (filter) (void)filter->matches(ctx);
        if (format) {
            line.clear();
            format->format(ctx, line);
            format->format_json(ctx, line);
        }
    });
    return 0;
}
