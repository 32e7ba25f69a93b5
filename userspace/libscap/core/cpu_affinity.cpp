#include "scap/cpu_affinity.h"

#include <sched.h>

#include <cerrno>
#include <cstring>

namespace scap {

bool pin_current_thread(const cpu_list& cpus, std::string& error) {
    if (cpus.empty()) return true;
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned c : cpus) {
        if (c >= CPU_SETSIZE) {
            error = "CPU " + std::to_string(c) + " is out of range";
            return false;
        }
        CPU_SET(c, &set);
    }
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        error = "cannot run on the CPUs asked for: " + std::string(std::strerror(errno));
        return false;
    }
    return true;
}

cpu_list current_thread_cpus() {
    cpu_list out;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
    for (unsigned c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) out.push_back(c);
    return out;
}

}  // namespace scap
