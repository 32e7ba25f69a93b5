// Derivation of the in-kernel pre-filter (proposal 0011). For each event code the filter's tree
// is walked with negation pushed to the leaves; every leaf the driver can check becomes a
// condition, every other leaf "anything". `and` intersects conditions, `or` keeps only what both
// sides constrain (as a union or a hull), so the result is implied by the filter for that code.
#include "sinsp/prefilter.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "scap/event.h"
#include "state/parser_registry.h"

namespace sinsp {

namespace {

using scap::prefilter_comm;
constexpr int64_t k_min = std::numeric_limits<int64_t>::min();
constexpr int64_t k_max = std::numeric_limits<int64_t>::max();

// A conjunction of conditions for one event code (absent ones accept everything).
struct cond {
    bool never = false;
    int64_t lo = k_min, hi = k_max;
    bool has_comm = false, has_tid = false, has_pid = false;
    std::vector<prefilter_comm> comms;
    std::vector<uint32_t> tids, pids;

    // Some event of the code is excluded (anything else absorbs every `or` it enters).
    bool constrains() const { return never || lo != k_min || hi != k_max || has_comm || has_tid || has_pid; }
};

cond never_cond() {
    cond c;
    c.never = true;
    return c;
}

template <typename T>
void add_unique(std::vector<T>& to, const T& v) {
    if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
}

// Both sides: the values in both (an empty result: never). One side: its values.
template <typename T>
bool meet_set(bool& has, std::vector<T>& a, bool b_has, const std::vector<T>& b) {
    if (!b_has) return true;
    if (!has) {
        has = true;
        a = b;
        return true;
    }
    std::vector<T> both;
    for (const T& v : a)
        if (std::find(b.begin(), b.end(), v) != b.end()) both.push_back(v);
    a = std::move(both);
    return !a.empty();
}

// Both sides: the union while it fits the kernel's table. Otherwise: anything.
template <typename T>
void join_set(bool& has, std::vector<T>& a, bool b_has, const std::vector<T>& b, size_t cap) {
    if (!has || !b_has) {
        has = false;
        a.clear();
        return;
    }
    for (const T& v : b) add_unique(a, v);
    if (a.size() > cap) {
        has = false;
        a.clear();
    }
}

bool all_exact(const std::vector<prefilter_comm>& v) {
    return std::none_of(v.begin(), v.end(), [](const prefilter_comm& c) { return c.prefix; });
}

cond meet(cond a, const cond& b) {
    if (a.never || b.never) return never_cond();
    a.lo = std::max(a.lo, b.lo);
    a.hi = std::min(a.hi, b.hi);
    if (a.lo > a.hi) return never_cond();
    if (!meet_set(a.has_tid, a.tids, b.has_tid, b.tids)) return never_cond();
    if (!meet_set(a.has_pid, a.pids, b.has_pid, b.pids)) return never_cond();
    if (b.has_comm) {
        if (a.has_comm && all_exact(a.comms) && all_exact(b.comms)) {
            if (!meet_set(a.has_comm, a.comms, true, b.comms)) return never_cond();
        } else if (!a.has_comm || b.comms.size() < a.comms.size()) {
            // With prefixes the exact intersection is not a list of strings: either side alone
            // is implied by both.
            a.has_comm = true;
            a.comms = b.comms;
        }
    }
    return a;
}

cond join(cond a, const cond& b) {
    if (a.never) return b;
    if (b.never) return a;
    a.lo = std::min(a.lo, b.lo);
    a.hi = std::max(a.hi, b.hi);
    join_set(a.has_tid, a.tids, b.has_tid, b.tids, scap::prefilter_max_ids);
    join_set(a.has_pid, a.pids, b.has_pid, b.pids, scap::prefilter_max_ids);
    join_set(a.has_comm, a.comms, b.has_comm, b.comms, scap::prefilter_max_comms);
    return a;
}

// The literal values of a check's right-hand side; false when it is not made of literals.
bool literal_values(const filter::ast::expr& e, std::vector<std::string_view>& out) {
    if (!e.rhs) return false;
    const filter::ast::term& r = *e.rhs;
    if (r.what == filter::ast::term::kind::literal) {
        out.push_back(r.name);
        return true;
    }
    if (r.what != filter::ast::term::kind::list) return false;
    for (const filter::ast::term& c : r.children) {
        if (c.what != filter::ast::term::kind::literal) return false;
        out.push_back(c.name);
    }
    return true;
}

bool parse_int(std::string_view s, int64_t& out) {
    const std::string text(s);
    if (text.empty()) return false;
    errno = 0;
    char* end = nullptr;
    // Base 10, as the compiler reads integer literals ("010" is ten there, not eight).
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end != text.c_str() + text.size()) return false;
    out = v;
    return true;
}

bool is_eq(std::string_view op) {
    return op == "=" || op == "==";
}

cond ret_range(int64_t lo, int64_t hi) {
    if (lo > hi) return never_cond();
    cond c;
    c.lo = lo;
    c.hi = hi;
    return c;
}

cond failed_is(bool failed) {
    return failed ? ret_range(k_min, -1) : ret_range(0, k_max);
}

// evt.type: decided by the code's name, except for generic events (their type is the syscall's).
cond type_atom(std::string_view op, const std::vector<std::string_view>& vals, uint16_t code, bool neg) {
    if (code == PPME_GENERIC_X || code == PPME_GENERIC_E) return {};
    bool listed = false;
    for (std::string_view v : vals) listed = listed || v == scap_event_table[code].name;
    bool truth;
    if (is_eq(op) || op == "in")
        truth = listed;
    else if (op == "!=")
        truth = !listed;
    else
        return {};
    return truth != neg ? cond{} : never_cond();
}

cond failed_atom(std::string_view op, const std::vector<std::string_view>& vals, bool neg) {
    if (vals.size() != 1 || !(is_eq(op) || op == "!=")) return {};
    bool want;
    if (vals[0] == "true")
        want = true;
    else if (vals[0] == "false")
        want = false;
    else
        return {};
    if (op == "!=") want = !want;
    return failed_is(want != neg);
}

cond rawres_atom(std::string op, const std::vector<std::string_view>& vals, bool neg) {
    std::vector<int64_t> nums;
    for (std::string_view v : vals) {
        int64_t n;
        if (!parse_int(v, n)) return {};
        nums.push_back(n);
    }
    if (nums.empty()) return {};
    if (neg) {
        // not (x < v) is x >= v, and so on; negated equality and sets constrain nothing useful.
        if (op == "<")
            op = ">=";
        else if (op == "<=")
            op = ">";
        else if (op == ">")
            op = "<=";
        else if (op == ">=")
            op = "<";
        else if (op == "!=")
            op = "=";
        else
            return {};
    }
    const int64_t v = nums[0];
    if (is_eq(op) && nums.size() == 1) return ret_range(v, v);
    if (op == "in")
        return ret_range(*std::min_element(nums.begin(), nums.end()),
                         *std::max_element(nums.begin(), nums.end()));
    if (nums.size() != 1) return {};
    if (op == "<") return v == k_min ? never_cond() : ret_range(k_min, v - 1);
    if (op == "<=") return ret_range(k_min, v);
    if (op == ">") return v == k_max ? never_cond() : ret_range(v + 1, k_max);
    if (op == ">=") return ret_range(v, k_max);
    return {};
}

// evt.res is "SUCCESS" when the call returned >= 0, else the error's name.
cond res_atom(std::string_view op, const std::vector<std::string_view>& vals, bool neg) {
    const bool has_success = std::find(vals.begin(), vals.end(), "SUCCESS") != vals.end();
    const bool has_other =
        std::any_of(vals.begin(), vals.end(), [](std::string_view v) { return v != "SUCCESS"; });
    bool positive;  // the check holds when the value is one of vals
    if (is_eq(op) || op == "in")
        positive = true;
    else if (op == "!=")
        positive = false;
    else
        return {};
    if (positive == neg) {
        // The value is none of vals: only "not SUCCESS" tells something.
        return has_success ? failed_is(true) : cond{};
    }
    if (has_success && has_other) return {};
    return failed_is(!has_success);
}

cond id_atom(std::string_view op, const std::vector<std::string_view>& vals, bool neg, bool tid) {
    if (neg || !(is_eq(op) || op == "in")) return {};
    cond c;
    std::vector<uint32_t>& ids = tid ? c.tids : c.pids;
    for (std::string_view v : vals) {
        int64_t n;
        if (!parse_int(v, n)) return {};
        // Ids are 32-bit: other values match no event.
        if (n >= 0 && n <= std::numeric_limits<uint32_t>::max()) add_unique(ids, static_cast<uint32_t>(n));
    }
    if (ids.empty()) return never_cond();
    if (ids.size() > scap::prefilter_max_ids) return {};
    (tid ? c.has_tid : c.has_pid) = true;
    return c;
}

cond comm_atom(std::string_view op, const std::vector<std::string_view>& vals, bool neg) {
    if (neg) return {};
    const bool prefix = op == "startswith";
    if (!(is_eq(op) || op == "in" || prefix)) return {};
    cond c;
    for (std::string_view v : vals) {
        if (prefix) {
            if (v.empty()) return {};
            // The kernel's comm has at most 15 characters: a longer prefix is implied by its start.
            add_unique(c.comms, prefilter_comm{std::string(v.substr(0, scap::prefilter_comm_max_len)), true});
        } else {
            // A longer constant: the condition would rely on the state never holding a longer
            // name; it constrains nothing instead.
            // An empty name is what the state holds for a thread it knows nothing about (the
            // kernel's comm then says nothing): no condition either.
            if (v.empty() || v.size() > scap::prefilter_comm_max_len) return {};
            add_unique(c.comms, prefilter_comm{std::string(v), false});
        }
    }
    if (c.comms.empty() || c.comms.size() > scap::prefilter_max_comms) return {};
    c.has_comm = true;
    return c;
}

cond check_atom(const filter::ast::expr& e, uint16_t code, bool neg) {
    if (e.lhs.what != filter::ast::term::kind::field || e.lhs.arg || !e.modifier.empty()) return {};
    std::vector<std::string_view> vals;
    if (!literal_values(e, vals)) return {};
    const std::string& f = e.lhs.name;
    if (f == "evt.type") return type_atom(e.op, vals, code, neg);
    if (f == "evt.failed") return failed_atom(e.op, vals, neg);
    if (f == "evt.rawres") return rawres_atom(e.op, vals, neg);
    if (f == "evt.res") return res_atom(e.op, vals, neg);
    if (f == "thread.tid") return id_atom(e.op, vals, neg, true);
    if (f == "proc.pid") return id_atom(e.op, vals, neg, false);
    if (f == "proc.name") return comm_atom(e.op, vals, neg);
    return {};
}

cond derive(const filter::ast::expr& e, uint16_t code, bool neg) {
    using k = filter::ast::expr::kind;
    switch (e.what) {
        case k::not_:
            return e.children.empty() ? cond{} : derive(*e.children[0], code, !neg);
        case k::and_:
        case k::or_: {
            // De Morgan: a negated `and` is an `or` of negations, and the other way round.
            const bool conj = (e.what == k::and_) != neg;
            cond acc = conj ? cond{} : never_cond();
            for (const auto& c : e.children) {
                const cond part = derive(*c, code, neg);
                acc = conj ? meet(acc, part) : join(acc, part);
            }
            return acc;
        }
        case k::check:
            return check_atom(e, code, neg);
        case k::identifier:
            return {};
    }
    return {};
}

}  // namespace

