// Escape sequences inside quoted filter strings.
#include <stdexcept>
#include <string>

#include "sinsp/filter_parser.h"

namespace sinsp::filter {

namespace {
int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string unescape(std::string_view quoted) {
    std::string out;
    if (quoted.size() < 2) return out;
    const char delim = quoted.front();
    std::string_view body = quoted.substr(1, quoted.size() - 2);
    out.reserve(body.size());
    for (size_t i = 0; i < body.size(); ++i) {
        char c = body[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i >= body.size()) break;  // a lone trailing backslash is dropped
        switch (body[i]) {
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            // "\ " yields a backslash: existing rule sets contain this mis-escape, and the
            // reference keeps accepting it that way.
            case ' ':
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case '"':
                if (delim != '"') throw std::invalid_argument("invalid \\\" escape in a '-quoted string");
                out += '"';
                break;
            case '\'':
                if (delim != '\'') throw std::invalid_argument("invalid \\' escape in a \"-quoted string");
                out += '\'';
                break;
            case 'x': {
                if (i + 2 >= body.size()) {
                    throw std::invalid_argument("truncated \\x escape");
                }
                int hi = hex_digit(body[i + 1]), lo = hex_digit(body[i + 2]);
                if (hi < 0 || lo < 0) {
                    throw std::invalid_argument("invalid \\x escape: " + std::string(body.substr(i + 1, 2)));
                }
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                break;
            }
            default:
                throw std::invalid_argument("unsupported escape sequence \\" + std::string(1, body[i]));
        }
    }
    return out;
}

}  // namespace sinsp::filter
