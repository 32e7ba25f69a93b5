#include "field_list.h"

#include <string>

#include "sinsp/fields.h"

namespace scapdig {

namespace {

const char* type_name(ppm_param_type t) {
    switch (t) {
        case PT_CHARBUF:
        case PT_FSPATH:
        case PT_FSRELPATH:
            return "CHARBUF";
        case PT_BYTEBUF:
            return "BYTEBUF";
        case PT_BOOL:
            return "BOOL";
        case PT_DOUBLE:
            return "DOUBLE";
        case PT_IPV4ADDR:
        case PT_IPV6ADDR:
        case PT_IPADDR:
            return "IPADDR";
        case PT_IPV4NET:
        case PT_IPV6NET:
        case PT_IPNET:
            return "IPNET";
        case PT_INT8:
        case PT_INT16:
        case PT_INT32:
        case PT_INT64:
        case PT_ERRNO:
        case PT_FD:
        case PT_PID:
            return "INT64";
        case PT_RELTIME:
            return "RELTIME";
        case PT_ABSTIME:
            return "ABSTIME";
        default:
            return "UINT64";
    }
}

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
            std::fprintf(out, "%-24s %-8s %s%s\n", name.c_str(), type_name(d.type),
                         (d.flags & sinsp::filter::FIELD_LIST) ? "(list) " : "", d.description.c_str());
        });
        std::fputc('\n', out);
    }
}

}  // namespace scapdig
