// Checks a capture's blocks ahead of the parser, on the prefetch worker.
//
// The engine's reader checks every block it parses: the trailer repeats the length, and an
// event's parameter lengths stay inside the event (validate_event). That is a tenth of the
// parsing thread's instructions, spent on bytes the prefetch worker has just read and, on a plain
// file, while the worker itself waits for free chunks. The walker runs those same checks on each
// chunk before the worker hands it over and records the span of whole blocks that passed; the
// reader skips its own checks for a block lying wholly in that span, and checks everything else
// (blocks across chunks, the spill buffer, memory input) as before.
//
// The walker only ever vouches for bytes: where a check fails it stops for good, and the reader,
// reaching that block, runs its own checks and reports the error with its usual text and offset.
// Old-format events (v1 headers, upgraded in place by the reader) are framed, never vouched for.
#pragma once

#include <cstddef>
#include <cstdint>

namespace scap {

class block_walker {
  public:
    // The span [from, to) of `data` (a chunk's bytes, in file order after the previous chunk)
    // where every block is whole and passed the checks; from == to when there is none. Blocks
    // that start in an earlier chunk are skipped, and a block header cut by the chunk's end is
    // kept for the next call.
    struct span {
        uint32_t from = 0, to = 0;
    };
    span walk(const uint8_t* data, size_t size);

  private:
    // Checks one whole block at `b`, `len` bytes as its header says.
    static bool block_ok(const uint8_t* b, uint32_t type, uint32_t len);

    bool m_stopped = false;      // a check failed: nothing after it is vouched for
    uint64_t m_skip = 0;         // bytes of a block begun in an earlier chunk still to pass
    uint8_t m_partial[8] = {};   // a block header cut by the previous chunk's end
    uint32_t m_partial_len = 0;  // its bytes in m_partial
};

}  // namespace scap
