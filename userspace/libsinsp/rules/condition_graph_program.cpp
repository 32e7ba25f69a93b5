// Flat programs of the shared condition graph: the rule roots of one event type decoded into
// steps that run_program() walks in one loop (see condition_graph.h).
#include "condition_graph.h"

namespace sinsp::rules::detail {

condition_graph::step condition_graph::decode(uint32_t id) const {
    const node& n = m_nodes[id];
    step s;
    s.node = id;
    if (n.tslot != k_no_tslot) {
        // Its bit once the event's thread knows it; eval() (which keeps the bit) otherwise.
        s.kind = step_kind::thread_bit;
        s.tslot = n.tslot;
    } else if (n.kind == op::text) {
        s.kind = step_kind::text;
        s.a = n.first;
        s.b = n.count;
    } else if (n.kind == op::not_) {
        // `not fd.name in (...)`: the text answer, negated. eval() on the operand when the step
        // falls back (same value: a node's verdict does not depend on who asks).
        const step inner = decode(m_children[n.first]);
        if (inner.kind == step_kind::text) {
            s = inner;
            s.negate = !inner.negate;
        }
    }
    return s;
}

void condition_graph::build(program& p) const {
    p.ends.clear();
    p.steps.clear();
    p.rest_ends.clear();
    p.rest_steps.clear();
    p.thread_steps = false;
    for (const int64_t root : p.roots) {
        if (root >= 0) {
            const auto id = static_cast<uint32_t>(root);
            const node& n = m_nodes[id];
            if (n.kind == op::and_ && n.tslot == k_no_tslot) {
                // An and holds when every operand does: its operands become the root's steps,
                // in the order reorder() last set.
                for (uint32_t i = 0; i < n.count; ++i) p.steps.push_back(decode(m_children[n.first + i]));
            } else {
                p.steps.push_back(decode(id));
            }
        }
        p.ends.push_back(static_cast<uint32_t>(p.steps.size()));
        // The same steps but the fd-scoped ones, which hold whenever the fd mask leaves the root.
        const uint32_t first = p.ends.size() < 2 ? 0 : p.ends[p.ends.size() - 2];
        for (uint32_t s = first; s < p.ends.back(); ++s) {
            if (!m_fd_scoped[p.steps[s].node]) p.rest_steps.push_back(p.steps[s]);
        }
        p.rest_ends.push_back(static_cast<uint32_t>(p.rest_steps.size()));
    }
    for (const step& s : p.steps) p.thread_steps = p.thread_steps || s.kind == step_kind::thread_bit;
}

uint32_t condition_graph::add_program(const std::vector<int64_t>& roots) {
    program p;
    p.roots = roots;
    build(p);
    plan_masks(p);
    m_programs.push_back(std::move(p));
    return static_cast<uint32_t>(m_programs.size() - 1);
}

}  // namespace sinsp::rules::detail
