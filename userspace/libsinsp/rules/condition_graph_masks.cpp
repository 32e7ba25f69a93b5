// fd masks of the condition graph's flat programs: roots ruled out by their fd-scoped conjuncts,
// remembered per fd key, before any step is walked (see condition_graph.h, program).
#include <algorithm>

#include "condition_graph.h"

namespace sinsp::rules::detail {

void condition_graph::collect_fd_conjuncts(uint32_t id, std::vector<uint32_t>& out) const {
    if (m_fd_scoped[id]) {
        // One conjunct, however it is built (an or of fd tests, a negation...).
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
        return;
    }
    // An and holds only if each operand does; anything else is left to the walk.
    const node& n = m_nodes[id];
    if (n.kind != op::and_) return;
    for (uint32_t i = 0; i < n.count; ++i) collect_fd_conjuncts(m_children[n.first + i], out);
}

void condition_graph::plan_masks(program& p) const {
    p.masked = p.masks_in_use = false;
    p.fd_conjuncts.clear();
    p.fd_ends.clear();
    if (p.roots.size() > 64) return;
    std::vector<uint32_t> conjuncts;
    for (const int64_t root : p.roots) {
        conjuncts.clear();
        if (root >= 0) collect_fd_conjuncts(static_cast<uint32_t>(root), conjuncts);
        p.fd_conjuncts.insert(p.fd_conjuncts.end(), conjuncts.begin(), conjuncts.end());
        p.fd_ends.push_back(static_cast<uint32_t>(p.fd_conjuncts.size()));
    }
    if (p.fd_conjuncts.empty()) return;  // nothing to rule a root out with
    // In use until sampled events show its keys rarely repeat.
    p.masked = p.masks_in_use = true;
    p.all_roots = p.roots.size() == 64 ? ~uint64_t{0} : (uint64_t{1} << p.roots.size()) - 1;
}

uint64_t condition_graph::fd_candidates(program& p, const event_context& ctx) {
    fd_key key;
    if (!fd_scope_key(ctx, *m_fd_name, key)) return p.all_roots;
    ++p.lookups;
    if (const uint64_t* remembered = p.fd_memo.find(key)) {
        ++p.hits;
        return *remembered;
    }
    uint64_t word = 0;
    for (size_t i = 0; i < p.roots.size(); ++i) {
        bool all = true;
        for (uint32_t c = i == 0 ? 0 : p.fd_ends[i - 1]; all && c < p.fd_ends[i]; ++c)
            all = eval(p.fd_conjuncts[c], ctx);
        if (all) word |= uint64_t{1} << i;
    }
    // eval() above may have extracted fd.name: same event, same values, the key still valid.
    p.fd_memo.remember(key, word);
    return word;
}

void condition_graph::review_masks() {
    // Worth it when most keys are found: a miss evaluates every root's fd conjuncts, which the
    // walk would mostly have skipped after a cheaper operand. A program that looked nothing up
    // keeps its choice.
    constexpr uint32_t k_hits_per_miss = 7;  // at least 7 of 8 lookups found
    for (program& p : m_programs) {
        if (!p.masked || p.lookups == 0) continue;
        const uint32_t misses = p.lookups - p.hits;
        p.masks_in_use = p.hits >= k_hits_per_miss * misses;
        p.lookups = p.hits = 0;
    }
}

}  // namespace sinsp::rules::detail
