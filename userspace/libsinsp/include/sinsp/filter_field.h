// How the filter language reaches event data: field descriptors, extractors and the registry.
//
// The filter compiler knows nothing about threads, fds or event parameters. Filterchecks
// (implemented elsewhere) describe each field with a field_descriptor and extract its values
// through a field_extractor; a field_registry binds the names written in a filter to them.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scap_schema.h"

namespace sinsp {
// Whatever the state layer hands to extractors for one event; opaque to the filter language.
struct event_context;
}  // namespace sinsp

namespace sinsp::filter {

// One extracted value. Nothing is owned: `data` must stay valid until the event is done.
//  - integers: `num` (signed types sign-extended to 64 bits), bool: `num` 0 or 1,
//    double: `num` holds the bits (see as_double)
//  - strings (PT_CHARBUF, PT_FSPATH, PT_FSRELPATH): `data`/`len`, no NUL inside; a trailing NUL
//    is tolerated and ignored
//  - byte buffers: `data`/`len`
//  - IP addresses: `data` points to 4 or 16 bytes in network order, `len` is 4 or 16
struct value_view {
    const uint8_t* data = nullptr;
    uint32_t len = 0;
    uint64_t num = 0;

    static value_view number(uint64_t n) { return value_view{nullptr, 0, n}; }
    static value_view signed_number(int64_t n) { return value_view{nullptr, 0, static_cast<uint64_t>(n)}; }
    static value_view boolean(bool b) { return value_view{nullptr, 0, b ? 1u : 0u}; }
    static value_view real(double d) {
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        return value_view{nullptr, 0, bits};
    }
    static value_view bytes(const void* p, size_t n) {
        return value_view{static_cast<const uint8_t*>(p), static_cast<uint32_t>(n), 0};
    }
    static value_view text(std::string_view s) { return bytes(s.data(), s.size()); }

    std::string_view str() const { return {reinterpret_cast<const char*>(data), len}; }
    double as_double() const {
        double d;
        std::memcpy(&d, &num, sizeof d);
        return d;
    }
};

// The values of one field for one event. It is owned by the compiled filter and reused: clear()
// keeps the capacity, so steady-state evaluation does not allocate.
class value_list {
  public:
    value_list() { m_items.reserve(8); }
    void clear() { m_items.clear(); }
    void push_back(const value_view& v) { m_items.push_back(v); }
    size_t size() const { return m_items.size(); }
    bool empty() const { return m_items.empty(); }
    value_view& operator[](size_t i) { return m_items[i]; }
    const value_view& operator[](size_t i) const { return m_items[i]; }
    auto begin() const { return m_items.begin(); }
    auto end() const { return m_items.end(); }
    void resize(size_t n) { m_items.resize(n); }

