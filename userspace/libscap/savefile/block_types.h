// Capture-file block types (pcapng-style blocks: u32 type, u32 total length, body, u32 total
// length again; bodies padded to 4 bytes). Numbers are part of the file format.
#pragma once

#include <cstdint>

namespace scap::block {

constexpr uint32_t section_header = 0x0A0D0D0A;
constexpr uint32_t byte_order_magic = 0x1A2B3C4D;
constexpr uint16_t current_major = 1;
constexpr uint16_t current_minor = 2;

constexpr uint32_t machine_info = 0x201;
constexpr uint32_t machine_info_int = 0x8002ABCD;

// Process lists, oldest first. Each version appends fields to the one before.
constexpr uint32_t proclist_v1 = 0x202;
constexpr uint32_t proclist_v1_int = 0x8000ABCD;
constexpr uint32_t proclist_v2 = 0x207;
constexpr uint32_t proclist_v2_int = 0x8013ABCD;
constexpr uint32_t proclist_v3 = 0x209;
constexpr uint32_t proclist_v3_int = 0x8014ABCD;
constexpr uint32_t proclist_v4 = 0x210;
constexpr uint32_t proclist_v5 = 0x211;
constexpr uint32_t proclist_v6 = 0x212;
constexpr uint32_t proclist_v7 = 0x213;
constexpr uint32_t proclist_v8 = 0x214;
constexpr uint32_t proclist_v9 = 0x215;  // entries carry their own length: later fields are optional

constexpr uint32_t fdlist = 0x203;
constexpr uint32_t fdlist_int = 0x8001ABCD;
constexpr uint32_t fdlist_v2 = 0x218;  // entries carry their own length

constexpr uint32_t event = 0x204;  // old event header: no nparams
constexpr uint32_t event_int = 0x8010ABCD;
constexpr uint32_t event_v2 = 0x216;
constexpr uint32_t event_v2_large = 0x221;

constexpr uint32_t iflist = 0x205;
constexpr uint32_t iflist_int = 0x8011ABCD;
constexpr uint32_t iflist_v2 = 0x219;

constexpr uint32_t userlist = 0x206;
constexpr uint32_t userlist_int = 0x8012ABCD;
constexpr uint32_t userlist_v2 = 0x220;

constexpr uint32_t event_flags = 0x208;  // old event header: no nparams
constexpr uint32_t event_flags_v2 = 0x217;
constexpr uint32_t event_flags_v2_large = 0x222;

// Bytes of block header (type + length) and trailer (length).
constexpr uint32_t header_size = 8;
constexpr uint32_t trailer_size = 4;
// Refuse blocks larger than this: no capture writes them, and a corrupted length must not make
// us allocate gigabytes.
constexpr uint32_t max_block_size = 256u << 20;
// Whether a block's declared total length is one a reader accepts.
inline bool length_ok(uint32_t len) {
    return len >= header_size + trailer_size && len <= max_block_size;
}

// What a reader needs to know of a block type as an event block, from one switch (it runs for
// every block; chains of compares cost several times more).
struct event_kind {
    bool event = false;  // an event block at all
    bool flags = false;  // a u32 of flags follows the cpu id
    bool v1 = false;     // the old 22-byte event header, without nparams
    // Bytes of the body before the event: the cpu id, and the flags when there are some.
    uint32_t prefix() const { return flags ? 6 : 2; }
};
inline event_kind kind_of(uint32_t t) {
    // The current writers' two event types first: nearly every block of a capture is one of them
    // (a switch over these sparse values is a tree of compares).
    if (t == event_flags_v2) return {true, true, false};
    if (t == event_v2) return {true, false, false};
    switch (t) {
        case event_flags_v2_large:
            return {true, true, false};
        case event_v2_large:
            return {true, false, false};
        case event:
        case event_int:
            return {true, false, true};
        case event_flags:
            return {true, true, true};
        default:
            return {};
    }
}
inline bool is_event(uint32_t t) {
    return kind_of(t).event;
}

// Human-readable name for error messages.
const char* name(uint32_t type);

}  // namespace scap::block
