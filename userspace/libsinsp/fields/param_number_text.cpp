// Event parameters as evt.args, evt.arg and evt.info show them, for the types whose text the
// reference's event layer renders its own way (not as the capture-level printer does): integers
// by their print format (octal with a leading 0, upper-case hexadecimal without a prefix, signed
// decimal otherwise, 64-bit unsigned values included), flags in decimal, signals, durations,
// user and group ids with their names, and absent parameters.
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "fields/evt_common.h"
#include "scap/param_format.h"

namespace sinsp::fields {

namespace {

// The number in the parameter's print format; `width` is 8, 16, 32 or 64 bits. Decimal is signed
// whatever the parameter's type: the reference prints unsigned parameters that way too.
void append_number(std::string& out, uint32_t fmt, uint64_t bits, int width) {
    char buf[40];
    const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    const uint64_t u = bits & mask;
    int64_t s;
    switch (width) {
        case 8:
            s = static_cast<int8_t>(u);
            break;
        case 16:
            s = static_cast<int16_t>(u);
            break;
        case 32:
            s = static_cast<int32_t>(u);
            break;
        default:
            s = static_cast<int64_t>(u);
            break;
    }
    switch (fmt) {
        case PF_OCT:
            std::snprintf(buf, sizeof buf, "%#" PRIo64, u);
            break;
        case PF_HEX:
            std::snprintf(buf, sizeof buf, "%" PRIX64, u);
            break;
        case PF_10_PADDED_DEC:
            std::snprintf(buf, sizeof buf, "%09" PRId64, s);
            break;
        default:
            std::snprintf(buf, sizeof buf, "%" PRId64, s);
            break;
    }
    out += buf;
}

uint64_t raw_bits(scap::param_view v) {
    switch (v.len) {
        case 1:
            return v.as<uint8_t>();
        case 2:
            return v.as<uint16_t>();
        case 4:
            return v.as<uint32_t>();
        default:
            return v.as<uint64_t>();
    }
}

bool append_signal_name(std::string& out, uint32_t sig) {
    const char* abbrev = sig > 0 && sig < 65 ? sigabbrev_np(static_cast<int>(sig)) : nullptr;
    if (!abbrev) return false;
    out += "SIG";
    out += abbrev;
    return true;
}

}  // namespace

bool param_number_text(const event_context& c, const scap_param_info& info, scap::param_view v,
                       std::string& raw, std::string& resolved, bool& has_meaning) {
    has_meaning = false;
    const auto type = static_cast<ppm_param_type>(info.type);
    if (v.len == 0) return false;  // scap::append_param_raw prints <NA> or NULL by type
    switch (type) {
        case PT_INT8:
        case PT_UINT8:
            append_number(raw, info.fmt, raw_bits(v), 8);
            return true;
        case PT_INT16:
        case PT_UINT16:
            append_number(raw, info.fmt, raw_bits(v), 16);
            return true;
        case PT_INT32:
        case PT_UINT32:
            append_number(raw, info.fmt, raw_bits(v), 32);
            return true;
        case PT_INT64:
        case PT_UINT64:
            append_number(raw, info.fmt, raw_bits(v), 64);
            return true;
        case PT_ERRNO: {
            // Decimal whatever the print format (mmap's address included), named when negative.
            const int64_t res = v.len == 4 ? v.as<int32_t>() : v.as<int64_t>();
            raw += std::to_string(res);
            const char* name = res < 0 && res >= -4095 ? strerrorname_np(static_cast<int>(-res)) : nullptr;
            if (name) resolved += name;
            has_meaning = name != nullptr;
            return true;
        }
        case PT_MODE:
            append_number(raw, info.fmt, raw_bits(v), 32);
            has_meaning = scap::append_param_resolved(resolved, info, v);
            return true;
        case PT_FLAGS8:
        case PT_FLAGS16:
        case PT_FLAGS32:
        case PT_ENUMFLAGS8:
        case PT_ENUMFLAGS16:
        case PT_ENUMFLAGS32:
            raw += std::to_string(raw_bits(v));
            has_meaning = scap::append_param_resolved(resolved, info, v);
            return true;
        case PT_SIGTYPE: {
            const uint32_t sig = v.as<uint8_t>();
            raw += std::to_string(sig);
            has_meaning = append_signal_name(resolved, sig);
            return true;
        }
        case PT_RELTIME: {
            const uint64_t ns = v.as<uint64_t>();
            if (ns == UINT64_MAX) {
                raw += "none";
                return true;
            }
            raw += std::to_string(ns);
            char buf[40];
            std::snprintf(buf, sizeof buf, "%lgs", static_cast<double>(ns) / 1e9);
            resolved += buf;
            has_meaning = true;
            return true;
        }
        case PT_UID:
        case PT_GID: {
            const uint32_t id = v.as<uint32_t>();
            has_meaning = true;
            if (id == UINT32_MAX) {
                raw += "-1";
                resolved += "<NONE>";
                return true;
            }
            raw += std::to_string(static_cast<int32_t>(id));
            const std::string* name = nullptr;
            if (c.evt->thread) {
                if (type == PT_UID) {
                    if (const auto* u = c.insp->user(id)) name = &u->name;
                } else if (const auto* g = c.insp->group(id)) {
                    name = &g->name;
                }
            }
            resolved += name && !name->empty() ? *name : std::string("<NA>");
            return true;
        }
        default:
            return false;
    }
}

}  // namespace sinsp::fields