const std::vector<bool>& prefilter_state_events() {
    static const std::vector<bool> events = [] {
        std::vector<bool> out(PPM_EVENT_MAX, false);
        const uint32_t needs = EF_MODIFIES_STATE | EF_CREATES_FD | EF_DESTROYS_FD;
        const parser_registry parsers;
        for (uint32_t code = 0; code < PPM_EVENT_MAX; ++code) {
            const auto c = static_cast<uint16_t>(code);
            out[code] = (scap_event_table[code].flags & needs) != 0 || parsers[c].fn != nullptr;
        }
        return out;
    }();
    return events;
}

namespace {

// The table from a per-code derivation: state events get no condition, the others what
// `condition(code)` gives (already "never" where nothing can match).
template <typename F>
scap::prefilter table_of(F&& condition) {
    scap::prefilter pf;
    pf.rules.resize(PPM_EVENT_MAX);
    const std::vector<bool>& state = prefilter_state_events();
    for (uint32_t code = 0; code < PPM_EVENT_MAX; ++code) {
        if (state[code]) continue;
        scap::prefilter_rule& r = pf.rules[code];
        const cond c = condition(static_cast<uint16_t>(code));
        if (c.never) {
            r.never = true;
            continue;
        }
        r.ret_min = c.lo;
        r.ret_max = c.hi;
        if (c.has_comm) r.comms = c.comms;
        if (c.has_tid) r.tids = c.tids;
        if (c.has_pid) r.pids = c.pids;
    }
    return pf;
}

}  // namespace

scap::prefilter derive_prefilter(const filter::ast::expr& tree, const std::vector<bool>& event_codes) {
    return table_of([&](uint16_t code) {
        if (code < event_codes.size() && !event_codes[code]) return never_cond();
        return derive(tree, code, false);
    });
}

scap::prefilter derive_prefilter_any(const std::vector<std::vector<const filter::ast::expr*>>& trees_by_code,
                                     const filter::ast::expr* required) {
    return table_of([&](uint16_t code) {
        if (code >= trees_by_code.size()) return cond{};
        // An `or` over the trees that can match this code: none of them, never.
        cond any = never_cond();
        for (const filter::ast::expr* t : trees_by_code[code]) {
            any = join(any, derive(*t, code, false));
            if (!any.constrains()) break;  // "anything" stays so whatever is joined to it
        }
        return required ? meet(any, derive(*required, code, false)) : any;
    });
}

}  // namespace sinsp
