// Closing the files a process scan opens in one syscall instead of one close(2) each.
//
// A scan worker thread takes a private copy of the fd table (unshare(CLONE_FILES)), keeps only
// the /proc directory in it, and from then on leaves the files it opens open: unique_fd does
// not close them, and the worker calls close_batch::close_all() (one close_range) after each
// process. About a quarter of the scan's syscalls were close(2), and a syscall costs more than
// the work behind most of these closes on a virtualised guest.
//
// The private table is what makes this safe: close_range there cannot touch a descriptor of
// the rest of the process (the engine's rings, the caller's files), and the process's own
// /proc/PID/fd (the thread-group leader's table) never shows the scan's files.
#pragma once

namespace scap::proc {

class close_batch {
  public:
    // Gives the calling thread its own fd table holding only keep_fd, renumbered to
    // k_kept_fd, and turns batching on for this thread. False, with nothing changed, when the
    // kernel or a sandbox refuses (the scan then closes file by file).
    static bool enter(int keep_fd);
    // Closes every file this thread opened since enter() or the previous call.
    static void close_all();
    // True when unique_fd should leave fd open for close_all(): batching is on for this
    // thread and fd is below the batch's bound (a process with thousands of files must not
    // run the thread out of descriptors, so those above it are closed at once).
    static bool defers(int fd);

    static constexpr int k_kept_fd = 0;
    // Well under the usual 1024 soft limit on open files.
    static constexpr int k_max_deferred_fd = 256;
};

}  // namespace scap::proc
