// Every rule condition of a ruleset, as specialised per event type, merged into one graph whose
// identical subtrees are one node, each evaluated at most once per event.
//
// Why: the default rules are written on a handful of macros (open_read, open_write, spawned_process,
// container, the package-manager and shell lists) that every rule on the same event type expands
// again. Evaluated rule by rule, an openat walks `fd.num >= 0`, the open flags, fd.typechar and
// `proc.name in (<200 names>)` once per rule that names them (22 rules watch openat). Here each
// distinct comparison (by its canonical text) is compiled once and its result, like that of every
// distinct and/or/not above it, is remembered for the current event: a rule whose operands another
// rule already decided costs a few array reads. Results cannot change with the evaluation order
// because fields have no side effects, which is also what the filter compiler's operand ordering
// relies on.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "fd_key_memo.h"
#include "sinsp/filter.h"
#include "text_tests.h"

namespace sinsp::rules::detail {

class condition_graph {
  public:
    explicit condition_graph(filter::field_registry& fields) : m_fields(fields) {}

    // Adds a condition tree (macros expanded, lists resolved) and returns its node. Throws
    // filter::filter_error when a comparison does not compile.
    uint32_t add(const filter::ast::expr& e);
    // Adds a compiled filter as one comparison, shared with nothing.
    uint32_t add_compiled(std::unique_ptr<filter::compiled_filter> f);

    // Starts a new event: results remembered for the previous one no longer count.
    void next_event() {
        ++m_event;
        if ((m_event & (k_reorder_every - 1)) == 0 && m_event != 0) reorder();
        if (m_event != 0) return;
        // The stamp wrapped (after 2^32 events): forget every result explicitly once.
        for (auto& n : m_nodes) n.event = 0;
        std::fill(m_answers.begin(), m_answers.end(), 0);
        std::fill(m_group_event.begin(), m_group_event.end(), 0);
        std::fill(m_thread_keys.begin(), m_thread_keys.end(), thread_key{});
        m_thread_event = 0;
        m_event = 1;
    }

    // The node's value for the current event (next_event() first).
    bool eval(uint32_t id, const event_context& ctx) {
        node& n = m_nodes[id];
        if (n.event == m_event) return n.value;
        const bool v = n.tslot == k_no_tslot ? compute(n, ctx) : compute_thread_scoped(n, ctx);
        n.event = m_event;
        n.value = v;
        if ((m_event & (k_sample_every - 1)) == 0) {
            node_stats& st = m_stats[id];
            ++st.computed;
            st.held += v;
        }
        return v;
    }

    // A flat program: the rule roots of one event type (in the order evaluate() reports them; -1 for
    // a root that always holds), walked by run_program() as one array of decoded steps. Call after
    // every add(). Returns the program's id.
    uint32_t add_program(const std::vector<int64_t>& roots);
    // Calls on_match(i) for each root i of the program that holds for the current event, in order,
    // while on_match returns true. Same verdicts as eval() per root, without a call, a switch and
    // a stamp per root: on an openat 22 roots are walked and most are settled by their first
    // operand, a text answer or a thread bit already known, so the per-root overhead was most of
    // the walk. Programs with fd masks walk only the roots their event's fd key leaves (see
    // program::masked).
    template <typename F>
    void run_program(uint32_t id, const event_context& ctx, F&& on_match);
    size_t programs() const { return m_programs.size(); }
    // Whether program `id` rules roots out by fd key, whether it does on unsampled events now,
    // and how many keys its memo learnt (tests).
    bool masked(uint32_t id) const { return m_programs[id].masked; }
    bool masks_in_use(uint32_t id) const { return m_programs[id].masks_in_use; }
    uint64_t fd_mask_fills(uint32_t id) const { return m_programs[id].fd_memo.fills(); }

    size_t nodes() const { return m_nodes.size(); }
    size_t comparisons() const { return m_leaves.size(); }
    size_t text_test_groups() const { return m_text_tests.size(); }
    // Nodes whose verdict is kept per thread (see thread_scope.h).
    size_t thread_scoped_nodes() const { return m_thread_scoped; }
    // Nodes whose verdict is a function of the event's fd key (see fd_scope.h).
    size_t fd_scoped_nodes() const {
        return static_cast<size_t>(std::count(m_fd_scoped.begin(), m_fd_scoped.end(), true));
    }
    // A node as an expression, for tests and debugging.
    std::string describe(uint32_t id) const;

