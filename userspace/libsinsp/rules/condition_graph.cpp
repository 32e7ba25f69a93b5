// Building and evaluating the shared condition graph (see condition_graph.h).
#include "condition_graph.h"

#include <algorithm>

#include "sinsp/fields.h"
#include "sinsp/inspector.h"
#include "fd_scope.h"
#include "thread_scope.h"

namespace sinsp::rules::detail {

namespace {

using filter::ast::expr;

// How likely a comparison is to hold on an event its rule watches, before any is seen: a field
// equal to, starting with or listed among constants rarely is (that is what makes rules quiet);
// `!=` and `exists` almost always are. Only the order of evaluation depends on these guesses.
struct op_prior {
    const char* op;
    float p_true;
};
constexpr op_prior k_priors[] = {
    {"=", 0.05f},        {"==", 0.05f},         {"in", 0.05f},          {"intersects", 0.05f},
    {"pmatch", 0.05f},   {"startswith", 0.05f}, {"bstartswith", 0.05f}, {"endswith", 0.05f},
    {"contains", 0.05f}, {"icontains", 0.05f},  {"bcontains", 0.05f},   {"glob", 0.05f},
    {"iglob", 0.05f},    {"regex", 0.05f},      {"!=", 0.95f},          {"exists", 0.95f},
};

float prior(const expr& check) {
    for (const auto& p : k_priors) {
        if (check.op == p.op) return p.p_true;
    }
    return 0.5f;  // ordering comparisons: no guess
}

}  // namespace

bool condition_graph::group_text_test(const expr& e, node& n) {
    if (e.lhs.what != filter::ast::term::kind::field || !e.modifier.empty() || !e.rhs) return false;
    text_tests::kind k;
    std::vector<std::string> constants;
    const auto& rhs = *e.rhs;
    if (rhs.what == filter::ast::term::kind::literal) {
        constants.push_back(rhs.name);
    } else if (rhs.what == filter::ast::term::kind::list && e.op == "in") {
        for (const auto& c : rhs.children) {
            if (c.what != filter::ast::term::kind::literal) return false;
            constants.push_back(c.name);
        }
    } else {
        return false;
    }
    if (e.op == "=" || e.op == "==" || e.op == "in") {
        k = text_tests::kind::equal;
    } else if (e.op == "startswith" && constants.size() == 1) {
        k = text_tests::kind::prefix;
    } else if (e.op == "endswith" && constants.size() == 1) {
        k = text_tests::kind::suffix;
    } else if (e.op == "!=" && constants.size() == 1) {
        k = text_tests::kind::not_equal;
    } else if (e.op == "contains" && constants.size() == 1) {
        k = text_tests::kind::contains;
    } else {
        return false;
    }
    filter::bound_field bf;
    std::string error;
    if (!m_fields.bind(e.lhs.name, e.lhs.arg, bf, error)) return false;
    const auto& info = bf.info;
    // Plain text values compared as they are: no list, no event-type name, no constant hooks,
    // no `=` meaning something else.
    if (filter::family_of(info.type) != filter::family::text) return false;
    if ((info.flags & (filter::FIELD_LIST | filter::FIELD_EQ_MEANS_WITHIN)) != 0) return false;
    if (info.codes_for_name || info.event_code_of || info.on_constant || info.min_value) return false;
    const std::string field = e.lhs.name + (e.lhs.arg ? "[" + *e.lhs.arg + "]" : std::string());
    auto it = m_text_tests_of.find(field);
    if (it == m_text_tests_of.end()) {
        m_text_tests.push_back(std::make_unique<text_tests>(std::move(bf.extractor), info.flags, m_answers));
        m_group_event.push_back(0);
        it = m_text_tests_of.emplace(field, static_cast<uint32_t>(m_text_tests.size() - 1)).first;
    }
    const text_tests::added a = m_text_tests[it->second]->add(k, constants);
    n.kind = a.single ? op::text_single : op::text;
    n.first = it->second;
    n.count = a.index;
    return true;
}

uint32_t condition_graph::intern(const std::string& key, node n, node_stats st,
                                 const std::vector<uint32_t>& children, bool scoped, bool fd_scope) {
    auto it = m_index.find(key);
    if (it != m_index.end()) return it->second;
    if (fd_scope && m_fd_name == nullptr) {
        // fd keys are made from fd.name's shared extraction (the one its text group reads).
        filter::bound_field bf;
        std::string error;
        if (m_fields.bind("fd.name", std::nullopt, bf, error)) {
            m_fd_name_field = std::move(bf.extractor);
            m_fd_name = dynamic_cast<cached_extractor*>(m_fd_name_field.get());
        }
    }
    // Without that extraction there is no key: such nodes are evaluated like any other.
    fd_scope = fd_scope && m_fd_name != nullptr;
    if (scoped && m_thread_scoped < k_no_tslot) {
        n.tslot = static_cast<uint16_t>(m_thread_scoped++);
        // Once known for the thread, its verdict costs a bit test: order it as nearly free.
        st.cost = 0;
    }
    const bool comparison = n.kind == op::leaf || n.kind == op::text || n.kind == op::text_single;
    if (!comparison) {
        n.first = static_cast<uint32_t>(m_children.size());
        n.count = static_cast<uint32_t>(children.size());
    }
    m_children.insert(m_children.end(), children.begin(), children.end());
    const auto id = static_cast<uint32_t>(m_nodes.size());
    m_nodes.push_back(n);
    m_stats.push_back(st);
    m_leaf_text.push_back(comparison ? key : std::string());
    m_fd_scoped.push_back(fd_scope);
    m_index.emplace(key, id);
    return id;
}

uint32_t condition_graph::add(const expr& e) {
    switch (e.what) {
        case expr::kind::not_: {
            const uint32_t child = add(*e.children.at(0));
            const node& c = m_nodes[child];
            // not (not x) is x.
            if (c.kind == op::not_) return m_children[c.first];
            node n;
            n.kind = op::not_;
            node_stats st;
            st.cost = m_stats[child].cost;
            st.p_true = 1.0f - m_stats[child].p_true;
            return intern("!" + std::to_string(child), n, st, {child}, c.tslot != k_no_tslot,
                          m_fd_scoped[child]);
        }
        case expr::kind::and_:
        case expr::kind::or_: {
            const bool is_and = e.what == expr::kind::and_;
            std::vector<uint32_t> kids;
            for (const auto& c : e.children) {
                const uint32_t id = add(*c);
                // A nested and/or stays one node (a macro's body, shared with every rule that
                // names the macro), decided once per event for all of them.
                kids.push_back(id);
            }
            // The same operand twice decides nothing more (a macro named twice in one rule).
            std::vector<uint32_t> unique;
            for (uint32_t k : kids) {
                if (std::find(unique.begin(), unique.end(), k) == unique.end()) unique.push_back(k);
            }
            if (unique.size() == 1) return unique[0];
            // The key does not depend on the written order: `a and b` and `b and a` share a node.
            std::vector<uint32_t> sorted = unique;
            std::sort(sorted.begin(), sorted.end());
            std::string key = is_and ? "&" : "|";
            for (uint32_t k : sorted) key += std::to_string(k) + ",";
            // Evaluation order: by expected cost per settling outcome (cheap and selective tests
            // of an and first, cheap and likely ones of an or); ties keep the written order.
            // reorder() revises it with the rates events show.
            std::stable_sort(unique.begin(), unique.end(), [&](uint32_t a, uint32_t b) {
                return settle_rank(m_stats[a], is_and) < settle_rank(m_stats[b], is_and);
            });
            node n;
            n.kind = is_and ? op::and_ : op::or_;
            node_stats st;
            float p_none = 1.0f;  // and: all true; or: none true (operands taken as independent)
            bool scoped = true;
            bool fd_scope = true;
            for (uint32_t k : unique) {
                st.cost += m_stats[k].cost;
                p_none *= is_and ? m_stats[k].p_true : 1.0f - m_stats[k].p_true;
                scoped = scoped && m_nodes[k].tslot != k_no_tslot;
                fd_scope = fd_scope && m_fd_scoped[k];
            }
            st.p_true = is_and ? p_none : 1.0f - p_none;
            return intern(key, n, st, unique, scoped, fd_scope);
        }
        case expr::kind::check:
        case expr::kind::identifier:
            break;
    }
    std::string key = filter::ast::to_string(e);
    auto it = m_index.find(key);
    if (it != m_index.end()) return it->second;
    // Compiled even when a text_tests group answers it: compiling validates it as the filter would.
    std::unique_ptr<filter::compiled_filter> f = filter::compile(e, m_fields);
    node n;
    node_stats st;
    st.cost = f->cost();
    st.p_true = prior(e);
    const bool scoped = thread_scoped(e);
    const bool fd_scope = fd_scoped(e);
    if (group_text_test(e, n)) return intern(key, n, st, {}, scoped, fd_scope);
    n.kind = op::leaf;
    n.first = static_cast<uint32_t>(m_leaves.size());
    m_leaves.push_back(std::move(f));
    return intern(key, n, st, {}, scoped, fd_scope);
}

void condition_graph::reorder() {
    // A node's truth rate: what was seen, weighed with the prior guess as if it had been seen
    // k_prior_weight times, so that a few events do not swing the order.
    constexpr float k_prior_weight = 16.0f;
    for (node_stats& n : m_stats) {
        if (n.computed == 0) continue;
        n.p_true = (static_cast<float>(n.held) + n.p_true * k_prior_weight) /
                   (static_cast<float>(n.computed) + k_prior_weight);
        n.computed = n.held = 0;
    }
    for (const node& n : m_nodes) {
        if (n.kind != op::and_ && n.kind != op::or_) continue;
        const bool is_and = n.kind == op::and_;
        uint32_t* kids = m_children.data() + n.first;
        std::stable_sort(kids, kids + n.count, [&](uint32_t a, uint32_t b) {
            return settle_rank(m_stats[a], is_and) < settle_rank(m_stats[b], is_and);
        });
    }
    // The programs' steps follow their roots' operand order.
    for (program& p : m_programs) build(p);
    review_masks();
}

uint32_t condition_graph::add_compiled(std::unique_ptr<filter::compiled_filter> f) {
    node n;
    n.kind = op::leaf;
    node_stats st;
    st.cost = f->cost();
    n.first = static_cast<uint32_t>(m_leaves.size());
    const std::string key = "#compiled " + std::to_string(n.first);  // never a condition's text
    const std::string text = f->describe();
    m_leaves.push_back(std::move(f));
    const uint32_t id = intern(key, n, st, {}, false, false);
    m_leaf_text[id] = text;
    return id;
}

bool condition_graph::compute(const node& n, const event_context& ctx) {
    switch (n.kind) {
        case op::leaf:
            return m_leaves[n.first]->matches(ctx);
        case op::text:
            run_group(n.first, ctx);
            return m_answers[n.count] == m_event;
        case op::text_single:
            run_group(n.first, ctx);
            return m_text_tests[n.first]->single_holds(n.count);
        case op::not_:
            return !eval(m_children[n.first], ctx);
        case op::and_:
        case op::or_: {
            // An and is false as soon as one operand is, an or true as soon as one is;
            // operands are in the order set when the graph was built (see add()).
            const bool settles = n.kind == op::or_;
            const uint32_t* kids = m_children.data() + n.first;
            // Most operands are text tests whose group already ran for this event: their
            // answer is read here, without a call, a switch or a stamp of their own (the
            // answer array is their stamp); thread-scoped operands the event's thread already
            // knows are read from their bit, also without a call. Sampled events take the full
            // path, which counts truth rates (see k_sample_every).
            const bool sampled = (m_event & (k_sample_every - 1)) == 0;
            for (uint32_t i = 0; i < n.count; ++i) {
                const node& k = m_nodes[kids[i]];
                bool v;
                if (!sampled && k.kind == op::text && m_group_event[k.first] == m_event) {
                    v = m_answers[k.count] == m_event;
                } else if (sampled || k.tslot == k_no_tslot || !known_thread_bit(k.tslot, v)) {
                    v = eval(kids[i], ctx);
                }
                if (v == settles) return settles;
            }
            return !settles;
        }
    }
    return false;
}

uint64_t* condition_graph::thread_bits(const event_context& ctx) {
    if (m_thread_event == m_event) return m_thread_current;
    m_thread_event = m_event;
    m_thread_current = nullptr;
    const event* e = ctx.evt;
    // Epoch 0: events not made by the state (tests building their own), nothing to key on.
    if (e == nullptr || e->thread == nullptr || e->thread_epoch == 0) return nullptr;
    if (m_thread_words * 64 < m_thread_scoped) {
        // First use (or nodes added since): size the table once.
        m_thread_words = (m_thread_scoped + 63) / 64;
        m_thread_keys.assign(k_thread_entries, thread_key{});
        m_thread_verdicts.assign(static_cast<size_t>(k_thread_entries) * 2 * m_thread_words, 0);
    }
    static_assert((k_thread_entries & (k_thread_entries - 1)) == 0, "a power of two");
    constexpr int k_bits = __builtin_ctz(k_thread_entries);
    const auto addr = reinterpret_cast<uintptr_t>(e->thread);
    const size_t slot = static_cast<size_t>(((addr >> 4) * 0x9E3779B97F4A7C15ull) >> (64 - k_bits));
    thread_key& key = m_thread_keys[slot];
    uint64_t* bits = m_thread_verdicts.data() + slot * 2 * m_thread_words;
    if (key.thread != e->thread || key.epoch != e->thread_epoch) {
        key.thread = e->thread;
        key.epoch = e->thread_epoch;
        std::fill(bits, bits + m_thread_words, 0);  // nothing known; value bits are ignored
    }
    return m_thread_current = bits;
}

bool condition_graph::compute_thread_scoped(const node& n, const event_context& ctx) {
    uint64_t* bits = thread_bits(ctx);
    if (bits == nullptr) return compute(n, ctx);
    const uint32_t word = n.tslot / 64u;
    const uint64_t mask = uint64_t{1} << (n.tslot % 64u);
    uint64_t* values = bits + m_thread_words;
    if (bits[word] & mask) return (values[word] & mask) != 0;
    const bool v = compute(n, ctx);
    // compute() may have found the thread's entry again (same event: same pointer).
    bits[word] |= mask;
    if (v)
        values[word] |= mask;
    else
        values[word] &= ~mask;
    return v;
}

std::string condition_graph::describe(uint32_t id) const {
    const node& n = m_nodes.at(id);
    switch (n.kind) {
        case op::leaf:
        case op::text:
        case op::text_single:
            return m_leaf_text[id];
        case op::not_:
            return "not " + describe(m_children[n.first]);
        case op::and_:
        case op::or_: {
            std::string out = "(";
            for (uint32_t i = 0; i < n.count; ++i) {
                if (i) out += n.kind == op::and_ ? " and " : " or ";
                out += describe(m_children[n.first + i]);
            }
            return out + ")";
        }
    }
    return {};
}

}  // namespace sinsp::rules::detail
