#include "composite.h"

#include <charconv>

namespace sinsp::filter {

bool constant_extractor::extract(const event_context&, value_list& out) {
    out.push_back(value_view::text(m_text));
    return true;
}

bool decimal_text_extractor::extract(const event_context& ctx, value_list& out) {
    if (!m_number->produce(ctx) || m_number->values.empty()) return false;
    const uint64_t n = m_number->values[0].num;
    auto [end, ec] = m_signed ? std::to_chars(m_text, m_text + sizeof m_text, static_cast<int64_t>(n))
                              : std::to_chars(m_text, m_text + sizeof m_text, n);
    if (ec != std::errc()) return false;
    out.push_back(value_view::bytes(m_text, static_cast<size_t>(end - m_text)));
    return true;
}

bool list_extractor::extract(const event_context& ctx, value_list& out) {
    for (auto& e : m_elements) {
        if (!e->produce(ctx)) return false;
        for (const auto& v : e->values) out.push_back(v);
    }
    return true;
}

bool join_extractor::extract(const event_context& ctx, value_list& out) {
    if (!m_sep->produce(ctx) || m_sep->values.empty() || !m_list->produce(ctx)) return false;
    // Values may carry their terminator; the joined text must not contain it.
    const std::string_view sep = trim_text(m_sep->values[0]).str();
    m_result.clear();
    for (size_t i = 0; i < m_list->values.size(); ++i) {
        if (i) m_result += sep;
        m_result += trim_text(m_list->values[i]).str();
    }
    out.push_back(value_view::text(m_result));
    return true;
}

bool concat_extractor::extract(const event_context& ctx, value_list& out) {
    m_result.clear();
    for (auto& p : m_parts) {
        if (!p->produce(ctx) || p->values.empty()) return false;
        m_result += trim_text(p->values[0]).str();
    }
    out.push_back(value_view::text(m_result));
    return true;
}

}  // namespace sinsp::filter
