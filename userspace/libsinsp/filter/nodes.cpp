#include "nodes.h"

#include <algorithm>
#include <stdexcept>

namespace sinsp::filter {

size_t code_count(code_domain d) {
    return d == code_domain::event ? size_t{PPM_EVENT_MAX} : size_t{PPM_SC_MAX};
}

// --- and / or -------------------------------------------------------------------------------

logical_node::logical_node(bool is_and, std::vector<std::unique_ptr<node>> children)
    : m_and(is_and), m_children(std::move(children)) {
    // Fields have no side effects, so operand order does not change the result: evaluate the
    // cheap ones first and let short-circuiting skip the expensive ones. stable_sort keeps the
    // written order between equals, which keeps describe() predictable.
    std::stable_sort(m_children.begin(), m_children.end(),
                     [](const auto& a, const auto& b) { return a->cost() < b->cost(); });
    for (const auto& c : m_children) m_cost += c->cost();
}

bool logical_node::eval(const event_context& ctx) {
    if (m_and) {
        for (auto& c : m_children) {
            if (!c->eval(ctx)) return false;
        }
        return true;
    }
    for (auto& c : m_children) {
        if (c->eval(ctx)) return true;
    }
    return false;
}

void logical_node::codes(code_domain domain, bool negated, std::vector<bool>& out) const {
    // not (a and b) == not a or not b: under negation the combination flips.
    const bool intersect = m_and != negated;
    out.assign(code_count(domain), intersect);
    std::vector<bool> child;
    for (const auto& c : m_children) {
        c->codes(domain, negated, child);
        for (size_t i = 0; i < out.size(); ++i)
            out[i] = intersect ? (out[i] && child[i]) : (out[i] || child[i]);
    }
}

std::string logical_node::describe() const {
    std::string out = "(";
    for (size_t i = 0; i < m_children.size(); ++i) {
        if (i) out += m_and ? " and " : " or ";
        out += m_children[i]->describe();
    }
    return out + ")";
}

// --- leaves ---------------------------------------------------------------------------------

void leaf_node::codes(code_domain domain, bool negated, std::vector<bool>& out) const {
    const size_t n = code_count(domain);
    if (m_hint.outcome != code_hint::fixed::unknown) {
        // A known truth value complements exactly, unlike a neutral check.
        out.assign(n, (m_hint.outcome == code_hint::fixed::always) != negated);
        return;
    }
    if (m_hint.resolve == nullptr) {
        out.assign(n, true);
        return;
    }
    if (m_hint.exists) {
        out.assign(n, !negated);  // the event type always exists
        return;
    }
    out.assign(n, false);
    for (const auto& name : m_hint.names) m_hint.resolve(domain, name, out);
    if (m_hint.complement != negated) {
        out.flip();
        // A generic event naming another syscall still passes "!= name": its code was among the
        // named ones only because the name might be behind it. (The reference drops these codes;
        // keeping them is what makes the result a superset.)
        if (m_hint.shared != nullptr) m_hint.shared(domain, out);
    }
}

std::vector<uint64_t> code_set_node::pack(const std::vector<bool>& set, size_t n) {
    std::vector<uint64_t> bits((n + 63) / 64, 0);
    for (size_t i = 0; i < n && i < set.size(); ++i) {
        if (set[i]) bits[i >> 6] |= uint64_t{1} << (i & 63);
    }
    return bits;
}

code_set_node::code_set_node(uint16_t (*code_of)(const event_context&), const std::vector<bool>& accepted,
                             const std::vector<bool>& shared, std::unique_ptr<node> by_name, code_hint hint,
                             std::string text)
    : leaf_node(std::move(hint), std::move(text)),
      m_code_of(code_of),
      m_accepted(pack(accepted, accepted.size())),
      m_shared(pack(shared, accepted.size())),
      m_by_name(std::move(by_name)),
      m_max(accepted.size()) {}

// --- constants ------------------------------------------------------------------------------

const_check::const_check(std::unique_ptr<operand> lhs, cmp_op op, modifier mod, code_hint hint,
                         std::string text)
    : leaf_node(std::move(hint), std::move(text)),
      m_lhs(std::move(lhs)),
      m_op(op),
      m_mod(mod),
      m_fam(family_of(m_lhs->type)) {
    if (op == cmp_op::pmatch) m_paths = std::make_unique<path_set>();
}

void const_check::add_value(const std::string& literal) {
    if (m_op == cmp_op::regex) {
        re2::RE2::Options opts(re2::RE2::POSIX);
        opts.set_log_errors(false);  // the error goes into the filter_error instead
        auto re = std::make_unique<re2::RE2>(literal, opts);
        if (!re->ok()) throw std::invalid_argument("invalid regex pattern: " + re->error());
        m_regexes.push_back(std::move(re));
        return;
    }
    if (m_op == cmp_op::pmatch) {
        if (literal.find('\0') != std::string::npos)
            throw std::invalid_argument("a filter value cannot contain a NUL byte");
        m_paths->add(literal);
        return;
    }
    value_view v = parse_literal(m_lhs->type, m_op, literal, m_store);
    if (m_fam == family::text) v = trim_text(v);
    m_items.push_back(v);
    if (m_op == cmp_op::in || m_op == cmp_op::intersects) {
        switch (m_fam) {
            case family::text:
            case family::bytes:
                m_text_set.insert(v.str());
                break;
            case family::signed_int:
            case family::unsigned_int:
            case family::boolean:
                m_num_set.insert(std::lower_bound(m_num_set.begin(), m_num_set.end(), v.num), v.num);
                break;
            default:
                break;  // compared one by one
        }
    }
}

bool const_check::in_set(const value_view& v) {
    switch (m_fam) {
        case family::text:
            return m_text_set.count(trim_text(v).str()) != 0;
        case family::bytes:
            return m_text_set.count(v.str()) != 0;
        case family::signed_int:
        case family::unsigned_int:
        case family::boolean:
            return std::binary_search(m_num_set.begin(), m_num_set.end(), v.num);
        default:
            for (const auto& item : m_items) {
                if (compare_scalar(cmp_op::eq, m_fam, v, item, m_scratch)) return true;
            }
            return false;
    }
}

bool const_check::match_item(const value_view& v, size_t i) {
    if (m_op == cmp_op::regex) return re2::RE2::FullMatch(trim_text(v).str(), *m_regexes[i]);
    return compare_scalar(m_op, m_fam, v, m_items[i], m_scratch);
}

bool const_check::match_single(const value_view& v) {
    switch (m_op) {
        case cmp_op::in:
        case cmp_op::intersects:
            return in_set(v);
        case cmp_op::pmatch:
            return m_paths->matches(trim_text(v).str());
        case cmp_op::regex:
            return !m_regexes.empty() && match_item(v, 0);
        default:
            return !m_items.empty() && match_item(v, 0);
    }
}

bool const_check::eval(const event_context& ctx) {
    if (!m_lhs->produce(ctx)) return false;
    const value_list& vals = m_lhs->values;
    if (m_lhs->is_list) {
        // in: every extracted value is listed; intersects: at least one is.
        const bool all = m_op == cmp_op::in;
        for (const auto& v : vals) {
            if (in_set(v) != all) return !all;
        }
        return all;
    }
    if (vals.size() != 1) {
        if (!(m_lhs->field.info.flags & FIELD_ANY_VALUE) || m_mod != modifier::none) return false;
        // Fields of either end (fd.ip, fd.port...): = and in hold when one end matches, != only
        // when both ends differ (the reference's reading: "fd.port != 53" rules out DNS sockets).
        if (m_op == cmp_op::ne && (m_lhs->field.info.flags & FIELD_NE_NEEDS_ALL)) {
            for (const auto& v : vals) {
                if (!match_single(v)) return false;
            }
            return !vals.empty();
        }
        for (const auto& v : vals) {
            if (match_single(v)) return true;
        }
        return false;
    }
    const value_view& v = vals[0];
    if (m_mod == modifier::none) return match_single(v);
    const size_t n = m_op == cmp_op::regex ? m_regexes.size() : m_items.size();
    if (n == 0) return false;
    size_t hits = 0;
    for (size_t i = 0; i < n; ++i) {
        bool hit = match_item(v, i);
        if (m_mod == modifier::anyof && hit) return true;
        if (m_mod == modifier::allof && !hit) return false;
        if (m_mod == modifier::oneof && hit && ++hits > 1) return false;
    }
    return m_mod == modifier::allof || (m_mod == modifier::oneof && hits == 1);
}

uint32_t const_check::cost() const {
    uint32_t per;
    switch (m_op) {
        case cmp_op::regex:
            per = 60;
            break;
        case cmp_op::glob:
        case cmp_op::iglob:
        case cmp_op::pmatch:
            per = 25;
            break;
        case cmp_op::icontains:
            per = 15;
            break;
        case cmp_op::contains:
        case cmp_op::bcontains:
            per = 8;
            break;
        case cmp_op::in:
        case cmp_op::intersects:
            per = 5;
            break;
        default:
            per = (m_fam == family::text || m_fam == family::bytes) ? 3 : 1;
            break;
    }
    size_t n = m_mod == modifier::none ? 1 : std::max<size_t>(1, m_items.size() + m_regexes.size());
    return m_lhs->cost + per * static_cast<uint32_t>(n);
}

// --- field against field --------------------------------------------------------------------

field_check::field_check(std::unique_ptr<operand> lhs, cmp_op op, std::unique_ptr<operand> rhs,
                         code_hint hint, std::string text)
    : leaf_node(std::move(hint), std::move(text)),
      m_lhs(std::move(lhs)),
      m_op(op),
      m_rhs(std::move(rhs)),
      m_fam(family_of(m_lhs->type)) {}

bool field_check::any_equal(const value_view& v) {
    for (const auto& r : m_rhs->values) {
        if (compare_scalar(cmp_op::eq, m_fam, v, r, m_scratch)) return true;
    }
    return false;
}

bool field_check::eval(const event_context& ctx) {
    if (!m_lhs->produce(ctx) || !m_rhs->produce(ctx)) return false;
    const value_list& l = m_lhs->values;
    if (m_op == cmp_op::in || m_op == cmp_op::intersects) {
        if (m_lhs->is_list) {
            const bool all = m_op == cmp_op::in;
            for (const auto& v : l) {
                if (any_equal(v) != all) return !all;
            }
            return all;
        }
        return l.size() == 1 && any_equal(l[0]);
    }
    // Scalar operators compare with the first right-hand value, as the reference does.
    if (l.size() != 1 || m_rhs->values.empty()) return false;
    return compare_scalar(m_op, m_fam, l[0], m_rhs->values[0], m_scratch);
}

}  // namespace sinsp::filter