  private:
    // leaf: a compiled comparison; text: a comparison answered by a text_tests group's run()
    // (=, in, startswith, endswith); text_single: one a group decides when asked (!=, contains).
    enum class op : uint8_t { leaf, text, text_single, and_, or_, not_ };
    // One node with its result for the current event: what evaluation reads, 16 bytes, so that
    // the nodes an openat walks (a few hundred of them) stay in few cache lines; what ordering
    // needs is in node_stats beside it.
    struct node {
        uint32_t event = 0;  // 0: no result
        uint32_t first = 0;  // and/or/not: first child in m_children; leaf: index in m_leaves;
                             // text, text_single: index in m_text_tests
        uint32_t count = 0;  // and/or/not: number of children; text: index in m_answers;
                             // text_single: the group's index of the test
        op kind = op::leaf;
        bool value = false;  // the result for the event stamped `event`
        // Thread-scoped nodes (every comparison below reads a thread_scoped() field): the bit of
        // the node in a thread's verdict cache; k_no_tslot otherwise.
        uint16_t tslot = 0xFFFF;
    };
    static constexpr uint16_t k_no_tslot = 0xFFFF;
    static_assert(sizeof(node) == 16, "four nodes per cache line");
    struct node_stats {
        uint32_t cost = 0;
        float p_true = 0.5f;    // how often it holds (a guess, then what events showed), to order
                                // and/or operands
        uint32_t computed = 0;  // since the last reorder(), on sampled events: times computed,
        uint32_t held = 0;      // times it held
    };
    // Events between two reorder() (a power of two).
    static constexpr uint32_t k_reorder_every = 1u << 16;
    // Truth rates are counted on one event in this many (a power of two): 512 sampled events per
    // reorder(), enough to order operands (the rates are weighed with the previous estimate); the
    // other events do not touch node_stats and take the flat programs (run_program), while sampled
    // ones eval() every root. An openat measured ~15 % fewer cycles at 1 in 32 than at 1 in 8
    // (fifth round, proposal 0007); with fd masks an unsampled openat walks about one root instead
    // of 22, so a sampled one costs ~20 unsampled ones, and 1 in 128 took ~9 ms (~5 %) off a replay
    // of the 2M capture against 1 in 32 (seventh round).
    static constexpr uint32_t k_sample_every = 128;
    // Re-sorts every and/or's operands with the truth rates seen so far (see add()).
    void reorder();
    bool compute(const node& n, const event_context& ctx);
    // A thread-scoped node: its verdict from the event's thread's cache, else computed and kept.
    bool compute_thread_scoped(const node& n, const event_context& ctx);
    // The event's thread's verdict bits (known bits, then values, m_thread_words each); null when
    // the event has no thread or no epoch. Found (or reset) once per event.
    uint64_t* thread_bits(const event_context& ctx);
    // Runs text-test group g for the current event unless it already ran.
    void run_group(uint32_t g, const event_context& ctx) {
        if (m_group_event[g] == m_event) return;
        m_group_event[g] = m_event;
        m_text_tests[g]->run(ctx, m_event);
    }
    // A thread-scoped node's verdict read in place: true (value in `v`) when thread_bits() was
    // already found for this event and the thread knows bit `tslot`; false when it must be eval()'d.
    bool known_thread_bit(uint16_t tslot, bool& v) const {
        if (m_thread_event != m_event || m_thread_current == nullptr) return false;
        const uint32_t word = tslot / 64u;
        const uint64_t bit = uint64_t{1} << (tslot % 64u);
        if ((m_thread_current[word] & bit) == 0) return false;
        v = (m_thread_current[m_thread_words + word] & bit) != 0;
        return true;
    }
    // Expected cost of an operand per event in which it settles its and (false) or or (true):
    // evaluating cheap operands that usually settle first minimises the expected work.
    static float settle_rank(const node_stats& k, bool in_and) {
        const float p_settle = in_and ? 1.0f - k.p_true : k.p_true;
        return static_cast<float>(k.cost + 1) / std::max(p_settle, 0.001f);
    }
    // `scoped`: the node reads thread_scoped() fields only; it gets a bit in the thread cache.
    // `fd_scope`: it reads fd_scoped() fields only.
    uint32_t intern(const std::string& key, node n, node_stats st, const std::vector<uint32_t>& children,
                    bool scoped, bool fd_scope);
    // Turns a comparison the text_tests groups can answer into a text node; false otherwise.
    bool group_text_test(const filter::ast::expr& e, node& n);

