// The evaluation tree a filter compiles into.
//
// Every node owns the buffers its evaluation needs (extracted values, transformer output,
// glob scratch), so evaluating an event allocates nothing once buffers have grown to size.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "compare.h"
#include "literals.h"
#include "path_set.h"
#include "sinsp/filter_field.h"
#include "transformers.h"

namespace sinsp::filter {

class node {
  public:
    virtual ~node() = default;
    virtual bool eval(const event_context& ctx) = 0;
    // Rough cost of one evaluation; and/or evaluate cheaper operands first.
    virtual uint32_t cost() const = 0;
    // The codes of `domain` for which this node (negated when `negated`) can be true, as a
    // superset. Negation is pushed down to the leaves (De Morgan), where it can be applied to
    // a known set of codes; leaves unrelated to the event type stay "all codes" either way.
    virtual void codes(code_domain domain, bool negated, std::vector<bool>& out) const = 0;
    virtual std::string describe() const = 0;
};

size_t code_count(code_domain d);

class logical_node final : public node {
  public:
    logical_node(bool is_and, std::vector<std::unique_ptr<node>> children);
    bool eval(const event_context& ctx) override;
    uint32_t cost() const override { return m_cost; }
    void codes(code_domain domain, bool negated, std::vector<bool>& out) const override;
    std::string describe() const override;

  private:
    bool m_and;
    uint32_t m_cost = 0;
    std::vector<std::unique_ptr<node>> m_children;
};

class not_node final : public node {
  public:
    explicit not_node(std::unique_ptr<node> child) : m_child(std::move(child)) {}
    bool eval(const event_context& ctx) override { return !m_child->eval(ctx); }
    uint32_t cost() const override { return m_child->cost(); }
    void codes(code_domain domain, bool negated, std::vector<bool>& out) const override {
        m_child->codes(domain, !negated, out);
    }
    std::string describe() const override { return "not " + m_child->describe(); }

  private:
    std::unique_ptr<node> m_child;
};

class true_node final : public node {
  public:
    bool eval(const event_context&) override { return true; }
    uint32_t cost() const override { return 0; }
    void codes(code_domain domain, bool negated, std::vector<bool>& out) const override {
        out.assign(code_count(domain), !negated);
    }
    std::string describe() const override { return "true"; }
};

// What a comparison tells about the event type (see node::codes).
struct code_hint {
    code_names_fn resolve = nullptr;   // null: the comparison says nothing about the event type
    shared_codes_fn shared = nullptr;  // codes a complemented set must keep (see shared_codes_fn)
    bool exists = false;               // `evt.type exists`: true for every event
    bool complement = false;           // `!=`: every code but the named ones
    // Decided at compile time from a field's value bounds (see field_descriptor::min_value).
    enum class fixed { unknown, never, always } outcome = fixed::unknown;
    std::vector<std::string> names;
};

class leaf_node : public node {
  public:
    leaf_node(code_hint hint, std::string text) : m_hint(std::move(hint)), m_text(std::move(text)) {}
    void codes(code_domain domain, bool negated, std::vector<bool>& out) const override;
    std::string describe() const override { return m_text; }

  private:
    code_hint m_hint;
    std::string m_text;
};

// A field with the transformers applied on top of it.
struct operand {
    bound_field field;
    std::vector<std::unique_ptr<transformer>> chain;
    ppm_param_type type = PT_NONE;
    bool is_list = false;
    uint32_t cost = 0;
    value_list values;

    bool produce(const event_context& ctx) {
        values.clear();
        if (!field.extractor->extract(ctx, values)) return false;
        for (auto& t : chain) {
            if (!t->apply(values)) return false;
        }
        return true;
    }
};

class exists_node final : public leaf_node {
  public:
    exists_node(std::unique_ptr<operand> lhs, code_hint hint, std::string text)
        : leaf_node(std::move(hint), std::move(text)), m_lhs(std::move(lhs)) {}
    bool eval(const event_context& ctx) override { return m_lhs->produce(ctx); }
    uint32_t cost() const override { return m_lhs->cost; }

  private:
    std::unique_ptr<operand> m_lhs;
};

// evt.type = / != / in with constant names: one bit test on the event's code. Codes whose name
// is carried by the event (generic syscalls) are decided by the full name comparison instead.
class code_set_node final : public leaf_node {
  public:
    code_set_node(uint16_t (*code_of)(const event_context&), const std::vector<bool>& accepted,
                  const std::vector<bool>& shared, std::unique_ptr<node> by_name, code_hint hint,
                  std::string text);
    bool eval(const event_context& ctx) override {
        uint16_t c = m_code_of(ctx);
        if (c >= m_max) return false;
        if (test(m_shared, c)) return m_by_name->eval(ctx);
        return test(m_accepted, c);
    }
    uint32_t cost() const override { return 1; }

  private:
    static bool test(const std::vector<uint64_t>& bits, uint16_t c) {
        return ((bits[c >> 6] >> (c & 63)) & 1u) != 0;
    }
    static std::vector<uint64_t> pack(const std::vector<bool>& set, size_t n);

    uint16_t (*m_code_of)(const event_context&);
    std::vector<uint64_t> m_accepted;
    std::vector<uint64_t> m_shared;
    std::unique_ptr<node> m_by_name;
    size_t m_max;
};

enum class modifier : uint8_t { none, oneof, anyof, allof };

// A field compared with constants parsed at compile time.
class const_check final : public leaf_node {
  public:
    const_check(std::unique_ptr<operand> lhs, cmp_op op, modifier mod, code_hint hint, std::string text);
    // Adds one right-hand constant; throws std::invalid_argument on a bad literal or regex.
    void add_value(const std::string& literal);
    bool eval(const event_context& ctx) override;
    uint32_t cost() const override;

  private:
    bool in_set(const value_view& v);
    bool match_item(const value_view& v, size_t i);
    bool match_single(const value_view& v);

    std::unique_ptr<operand> m_lhs;
    cmp_op m_op;
    modifier m_mod;
    family m_fam;
    literal_store m_store;
    std::vector<value_view> m_items;
    std::unordered_set<std::string_view> m_text_set;  // in/intersects on strings and buffers
    std::vector<uint64_t> m_num_set;                  // in/intersects on integers and bools, sorted
    std::vector<std::unique_ptr<re2::RE2>> m_regexes;
    std::unique_ptr<path_set> m_paths;
    compare_scratch m_scratch;
};

// A field compared with another field (val(...) or a transformer on the right-hand side).
class field_check final : public leaf_node {
  public:
    field_check(std::unique_ptr<operand> lhs, cmp_op op, std::unique_ptr<operand> rhs, code_hint hint,
                std::string text);
    bool eval(const event_context& ctx) override;
    uint32_t cost() const override { return m_lhs->cost + m_rhs->cost + 5; }

  private:
    bool any_equal(const value_view& v);
    std::unique_ptr<operand> m_lhs;
    cmp_op m_op;
    std::unique_ptr<operand> m_rhs;
    family m_fam;
    compare_scratch m_scratch;
};

}  // namespace sinsp::filter
