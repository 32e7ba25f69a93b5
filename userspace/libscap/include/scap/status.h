// Result codes shared by every libscap API.
#pragma once

namespace scap {

enum class status : int {
    ok = 0,
    timeout,        // live engines: nothing available right now, call again
    eof,            // capture file ended cleanly
    error,          // see the object's last_error(): what went wrong and where
    not_supported,  // the engine cannot do this (e.g. start/stop on a file)
};

inline const char* to_string(status s) {
    switch (s) {
        case status::ok:
            return "ok";
        case status::timeout:
            return "timeout";
        case status::eof:
            return "eof";
        case status::error:
            return "error";
        case status::not_supported:
            return "not supported";
    }
    return "?";
}

}  // namespace scap
