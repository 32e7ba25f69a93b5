// Priorities, positions and the loader's messages.
#include <algorithm>
#include <array>
#include <cctype>

#include "model.h"

namespace sinsp::rules {

namespace {
constexpr std::array<const char*, 8> k_priority_names = {"Emergency", "Alert",  "Critical",      "Error",
                                                         "Warning",   "Notice", "Informational", "Debug"};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}
}  // namespace

std::optional<priority> parse_priority(std::string_view text) {
    for (size_t i = 0; i < k_priority_names.size(); ++i) {
        if (iequals(text, k_priority_names[i])) return static_cast<priority>(i);
    }
    if (iequals(text, "info")) return priority::informational;
    return std::nullopt;
}

const char* priority_name(priority p) {
    const auto i = static_cast<size_t>(p);
    return i < k_priority_names.size() ? k_priority_names[i] : "Unknown";
}

std::string location::to_string() const {
    std::string out = file.empty() ? "<rules>" : file;
    if (line) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    return out;
}

std::string diagnostic::to_string() const {
    std::string out = where.to_string() + (severity == level::error ? ": error: " : ": warning: ");
    if (!item_kind.empty()) {
        out += item_kind;
        if (!item.empty()) out += " '" + item + "'";
        out += ": ";
    }
    return out + message;
}

namespace detail {

void reporter::error(const location& where, const std::string& kind, const std::string& item,
                     const std::string& msg) {
    items.push_back({diagnostic::level::error, where, kind, item, msg});
}

void reporter::warning(const location& where, const std::string& kind, const std::string& item,
                       const std::string& msg) {
    items.push_back({diagnostic::level::warning, where, kind, item, msg});
}

size_t reporter::errors() const {
    return static_cast<size_t>(std::count_if(items.begin(), items.end(), [](const diagnostic& d) {
        return d.severity == diagnostic::level::error;
    }));
}

}  // namespace detail
}  // namespace sinsp::rules