    // One operand of a program's root, decoded from its node so that the common cases read their
    // answer in place: a text test's answer (group a, answer b), a thread-scoped node's bit (tslot)
    // when the event's thread knows it, else eval(node). `negate`: the step holds when that value
    // is false (a `not` over a text test).
    enum class step_kind : uint8_t { text, thread_bit, node };
    struct step {
        step_kind kind = step_kind::node;
        bool negate = false;
        uint16_t tslot = 0;
        uint32_t a = 0;
        uint32_t b = 0;
        uint32_t node = 0;
    };
    // A root holds when all its steps do: the operands of an and root (in their current order), or
    // the root itself as one step; none for a root that always holds.
    //
    // fd masks (condition_graph_masks.cpp): a root holds only if each of its conjuncts does (its
    // operands, through nested ands), and the fd-scoped ones are a function of the event's fd key;
    // so per key, a memo keeps the word of the roots whose fd conjuncts all hold, and an event
    // walks only those. On an openat, `fd.name startswith /etc/`, `fd.directory in (/bin, ...)`,
    // `fd.filename in (.bashrc, ...)` rule out nearly all of the 22 roots with one lookup. Worth it
    // only when keys repeat (paths do; a socket's addresses and ports mostly do not): every lookup
    // is counted, and reorder() turns the masks off when few hit (in use until then). While off,
    // sampled events still look keys up, and reorder() turns them back on when those hit. Counting
    // every lookup rather than sampled ones only: a rare event type (868 execve, 12,828 connect in
    // 2M events) meets too few sampled events per reorder() to be judged. Up to 64 roots (one word).
    struct program {
        std::vector<int64_t> roots;
        std::vector<uint32_t> ends;  // per root, one past its last step
        std::vector<step> steps;
        // What is left to walk of a root the fd mask leaves: its steps but the fd-scoped ones
        // (they are among its fd conjuncts, which all hold then).
        std::vector<uint32_t> rest_ends;
        std::vector<step> rest_steps;
        bool thread_steps = false;  // some step reads a thread bit: find the thread's bits first
        bool masked = false;        // has fd conjuncts, and at most 64 roots
        bool masks_in_use = false;  // on unsampled events (see reorder())
        uint64_t all_roots = 0;     // one bit per root
        // Per root, its fd-scoped conjuncts (nodes): root i's are [fd_ends[i - 1], fd_ends[i]).
        std::vector<uint32_t> fd_conjuncts, fd_ends;
        fd_key_memo fd_memo;
        uint32_t lookups = 0;  // since the last reorder()
        uint32_t hits = 0;
    };
    step decode(uint32_t id) const;
    // Fills a program's fd conjuncts and decides whether it is masked (at add_program()).
    void plan_masks(program& p) const;
    void collect_fd_conjuncts(uint32_t id, std::vector<uint32_t>& out) const;
    // The roots of masked program p whose fd conjuncts all hold for the current event (all roots
    // when the event has no key); the lookup is counted for reorder().
    uint64_t fd_candidates(program& p, const event_context& ctx);
    // Turns masked programs' masks on or off by the memos' hit rates since the last reorder().
    void review_masks();
    // Re-decodes a program after reorder() changed its roots' operand order (capacity is kept, so
    // nothing is allocated after the first build).
    void build(program& p) const;
    bool step_holds(const step& s, const event_context& ctx) {
        bool v;
        if (s.kind == step_kind::text) {
            run_group(s.a, ctx);
            v = m_answers[s.b] == m_event;
        } else if (s.kind != step_kind::thread_bit || !known_thread_bit(s.tslot, v)) {
            v = eval(s.node, ctx);
        }
        return v != s.negate;
    }
    std::vector<program> m_programs;
    // fd.name's shared extraction, for fd keys (bound when the first fd-scoped node is added).
    std::unique_ptr<filter::field_extractor> m_fd_name_field;
    cached_extractor* m_fd_name = nullptr;

