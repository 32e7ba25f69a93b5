// One HTTP/1.0 GET over a unix socket, with a deadline and a size bound: all the runtime API
// client needs (HTTP/1.0, so the server closes the connection after the answer and sends no
// chunked body; chunked answers are still understood).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sinsp::runtime {

struct http_answer {
    int status = 0;
    std::string body;
    // Set when the GET failed because nothing listens at the path (no socket file, or connection
    // refused): the usual case for a runtime that is not installed, not an error worth counting.
    bool no_server = false;
};

// False with a reason in `error` when there was no complete answer: no socket, connection
// refused, timeout, an answer larger than max_bytes, or one that is not HTTP.
bool http_get_unix(const std::string& socket_path, std::string_view target, int timeout_ms, size_t max_bytes,
                   http_answer& out, std::string& error);

// The body of a complete raw answer (status line, headers, body); exposed for tests.
bool parse_http_answer(std::string_view raw, http_answer& out, std::string& error);

}  // namespace sinsp::runtime
