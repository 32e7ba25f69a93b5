// Fuzzes the /proc and /etc text parsers of the live snapshot directly (fast): the first byte
// picks the file the rest of the input stands for.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proc/proc_fds.h"
#include "proc/proc_host.h"
#include "proc/proc_parse.h"
#include "proc/proc_sockets.h"

namespace sp = scap::proc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // An exactly sized heap copy: ASan sees reads past the end of the "file".
    const std::string copy(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string_view text(copy);
    std::string a, b;
    uint64_t u = 0;
    sp::socket_map sockets;
    scap::snapshot snap;
    switch (data[0] % 14) {
        case 0: {
            sp::stat_fields f;
            sp::parse_stat(text, f);
            break;
        }
        case 1: {
            sp::status_fields f;
            sp::parse_status(text, f);
            break;
        }
        case 2:
            sp::parse_nofile_limit(text, u);
            break;
        case 3:
            sp::parse_cgroup(text, {"cpu", "memory", "pids"}, a);
            break;
        case 4: {
            const std::vector<std::string> v2 = sp::parse_v2_controllers(text);
            sp::parse_cgroup("0::/a/b\n", v2, a);
            break;
        }
        case 5:
            sp::split_cmdline(text, a, b);
            break;
        case 6:
            sp::assign_nul_list(text, a);
            break;
        case 7:
            if (sp::parse_fdinfo_flags(text, u)) sp::open_flags_to_ppm(u);
            break;
        case 8:
            sp::classify_anon_link(text);
            break;
        case 9:
            sp::parse_inet_table(text, false, sp::k_l4_tcp, sockets);
            break;
        case 10:
            sp::parse_inet_table(text, true, sp::k_l4_udp, sockets);
            break;
        case 11:
            sp::parse_unix_table(text, sockets);
            break;
        case 12:
            sp::parse_netlink_table(text, sockets);
            break;
        case 13:
            sp::parse_passwd(text, snap);
            sp::parse_group(text, snap);
            break;
    }
    return 0;
}