  private:
    std::vector<value_view> m_items;
};

// Value types grouped by how they compare and how they print.
enum class family : uint8_t { signed_int, unsigned_int, real, boolean, text, bytes, ipaddr, ipnet, other };
family family_of(ppm_param_type t);
// The type's name as field listings and error messages show it ("CHARBUF", "UINT64").
const char* type_name(ppm_param_type t);

// Comparison operators of the language.
enum class cmp_op : uint8_t {
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    contains,
    icontains,
    bcontains,
    startswith,
    bstartswith,
    endswith,
    glob,
    iglob,
    pmatch,
    in,
    intersects,
    exists,
    regex,
    count_
};
constexpr uint32_t op_bit(cmp_op op) {
    return 1u << static_cast<unsigned>(op);
}
const char* to_string(cmp_op op);

enum field_flags : uint32_t {
    FIELD_LIST = 1u << 0,          // extracts any number of values (in/intersects/exists only)
    FIELD_ARG_REQUIRED = 1u << 1,  // proc.aname[2], evt.arg[fd]: the argument is mandatory
    FIELD_ARG_ALLOWED = 1u << 2,   // an argument may be given
    FIELD_NO_RHS = 1u << 3,        // cannot take part in a field-to-field (val()) comparison
    FIELD_NO_TRANSFORMERS = 1u << 4,
    // Extracts several values of which any may match, as proc.aname (every ancestor's name):
    // `proc.aname = bash` holds when some value equals bash. Output joins them with spaces.
    FIELD_ANY_VALUE = 1u << 5,
    // `field = N` holds when the value is at most N (evt.around[T] = D: within D ms of T). Such a
    // field supports no other operator.
    FIELD_EQ_MEANS_WITHIN = 1u << 6,
    // A time shown as text that JSON output gives as the event's timestamp (a number of ns), as
    // the reference does for evt.time and its variants.
    FIELD_JSON_TIMESTAMP = 1u << 7,
    // An integer shown in upper-case hexadecimal without a prefix, in text and JSON (a string
    // there), as the reference shows fd.dev.
    FIELD_SHOW_HEX = 1u << 8,
    // With FIELD_ANY_VALUE: `!=` holds only when every value differs (fd.port != 53: neither end
    // is 53), the reference's reading of its either-end fields; proc.aname != keeps "any".
    FIELD_NE_NEEDS_ALL = 1u << 9,
};

// Which code space an event-type constraint is expressed in.
enum class code_domain { event, syscall };

// Adds to `set` (sized PPM_EVENT_MAX or PPM_SC_MAX) the codes whose name is `name`.
using code_names_fn = void (*)(code_domain domain, std::string_view name, std::vector<bool>& set);
// Adds to `set` the codes whose events carry their name inside the event rather than in the
// code: the generic syscall events, whose evt.type is the syscall named by their ID parameter.
// The code alone cannot decide a name comparison for them.
using shared_codes_fn = void (*)(code_domain domain, std::vector<bool>& set);

// The reference's name resolution over the schema tables. Events: every code from 2 up with that
// name; a name with no event but with a ppm_sc code (a syscall without a dedicated event, such as
// "syncfs") resolves to the generic pair. Syscalls: the ppm_sc code of that name, the codes of the
// x86_64 syscalls whose events have that name ("pread" -> pread64) and the tracepoints behind
// tracepoint events ("switch" -> sched_switch).
void schema_codes_for_name(code_domain domain, std::string_view name, std::vector<bool>& set);
// The generic pair for events; no ppm_sc code is shared.
void schema_shared_codes(code_domain domain, std::vector<bool>& set);

struct field_descriptor {
    std::string name;
    ppm_param_type type = PT_NONE;
    uint32_t flags = 0;        // field_flags
    uint32_t allowed_ops = 0;  // op_bit() mask further restricting the type's operators; 0: none
    uint32_t cost = 10;        // rough extraction cost in ns, used to order and/or operands
    // Set by fields whose value is the name of the event type (evt.type): =, != and `in` with
    // constant names then constrain the event type to the codes this resolves the names to.
    code_names_fn codes_for_name = nullptr;
    // Optional fast path for such fields: the event's code. When set, the compiler replaces
    // name comparisons by a bitset lookup; it must agree with codes_for_name.
    uint16_t (*event_code_of)(const event_context& ctx) = nullptr;
    // With codes_for_name: the codes for which the name is not implied by the code (see
    // shared_codes_fn). The fast path compares the extracted name for them, and the event-type
    // derivation keeps them when it complements a set.
    shared_codes_fn shared_codes = nullptr;
    // A lower bound every extracted value respects (unsigned fields only), such as evt.num, which
    // counts events from 1. The event-type derivation uses it to recognise comparisons that can
    // never hold (`evt.num = 0`: no event) or always hold (`evt.num > 0`: every event).
    std::optional<uint64_t> min_value;
    // Called with every constant the field is compared with, when the filter is compiled: fields
    // whose values come from a lookup on those constants (fd.sip.name resolves the names it is
    // compared with) prepare it here, off the event path.
    void (*on_constant)(std::string_view value) = nullptr;
    // One line for field listings (`-l`).
    std::string description;
};

class field_extractor {
  public:
    virtual ~field_extractor() = default;
    // Appends this field's values for the event to `out` (which arrives empty). Returns false
    // when the field does not apply to the event (then no comparison on it matches).
    virtual bool extract(const event_context& ctx, value_list& out) = 0;
};

// A field name bound to what it means: the descriptor (possibly specialised by the argument,
// e.g. evt.rawarg.size takes the parameter's type) and its extractor.
struct bound_field {
    field_descriptor info;
    std::unique_ptr<field_extractor> extractor;
};

class field_registry {
  public:
    virtual ~field_registry() = default;
    // `name` as written ("proc.aname", "evt.arg.name"), `arg` the bracketed argument if any.
    // On failure return false and describe why in `error` ("unknown field 'x.y'").
    virtual bool bind(std::string_view name, const std::optional<std::string>& arg, bound_field& out,
                      std::string& error) = 0;
};

// A ready-made registry: a table of fields with extractor factories. Names resolve by longest
// prefix, as in the reference: "evt.arg.name" finds "evt.arg" and passes "name" as the argument
// when the field allows one; "proc.aname[2]" passes "2".
class field_table : public field_registry {
  public:
    using factory = std::function<std::unique_ptr<field_extractor>(
        const std::optional<std::string>& arg, field_descriptor& info, std::string& error)>;
    void add(field_descriptor info, factory make);
    bool bind(std::string_view name, const std::optional<std::string>& arg, bound_field& out,
              std::string& error) override;
    // Every registered field, in registration order (field listings).
    template <typename F>
    void for_each_field(F&& f) const {
        for (const auto& e : m_entries) f(e.info);
    }

  private:
    struct entry {
        field_descriptor info;
        factory make;
    };
    std::vector<entry> m_entries;
};

}  // namespace sinsp::filter
