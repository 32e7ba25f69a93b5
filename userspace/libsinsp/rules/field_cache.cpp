// Per-event sharing of field extractions between rules (see field_cache.h).
#include "field_cache.h"

namespace sinsp::rules::detail {

namespace {

// Cheap fields (the event's own header, a flag) cost less than the cache check: not shared.
constexpr uint32_t k_min_cost_to_share = 3;

}  // namespace

void cached_extractor::refresh(const event_context& ctx) {
    auto& e = m_entry;
    e.values.clear();
    e.applies = e.extractor->extract(ctx, e.values);
    e.evt = ctx.evt;
    e.num = ctx.evt->num;
    e.ts = ctx.evt->ts();
}

bool cached_extractor::extract(const event_context& ctx, filter::value_list& out) {
    const filter::value_list* values = this->values(ctx);
    if (values == nullptr) return false;
    for (const auto& v : *values) out.push_back(v);
    return true;
}

bool caching_registry::bind(std::string_view name, const std::optional<std::string>& arg,
                            filter::bound_field& out, std::string& error) {
    if (!m_inner.bind(name, arg, out, error)) return false;
    if (out.info.cost < k_min_cost_to_share) return true;
    auto key = std::make_pair(std::string(name), arg);
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        auto e = std::make_unique<entry>();
        e->extractor = std::move(out.extractor);
        it = m_entries.emplace(std::move(key), std::move(e)).first;
    }
    out.extractor = std::make_unique<cached_extractor>(*it->second);
    return true;
}

}  // namespace sinsp::rules::detail
