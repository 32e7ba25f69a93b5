#include "proc/proc_close_batch.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace scap::proc {

namespace {

thread_local bool t_batching = false;

// close_range(2) through syscall(): older libcs have no wrapper. Linux 5.9+.
bool close_from(unsigned first) {
    return ::syscall(SYS_close_range, first, UINT_MAX, 0u) == 0;
}

}  // namespace

bool close_batch::enter(int keep_fd) {
    if (t_batching) return true;
    if (::unshare(CLONE_FILES) != 0) return false;
    // From here on only this thread's copy of the table changes.
    if (keep_fd != k_kept_fd && ::dup3(keep_fd, k_kept_fd, O_CLOEXEC) < 0) return false;
    if (!close_from(k_kept_fd + 1)) return false;  // the copies of everything else
    t_batching = true;
    return true;
}

void close_batch::close_all() {
    if (t_batching) close_from(k_kept_fd + 1);
}

bool close_batch::defers(int fd) {
    return t_batching && fd <= k_max_deferred_fd;
}

}  // namespace scap::proc
