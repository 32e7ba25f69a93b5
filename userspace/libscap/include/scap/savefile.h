// Capture files (.scap, gzip-compressed or not): the reading engine and the writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "scap/cpu_affinity.h"
#include "scap/engine.h"
#include "scap/snapshot.h"

namespace scap {

struct savefile_options {
    std::string path;
    // Upgrade old events (enter+exit pairs, old versions) to current exit-only events. Off: events
    // are delivered exactly as stored (old-format headers still get their nparams filled in).
    bool convert = true;
    // Decompress on a worker thread while events are parsed (about a third faster on gzip
    // captures when a second core is free). Off: everything runs on the caller's thread.
    bool background_read = true;
    // CPUs the worker of background_read may run on (empty: wherever the opener may).
    cpu_list worker_cpus;
    // Inflate gzip captures with ISA-L's igzip when the library was built with it (about 2.5x
    // faster than zlib; same bytes, same errors). Off: always zlib.
    bool isal_inflate = true;
    // When set, the process and fd lists read while opening (the snapshot blocks before the first
    // event) go to this sink as they are parsed and the engine's snapshot keeps none of them
    // (machine info, users, groups and interfaces stay there). libsinsp loads its state this way,
    // so a host of many processes is never held twice. Used during open only; later blocks go to
    // the engine's snapshot as usual.
    snapshot_sink* processes_to = nullptr;
};

// Opens a capture file and reads its snapshot blocks. nullptr + `error` on failure.
std::unique_ptr<engine> open_savefile(const savefile_options& opts, std::string& error);

// Same, over a capture held in memory (the caller keeps it alive). Used by the fuzzer and tests.
std::unique_ptr<engine> open_savefile_memory(const uint8_t* data, size_t size, const savefile_options& opts,
                                             std::string& error);

class file_sink;

// Writes captures in the current format: section header, machine info, interface list, user
// list, process list, fd lists, then one block per event.
//
// Blocks are gathered in memory and reach the file in commits of about 256 KiB, each at a block
// boundary and all or nothing (see savefile/file_sink.h). When the file system is full or fails,
// the file is cut back to the last commit that made it, so it stays readable up to its last
// complete block (gzip files included: each commit ends with a sync flush), and every later
// call fails with the same cause. The counters say what the file holds, not what was buffered.
class dumper {
  public:
    // Creates `path` (gzip-compressed when `gzip`) and writes the snapshot blocks.
    static std::unique_ptr<dumper> open(const std::string& path, bool gzip, const snapshot& snap,
                                        std::string& error);
    ~dumper();
    dumper(const dumper&) = delete;
    dumper& operator=(const dumper&) = delete;

    status write(const event_header* evt, uint16_t cpu, uint32_t flags = 0);
    status write(const event_ref& ref) { return write(ref.hdr, ref.cpu, ref.flags); }
    // Writes what is buffered, ends the file (gzip trailer) and closes it; further writes fail.
    // Called by the destructor if needed. After a write failure it returns the same error,
    // saying how the file ends.
    status close();

    // Bytes in the file (compressed, for gzip): the snapshot once open() returned, the rest as
    // commits reach the file, everything after a successful close().
    uint64_t bytes_written() const;
    // The capture bytes (uncompressed) those hold.
    uint64_t data_bytes_written() const;
    // Events in the file, by the same rule.
    uint64_t events_written() const { return m_events_in_file; }
    const std::string& last_error() const { return m_last_error; }

  private:
    dumper();
    status put(const void* data, size_t len);
    status failure();

    std::unique_ptr<file_sink> m_sink;
    bool m_closed = false;
    uint64_t m_events = 0;  // events given to write()
    uint64_t m_events_in_file = 0;
    std::string m_last_error;
};

}  // namespace scap
