// The converter's engine: classify by type (one array read), then run rules until the event is
// current. See proposals/0002-converter.md.
#include "converter/converter.h"

#include "converter/build.h"
#include "converter/enter_store.h"
#include "converter/rules.h"

namespace scap {

using conv::action;
using conv::disposition;

namespace {
// A rule chain longer than this means the table loops; the longest real chain is three steps.
constexpr int k_max_steps = 16;
}  // namespace

struct converter::impl {
    const conv::rule_table& table = conv::rule_table::get();
    conv::enter_store enters;
    std::vector<uint8_t> buf[2];  // built events alternate so a step can read the previous one
    int next_buf = 0;
};

converter::converter() : m_impl(new impl) {
    for (uint16_t type = 0; type < PPM_EVENT_MAX; ++type) {
        const conv::type_info& ti = m_impl->table.info(type);
        m_current_nparams[type] = ti.disp == disposition::pass ? k_any_nparams
                                  : ti.disp == disposition::pass_if_complete
                                      ? static_cast<uint16_t>(ti.nparams)
                                      : k_never_current;
    }
}
converter::~converter() {
    delete m_impl;
}

uint64_t converter::enter_evictions() const {
    return m_impl->enters.evictions();
}
size_t converter::stored_enters() const {
    return m_impl->enters.stored();
}

converter::outcome converter::fail(std::string msg) {
    m_last_error = std::move(msg);
    ++m_stats.errors;
    return outcome::error;
}

converter::outcome converter::convert_slow(const event_header* in, const event_header** out) {
    if (in->type >= PPM_EVENT_MAX) return fail("unknown event type " + std::to_string(in->type));
    impl& m = *m_impl;
    const event_header* cur = in;
    for (int step = 0; step < k_max_steps; ++step) {
        const uint16_t type = cur->type;
        const uint32_t np = cur->nparams;
        const conv::type_info& ti = m.table.info(type);
        switch (ti.disp) {
            case disposition::pass:
                return deliver(in, cur, out);
            case disposition::drop:
                ++m_stats.dropped;
                return outcome::consumed;
            case disposition::schema_bug:
                return fail("schema bug: old " + conv::event_label(type) +
                            " is not flagged as managed by the converter");
            case disposition::pass_if_complete:
                if (np == ti.nparams) return deliver(in, cur, out);
                if (np > ti.nparams)
                    return fail(conv::event_label(type) + " has " + std::to_string(np) +
                                " parameters, more than the " + std::to_string(ti.nparams) +
                                " the schema knows");
                break;
            case disposition::convert:
                break;
        }
        const conv::rule* r = m.table.find(type, np);
        if (r == nullptr)
            return fail("no conversion rule for " + conv::event_label(type) + " with " + std::to_string(np) +
                        " parameters");
        switch (r->act) {
            case action::none:
            case action::pass:
                return deliver(in, cur, out);
            case action::drop:
                ++m_stats.dropped;
                return outcome::consumed;
            case action::store_enter:
                m.enters.put(cur);
                ++m_stats.enter_stored;
                if (ti.numbered_enter) ++m_numbered_enters;
                return outcome::consumed;
            case action::store_and_pass:
                m.enters.put(cur);
                ++m_stats.enter_stored;
                return deliver(in, cur, out);
            case action::add_params:
            case action::change_type: {
                std::vector<uint8_t>& dst = m.buf[m.next_buf];
                m.next_buf ^= 1;
                const conv::build_result b = conv::build_event(*r, cur, m.enters, dst, m_last_error);
                if (!b.ok) {
                    ++m_stats.errors;
                    return outcome::error;
                }
                if (b.used_enter) m.enters.clear(cur->tid);
                if (b.missing_enter) ++m_stats.missing_enter;
                cur = reinterpret_cast<const event_header*>(dst.data());
                break;
            }
        }
    }
    return fail("conversion of " + conv::event_label(in->type) + " did not settle after " +
                std::to_string(k_max_steps) + " steps");
}

converter::outcome converter::deliver(const event_header* in, const event_header* cur,
                                      const event_header** out) {
    *out = cur;
    if (cur == in) {
        ++m_stats.passed;
        return outcome::pass;
    }
    ++m_stats.converted;
    return outcome::converted;
}

}  // namespace scap
