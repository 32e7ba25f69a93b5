// The rule set's in-kernel pre-filter (proposal 0011): per event code, the `or` of the conditions
// of the active rules the event-type index runs for that code, derived by sinsp/prefilter.h.
#include <memory>

#include "ruleset_impl.h"
#include "sinsp/filter_parser.h"
#include "sinsp/prefilter.h"

namespace sinsp::rules {

namespace {

// What a condition that cannot be parsed again stands for: a bare word, which the derivation
// takes as "anything" (sound, whatever the rule says).
const filter::ast::expr& anything() {
    static const filter::ast::expr e = [] {
        filter::ast::expr x;
        x.what = filter::ast::expr::kind::identifier;
        return x;
    }();
    return e;
}

}  // namespace

scap::prefilter ruleset::prefilter(const filter::ast::expr* required) const {
    // The expanded trees are not kept after compiling (every rule's would stay in memory for a
    // call made once, if at all); each active rule's expanded condition is parsed again from its
    // text, which to_filter_text writes to read back as the same tree.
    std::vector<std::unique_ptr<filter::ast::expr>> trees(m->compiled_rules.size());
    std::vector<bool> unparsable(m->compiled_rules.size(), false);
    std::vector<std::vector<const filter::ast::expr*>> by_code(m->by_type.size());
    for (size_t code = 0; code < m->by_type.size(); ++code) {
        for (const indexed_rule& r : m->by_type[code]) {
            if (!trees[r.rule] && !unparsable[r.rule]) {
                try {
                    const rule_info& info = m->infos[m->compiled_rules[r.rule].info];
                    // The depth the loader allowed, plus the parentheses the text adds around
                    // every logical node.
                    trees[r.rule] = filter::parse(info.expanded_condition, 4000);
                } catch (const filter::filter_error&) {
                    unparsable[r.rule] = true;
                }
            }
            by_code[code].push_back(trees[r.rule] ? trees[r.rule].get() : &anything());
        }
    }
    return derive_prefilter_any(by_code, required);
}

}  // namespace sinsp::rules
