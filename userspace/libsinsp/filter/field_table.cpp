// The ready-made registry: fields bound by longest prefix.
#include <cstring>

#include "sinsp/filter_field.h"

namespace sinsp::filter {

void field_table::add(field_descriptor info, factory make) {
    m_entries.push_back({std::move(info), std::move(make)});
}

bool field_table::bind(std::string_view name, const std::optional<std::string>& arg, bound_field& out,
                       std::string& error) {
    // Longest registered name that `name` starts with, ending at a '.' boundary or the end.
    const entry* best = nullptr;
    for (const auto& e : m_entries) {
        const auto& n = e.info.name;
        if (name.size() < n.size() || name.compare(0, n.size(), n) != 0) continue;
        if (name.size() > n.size() && name[n.size()] != '.') continue;
        if (!best || n.size() > best->info.name.size()) best = &e;
    }
    if (!best) {
        error = "unknown field '" + std::string(name) + "'";
        return false;
    }
    std::optional<std::string> effective = arg;
    const bool takes_arg = (best->info.flags & (FIELD_ARG_ALLOWED | FIELD_ARG_REQUIRED)) != 0;
    if (name.size() > best->info.name.size()) {
        // "evt.arg.name" spells "evt.arg[name]"; both forms at once make no sense.
        if (!takes_arg || arg) {
            error = "unknown field '" + std::string(name) + "'";
            return false;
        }
        effective = std::string(name.substr(best->info.name.size() + 1));
    }
    if (effective && !takes_arg) {
        error = "field '" + best->info.name + "' does not take an argument";
        return false;
    }
    if (!effective && (best->info.flags & FIELD_ARG_REQUIRED)) {
        error = "field '" + best->info.name + "' requires an argument";
        return false;
    }
    out.info = best->info;
    out.extractor = best->make(effective, out.info, error);
    return out.extractor != nullptr;
}

}  // namespace sinsp::filter
