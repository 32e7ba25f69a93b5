// Every entry was judged for "all six arguments 0, fds 0/1/2 closed, as root": whatever blocks,
// never returns, creates a process, or changes state outside the dying child is listed here.
#include "zero_args_deny_list.h"

#include <utility>

namespace drvtest {
namespace {

constexpr std::pair<std::string_view, const char*> k_deny[] = {
    // Block forever.
    {"pause", "sleeps until a signal arrives"},
    {"select", "nfds 0 and a NULL timeout wait forever"},
    {"pselect6", "nfds 0 and a NULL timeout wait forever"},
    {"ppoll", "no fds and a NULL timeout wait forever"},
    {"msgrcv", "on an existing queue 0 it blocks, or steals someone's message"},
    // Create processes (the harness would lose track of the extra process).
    {"fork", "creates a process"},
    {"vfork", "creates a process that shares our memory"},
    {"clone", "flags 0 is a fork"},
    {"clone3", "creates a process (covered by hand-written tests)"},
    // Never return.
    {"exit", "ends the child before it reports"},
    {"exit_group", "ends the child before it reports"},
    {"rt_sigreturn", "restores a garbage frame from the stack and crashes"},
    {"uretprobe", "outside a uretprobe trampoline the caller gets SIGILL"},
    {"uprobe", "outside a uprobe trampoline the caller gets SIGILL"},
    // Change the machine, not just the child.
    {"sethostname", "sets the host name to \"\""},
    {"setdomainname", "sets the domain name to \"\""},
    {"vhangup", "hangs up the controlling terminal"},
    {"reboot", "reboots the machine when the magic ever matches"},
    {"kexec_load", "loads a new kernel"},
    {"kexec_file_load", "loads a new kernel"},
    {"swapon", "changes the machine's swap"},
    {"swapoff", "changes the machine's swap"},
    {"acct", "a NULL path switches process accounting off machine-wide"},
    {"settimeofday", "sets the system clock"},
    {"sync", "flushes every filesystem of a shared machine: slow and not ours"},
    {"shmctl", "cmd 0 is IPC_RMID: removes segment 0"},
    {"semctl", "cmd 0 is IPC_RMID: removes semaphore set 0"},
    {"msgctl", "cmd 0 is IPC_RMID: removes message queue 0"},
    {"msgget", "IPC_PRIVATE creates a message queue that outlives the child"},
    {"ptrace", "PTRACE_TRACEME makes the test binary the child's tracer"},
};

}  // namespace

const char* zero_args_deny_reason(std::string_view ppm_sc_name) {
    for (const auto& [name, why] : k_deny)
        if (name == ppm_sc_name) return why;
    return nullptr;
}

}  // namespace drvtest
