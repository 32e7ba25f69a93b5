#include "runtime/unix_http.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace sinsp::runtime {

namespace {

int64_t now_ms() {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

class socket_fd {
  public:
    explicit socket_fd(int fd) : m_fd(fd) {}
    ~socket_fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    socket_fd(const socket_fd&) = delete;
    socket_fd& operator=(const socket_fd&) = delete;
    int get() const { return m_fd; }

  private:
    int m_fd;
};

// Waits for `events` on fd until the deadline; false on timeout or error.
bool wait_for(int fd, short events, int64_t deadline, std::string& error) {
    for (;;) {
        const int64_t left = deadline - now_ms();
        if (left <= 0) {
            error = "timed out";
            return false;
        }
        struct pollfd p = {fd, events, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left));
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) {
            error = std::string("poll: ") + std::strerror(errno);
            return false;
        }
    }
}

bool iequals_prefix(std::string_view line, std::string_view name) {
    if (line.size() < name.size()) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// A chunked body: hex size line, data, CRLF, ... up to a zero-size chunk.
bool dechunk(std::string_view in, std::string& out, std::string& error) {
    out.clear();
    for (;;) {
        const size_t eol = in.find("\r\n");
        if (eol == std::string_view::npos) break;
        size_t size = 0;
        size_t digits = 0;
        for (char c : in.substr(0, eol)) {
            int v = -1;
            if (c >= '0' && c <= '9') v = c - '0';
            if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
            if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
            if (v < 0) break;  // chunk extensions follow ';'
            if (size > (SIZE_MAX >> 4)) break;
            size = size * 16 + static_cast<size_t>(v);
            ++digits;
        }
        if (digits == 0) break;
        in.remove_prefix(eol + 2);
        if (size == 0) return true;
        if (in.size() < size) break;
        out.append(in.substr(0, size));
        in.remove_prefix(std::min(in.size(), size + 2));
    }
    error = "chunked body cut short or malformed";
    return false;
}

}  // namespace

namespace {

// framed: the body's end is known from the header (Content-Length or chunked), so the answer
// is complete without waiting for the connection to close.
bool parse_answer(std::string_view raw, http_answer& out, std::string& error, bool& framed) {
    framed = false;
    const size_t head_end = raw.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
        error = "answer has no complete header";
        return false;
    }
    std::string_view head = raw.substr(0, head_end);
    std::string_view body = raw.substr(head_end + 4);
    // "HTTP/1.x NNN reason"
    if (head.substr(0, 5) != "HTTP/" || head.size() < 12 || head[8] != ' ') {
        error = "not an HTTP answer";
        return false;
    }
    out.status = 0;
    for (size_t i = 9; i < 12; ++i) {
        if (head[i] < '0' || head[i] > '9') {
            error = "bad HTTP status";
            return false;
        }
        out.status = out.status * 10 + (head[i] - '0');
    }
    bool chunked = false;
    size_t content_length = SIZE_MAX;
    size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos) {
        head.remove_prefix(pos + 2);
        pos = head.find("\r\n");
        const std::string_view line = head.substr(0, pos);
        if (iequals_prefix(line, "transfer-encoding:"))
            chunked = trim(line.substr(18)).find("chunked") != std::string_view::npos;
        if (iequals_prefix(line, "content-length:")) {
            size_t n = 0;
            for (char c : trim(line.substr(15))) {
                if (c < '0' || c > '9' || n > SIZE_MAX / 10 - 1) {
                    error = "bad Content-Length";
                    return false;
                }
                n = n * 10 + static_cast<size_t>(c - '0');
            }
            content_length = n;
        }
    }
    if (chunked) {
        framed = true;
        return dechunk(body, out.body, error);
    }
    if (content_length != SIZE_MAX) {
        framed = true;
        if (body.size() < content_length) {
            error = "body shorter than its Content-Length";
            return false;
        }
        body = body.substr(0, content_length);
    }
    out.body.assign(body);
    return true;
}

}  // namespace

bool parse_http_answer(std::string_view raw, http_answer& out, std::string& error) {
    bool framed = false;
    return parse_answer(raw, out, error, framed);
}

bool http_get_unix(const std::string& socket_path, std::string_view target, int timeout_ms, size_t max_bytes,
                   http_answer& out, std::string& error) {
    const int64_t deadline = now_ms() + timeout_ms;
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) {
        error = socket_path + ": path too long for a unix socket";
        return false;
    }
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    socket_fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (s.get() < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) {
            out.no_server = errno == ENOENT || errno == ECONNREFUSED;
            error = socket_path + ": " + std::strerror(errno);
            return false;
        }
        if (!wait_for(s.get(), POLLOUT, deadline, error)) return false;
        int so_error = 0;
        socklen_t len = sizeof so_error;
        ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &so_error, &len);
        if (so_error != 0) {
            out.no_server = so_error == ECONNREFUSED;
            error = socket_path + ": " + std::strerror(so_error);
            return false;
        }
    }
    std::string request = "GET ";
    request.append(target);
    request.append(
        " HTTP/1.0\r\nHost: localhost\r\nUser-Agent: scap-sinsp\r\nAccept: application/json\r\n\r\n");
    for (size_t sent = 0; sent < request.size();) {
        const ssize_t n = ::send(s.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for(s.get(), POLLOUT, deadline, error)) return false;
        } else {
            error = std::string("send: ") + std::strerror(errno);
            return false;
        }
    }
    // Read to the end of the connection (HTTP/1.0) or until the header's Content-Length is in.
    std::string raw;
    char chunk[16384];
    for (;;) {
        const ssize_t n = ::recv(s.get(), chunk, sizeof chunk, 0);
        if (n > 0) {
            raw.append(chunk, static_cast<size_t>(n));
            if (raw.size() > max_bytes) {
                error = "answer larger than " + std::to_string(max_bytes) + " bytes";
                return false;
            }
            continue;
        }
        if (n == 0) break;
        if (errno == EINTR) continue;
        if (errno != EAGAIN) {
            error = std::string("recv: ") + std::strerror(errno);
            return false;
        }
        // A server may keep the connection open after an answer whose end its header gives.
        std::string ignored;
        bool framed = false;
        if (parse_answer(raw, out, ignored, framed) && framed) return true;
        if (!wait_for(s.get(), POLLIN, deadline, error)) return false;
    }
    return parse_http_answer(raw, out, error);
}

}  // namespace sinsp::runtime
