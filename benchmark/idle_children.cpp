// idle_children: forks N children that sleep until their parent goes away, prints "ready N" once
// they all exist, and waits for SIGTERM/SIGINT (or stdin closing), then kills them. Used to
// give the live engine's /proc scan a machine with many processes (live_start_drops.sh).
//
//   idle_children N
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 || std::atoi(argv[1]) <= 0) {
        std::fprintf(stderr, "usage: idle_children N (N > 0)\n");
        return 2;
    }
    const int n = std::atoi(argv[1]);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::vector<pid_t> kids;
    kids.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n && !g_stop; ++i) {
        const pid_t p = fork();
        if (p < 0) {
            std::perror("idle_children: fork");
            break;
        }
        if (p == 0) {
            // Dies with the parent whatever happens to it.
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() == 1) _exit(0);
            for (;;) pause();
        }
        kids.push_back(p);
    }
    std::printf("ready %zu\n", kids.size());
    std::fflush(stdout);
    while (!g_stop) {
        char c;
        // stdin closing (the caller went away) also ends the run; a signal interrupts the read.
        if (read(0, &c, 1) == 0) break;
    }
    for (pid_t p : kids) kill(p, SIGKILL);
    for (pid_t p : kids) waitpid(p, nullptr, 0);
    return kids.size() == static_cast<size_t>(n) ? 0 : 1;
}
