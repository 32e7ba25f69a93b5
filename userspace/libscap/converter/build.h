// Executes one add_params / change_type rule: builds the new event into a caller-owned buffer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/enter_store.h"
#include "converter/rules.h"

namespace scap::conv {

struct build_result {
    bool ok = false;
    bool used_enter = false;     // an enter parameter was taken: the stored enter is spent
    bool missing_enter = false;  // an enter parameter was wanted but nothing was stored
};

// Builds into `out` (resized as needed, never shrunk) the event `r` describes, from `in` and the
// thread's stored enter. On failure sets `err` and returns ok == false.
build_result build_event(const rule& r, const event_header* in, const enter_store& store,
                         std::vector<uint8_t>& out, std::string& err);

// Display name of an event type for messages: "open_X (3)".
std::string event_label(uint16_t type);

}  // namespace scap::conv
