#include "field_list.h"

#include <string>

#include "sinsp/fields.h"

namespace scapdig {

namespace {

bool in_class(const std::string& field, const char* cls) {
    const std::string prefix = std::string(cls) + ".";
    if (field.compare(0, prefix.size(), prefix) != 0) return false;
    // "fs.path.name" belongs to fs.path, not to a class named "fs"; no class is a prefix of
    // another here except through such dotted names, which are listed under the longer one.
    for (const auto& other : sinsp::field_classes()) {
        const std::string op = std::string(other.name) + ".";
        if (op.size() > prefix.size() && field.compare(0, op.size(), op) == 0) return false;
    }
    return true;
}

}  // namespace

void print_field_list(FILE* out) {
    sinsp::field_catalog catalog;
    for (const auto& cls : sinsp::field_classes()) {
        std::fprintf(out, "-------------------------------\nField Class: %s\n%s\n\n", cls.name,
                     cls.description);
        catalog.for_each_field([&](const sinsp::filter::field_descriptor& d) {
            if (!in_class(d.name, cls.name)) return;
            std::string name = d.name;
            if (d.flags & sinsp::filter::FIELD_ARG_REQUIRED)
                name += "[ARG]";
            else if (d.flags & sinsp::filter::FIELD_ARG_ALLOWED)
                name += "[ARG?]";
            std::fprintf(out, "%-24s %-8s %s%s\n", name.c_str(), sinsp::filter::type_name(d.type),
                         (d.flags & sinsp::filter::FIELD_LIST) ? "(list) " : "", d.description.c_str());
        });
        std::fputc('\n', out);
    }
}

}  // namespace scapdig
