#include "savefile/list_stream.h"

#include <cstring>

#include "savefile/block_types.h"
#include "savefile/cursor.h"

namespace scap {
namespace {

// Most entries are far smaller: one window usually holds several, and one that does not is
// retried over a window twice as large (an entry may be up to the whole block).
constexpr size_t k_first_window = 16 * 1024;

}  // namespace

bool stream_list_block(uint32_t type, uint32_t len, savefile_input& in, snapshot_sink& sink,
                       metadata_counts& counts, std::string& error) {
    size_t remaining = len - block::header_size - block::trailer_size;
    list_reader reader(type, sink, counts);
    bool begun = false;
    size_t window = k_first_window;
    while (remaining > k_padding_max || !begun) {
        const size_t want = window < remaining ? window : remaining;
        const size_t have = in.ensure(want);
        const size_t view = have < remaining ? have : remaining;
        cursor c(in.data(), view);
        // Every entry that fits whole in the window, then the window moves on.
        bool ok = true;
        size_t done = 0;
        if (!begun) {
            ok = reader.begin(c, error);
            if (ok) done = c.pos(), begun = true;
        }
        while (ok && view - done > k_padding_max && (remaining - done) > k_padding_max) {
            ok = reader.entry(c, error);
            if (ok) done = c.pos();
        }
        if (done > 0) {
            in.consume(done);
            remaining -= done;
            window = k_first_window;
            continue;
        }
        if (ok) break;  // only padding left
        // Not even one entry fits: a bigger window, unless this one already reached the end.
        if (view == remaining) return false;  // `error` from the entry reader: a real fault
        if (have < want) {
            error = "block truncated: " + std::to_string(remaining) + " bytes of its body missing";
            if (!in.read_error().empty()) error += " (" + in.read_error() + ")";
            return false;
        }
        window *= 2;
    }
    // Padding, then the trailer.
    const size_t tail = remaining + block::trailer_size;
    if (in.ensure(tail) < tail) {
        error = "block truncated before its trailer";
        if (!in.read_error().empty()) error += " (" + in.read_error() + ")";
        return false;
    }
    uint32_t trailer;
    std::memcpy(&trailer, in.data() + remaining, 4);
    if (trailer != len) {
        error = "trailer length " + std::to_string(trailer) + " differs from header length " +
                std::to_string(len);
        return false;
    }
    in.consume(tail);
    return true;
}

}  // namespace scap
