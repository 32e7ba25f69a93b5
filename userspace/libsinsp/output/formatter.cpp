// Output formats: parsing once into literal and field tokens, rendering per event.
#include "sinsp/formatter.h"

#include <cinttypes>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "sinsp/value_text.h"

namespace sinsp {

struct event_formatter::token {
    std::string literal;                            // text copied as is (when no value)
    std::unique_ptr<filter::compiled_value> value;  // a field or transformer expression
    size_t width = 0;                               // %N: pad or cut to N characters
};

namespace {

[[noreturn]] void fail_at(size_t offset, const std::string& what) {
    filter::ast::position pos;
    pos.offset = static_cast<uint32_t>(offset);
    pos.line = 1;
    pos.column = static_cast<uint32_t>(offset + 1);
    throw filter::filter_error(pos, what);
}

// Re-raises a parse error found inside the format with its position moved to the format's
// coordinates.
[[noreturn]] void rethrow_shifted(const filter::filter_error& e, size_t base) {
    fail_at(base + e.pos().offset, e.detail());
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// One value as text, in hexadecimal when the field asks for it (fd.dev).
void append_shown(std::string& out, ppm_param_type type, uint32_t flags, const filter::value_view& v) {
    if ((flags & filter::FIELD_SHOW_HEX) && v.data == nullptr) {
        char buf[24];
        const bool narrow = type == PT_INT32 || type == PT_UINT32 || type == PT_INT16 || type == PT_UINT16 ||
                            type == PT_INT8 || type == PT_UINT8;
        if (narrow) {
            std::snprintf(buf, sizeof buf, "%" PRIX32, static_cast<uint32_t>(v.num));
        } else {
            std::snprintf(buf, sizeof buf, "%" PRIX64, v.num);
        }
        out += buf;
        return;
    }
    append_value_text(out, type, v);
}

void append_json_value(nlohmann::ordered_json& slot, ppm_param_type type, uint32_t flags,
                       const filter::value_view& v, std::string& scratch) {
    if (flags & filter::FIELD_SHOW_HEX) {
        scratch.clear();
        append_shown(scratch, type, flags, v);
        slot = scratch;
        return;
    }
    // Numbers stay numbers unless the field carries them as bytes (a type rendered as text).
    switch (filter::family_of(type)) {
        case filter::family::signed_int:
            slot = static_cast<int64_t>(v.num);
            return;
        case filter::family::unsigned_int:
            if (v.data == nullptr) {
                slot = v.num;
                return;
            }
            break;
        case filter::family::boolean:
            slot = v.num != 0;
            return;
        case filter::family::real:
            slot = v.as_double();
            return;
        default:
            break;
    }
    scratch.clear();
    append_value_text(scratch, type, v);
    slot = scratch;
}

// Fields whose several values any may match (proc.aname without a level: every ancestor) are
// shown as one text, joined as the reference joins them: a space goes before a value only once
// the text so far is not empty, so empty values (ancestors without an executable path) add
// nothing at the start. Returns false when the whole text is empty: the field then shows no value
// (<NA>, JSON null), as in the reference.
bool join_any_values(std::string& out, ppm_param_type type, const filter::value_list& values) {
    const size_t start = out.size();
    for (size_t i = 0; i < values.size(); ++i) {
        if (out.size() != start) out += ' ';
        append_value_text(out, type, values[i]);
    }
    return out.size() != start;
}

}  // namespace

event_formatter::event_formatter(std::string_view format, filter::field_registry& fields) {
    size_t i = 0;
    if (!format.empty() && format[0] == '*') {
        m_require_all = false;
        i = 1;
    }
    std::string literal;
    auto flush_literal = [&] {
        if (literal.empty()) return;
        token t;
        t.literal = std::move(literal);
        literal.clear();
        m_tokens.push_back(std::move(t));
    };
    while (i < format.size()) {
        const char c = format[i];
        if (c != '%') {
            literal += c;
            ++i;
            continue;
        }
        const size_t at = i++;
        if (i == format.size()) fail_at(at, "the format ends with '%': a field name must follow it");
        size_t width = 0;
        while (i < format.size() && is_digit(format[i]))
            width = width * 10 + static_cast<size_t>(format[i++] - '0');
        if (i == format.size())
            fail_at(at, "the format ends after a field width: a field name must follow it");
        token t;
        t.width = width;
        try {
            size_t consumed = 0;
            const auto term = filter::parse_value_prefix(format.substr(i), consumed);
            t.value = filter::compile_value(term, fields);
            i += consumed;
        } catch (const filter::filter_error& e) {
            rethrow_shifted(e, i);
        }
        flush_literal();
        m_tokens.push_back(std::move(t));
    }
    flush_literal();
}

event_formatter::~event_formatter() = default;

bool event_formatter::format(const event_context& ctx, std::string& out) {
    const size_t start = out.size();
    for (auto& t : m_tokens) {
        if (!t.value) {
            out += t.literal;
            continue;
        }
        const size_t before = out.size();
        const auto* values = t.value->extract(ctx);
        const uint32_t flags = t.value->flags();
        bool shown = values != nullptr;
        if (values && (flags & filter::FIELD_ANY_VALUE)) {
            shown = join_any_values(out, t.value->type(), *values);
        } else if (values && (flags & filter::FIELD_SHOW_HEX) && values->size() == 1) {
            append_shown(out, t.value->type(), flags, (*values)[0]);
        } else if (values) {
            append_values_text(out, t.value->type(), *values);
        }
        if (!shown) {
            if (m_require_all) {
                out.resize(start);
                return false;
            }
            out += "<NA>";
        }
        if (t.width) out.resize(before + t.width, ' ');
    }
    return true;
}

bool event_formatter::format_json(const event_context& ctx, std::string& out) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    std::string scratch;
    for (auto& t : m_tokens) {
        if (!t.value) continue;
        auto& slot = obj[t.value->name()];
        if (t.value->flags() & filter::FIELD_JSON_TIMESTAMP) {
            slot = ctx.evt->ts();
            continue;
        }
        const auto* values = t.value->extract(ctx);
        scratch.clear();
        if (values && (t.value->flags() & filter::FIELD_ANY_VALUE) &&
            !join_any_values(scratch, t.value->type(), *values))
            values = nullptr;  // nothing but empty values: no value
        if (!values) {
            if (m_require_all) return false;
            slot = nullptr;
            continue;
        }
        if (values->empty()) {
            slot = nullptr;  // an empty list is null, as in the reference's JSON
        } else if ((t.value->flags() & filter::FIELD_ANY_VALUE) && values->size() != 1) {
            // Several values any of which counts (proc.aname: every ancestor): one string, as the
            // reference's JSON has them (joined into scratch above).
            slot = scratch;
        } else if (t.value->is_list() || values->size() != 1) {
            slot = nlohmann::ordered_json::array();
            for (const auto& v : *values) {
                nlohmann::ordered_json item;
                append_json_value(item, t.value->type(), t.value->flags(), v, scratch);
                slot.push_back(std::move(item));
            }
        } else {
            append_json_value(slot, t.value->type(), t.value->flags(), (*values)[0], scratch);
        }
    }
    // Binary payloads are not always valid UTF-8: replace rather than throw.
    out += obj.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    return true;
}

std::vector<std::string> event_formatter::field_names() const {
    std::vector<std::string> names;
    for (const auto& t : m_tokens) {
        if (t.value) names.push_back(t.value->name());
    }
    return names;
}

}  // namespace sinsp
