#include "savefile/block_types.h"

namespace scap::block {

const char* name(uint32_t t) {
    switch (t) {
        case section_header:
            return "section header";
        case machine_info:
        case machine_info_int:
            return "machine info";
        case proclist_v1:
        case proclist_v1_int:
        case proclist_v2:
        case proclist_v2_int:
        case proclist_v3:
        case proclist_v3_int:
        case proclist_v4:
        case proclist_v5:
        case proclist_v6:
        case proclist_v7:
        case proclist_v8:
        case proclist_v9:
            return "process list";
        case fdlist:
        case fdlist_int:
        case fdlist_v2:
            return "fd list";
        case iflist:
        case iflist_int:
        case iflist_v2:
            return "interface list";
        case userlist:
        case userlist_int:
        case userlist_v2:
            return "user list";
        case event:
        case event_int:
        case event_v2:
        case event_v2_large:
            return "event";
        case event_flags:
        case event_flags_v2:
        case event_flags_v2_large:
            return "event with flags";
        default:
            return "unknown";
    }
}

}  // namespace scap::block