    filter::field_registry& m_fields;
    std::vector<node> m_nodes;
    std::vector<node_stats> m_stats;  // per node
    std::vector<uint32_t> m_children;
    std::vector<std::unique_ptr<filter::compiled_filter>> m_leaves;
    std::vector<std::string> m_leaf_text;  // per node, a comparison's canonical text (else empty)
    std::vector<bool> m_fd_scoped;         // per node (see fd_scope.h)
    std::unordered_map<std::string, uint32_t> m_index;  // canonical key -> node
    std::vector<std::unique_ptr<text_tests>> m_text_tests;
    // Per text_tests answer, the stamp of the last event it held for; per group, the stamp of the
    // last event it ran for. Small arrays, so a text node's answer is two reads close together.
    std::vector<uint32_t> m_answers;
    std::vector<uint32_t> m_group_event;
    std::unordered_map<std::string, uint32_t> m_text_tests_of;  // field (and argument) -> group

    // Verdicts of thread-scoped nodes per thread: a direct-mapped table keyed by the thread
    // entry's address and the state's thread_epoch (an entry of another epoch is stale: the
    // thread, its ancestors, users or containers may have changed, or the address been reused).
    // Sized when the first event needs it; nothing is allocated per event.
    struct thread_key {
        const void* thread = nullptr;
        uint64_t epoch = 0;
    };
    static constexpr uint32_t k_thread_entries = 1024;  // a power of two
    uint32_t m_thread_scoped = 0;                       // tslots given out
    uint32_t m_thread_words = 0;                        // 64-bit words per bit set
    std::vector<thread_key> m_thread_keys;
    std::vector<uint64_t> m_thread_verdicts;  // per entry: known bits, then value bits
    uint32_t m_thread_event = 0;              // the event m_thread_current was found for
    uint64_t* m_thread_current = nullptr;
    uint32_t m_event = 1;
};

template <typename F>
void condition_graph::run_program(uint32_t id, const event_context& ctx, F&& on_match) {
    program& p = m_programs[id];
    if ((m_event & (k_sample_every - 1)) == 0) {
        // Sampled events count truth rates per node (see k_sample_every): eval() every root. While
        // a program's masks are off they still look the key up, so that its hit rate is known.
        if (p.masked && !p.masks_in_use) fd_candidates(p, ctx);
        for (size_t i = 0; i < p.roots.size(); ++i) {
            if (p.roots[i] >= 0 && !eval(static_cast<uint32_t>(p.roots[i]), ctx)) continue;
            if (!on_match(i)) return;
        }
        return;
    }
    if (p.thread_steps) thread_bits(ctx);
    if (p.masks_in_use) {
        // Only the roots the event's fd key leaves, in order.
        for (uint64_t left = fd_candidates(p, ctx); left != 0; left &= left - 1) {
            const auto i = static_cast<size_t>(__builtin_ctzll(left));
            const step* s = p.rest_steps.data() + (i == 0 ? 0 : p.rest_ends[i - 1]);
            const step* const end = p.rest_steps.data() + p.rest_ends[i];
            bool holds = true;
            for (; s != end; ++s) {
                if (!step_holds(*s, ctx)) {
                    holds = false;
                    break;
                }
            }
            if (holds && !on_match(i)) return;
        }
        return;
    }
    const step* s = p.steps.data();
    for (size_t i = 0; i < p.ends.size(); ++i) {
        const step* const end = p.steps.data() + p.ends[i];
        bool holds = true;
        for (; s != end; ++s) {
            if (!step_holds(*s, ctx)) {
                holds = false;
                break;
            }
        }
        s = end;
        if (holds && !on_match(i)) return;
    }
}

}  // namespace sinsp::rules::detail
