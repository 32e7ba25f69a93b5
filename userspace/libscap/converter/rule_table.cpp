#include "converter/rules.h"
#include "converter/tweaks.h"

namespace scap::conv {

rule_table::rule_table() {
    // Dispositions follow the schema flags alone, so the hot path never needs a rule lookup for
    // events that are already current.
    for (uint16_t t = 0; t < PPM_EVENT_MAX; ++t) {
        const auto& e = scap_event_table[t];
        type_info& ti = m_types[t];
        ti.nparams = e.nparams;
        const bool old = (e.flags & EF_OLD_VERSION) != 0;
        if (e.flags & EF_UNUSED) {
            ti.disp = disposition::drop;
        } else if (!(e.flags & EF_CONVERTER_MANAGED)) {
            // Not managed: current events pass whatever their parameter count (the consumer copes,
            // as with the reference); old enters are of no use; old exits would be a schema bug.
            ti.disp = !old               ? disposition::pass
                      : is_enter_code(t) ? disposition::drop
                                         : disposition::schema_bug;
        } else if (is_enter_code(t) || old) {
            ti.disp = disposition::convert;
        } else {
            ti.disp = disposition::pass_if_complete;
        }
        ti.numbered_enter = is_enter_code(t) && reference_numbers_enter(t);
    }
    derive_rules(*this);
}

const rule_table& rule_table::get() {
    static const rule_table table;  // built once, thread-safe initialisation
    return table;
}

}  // namespace scap::conv
