// All the comparisons of one text field with constants (=, in, !=, startswith, endswith,
// contains) that the rules make, answered together once per event.
//
// Why: the default rules' selective tests are of this kind and pile up on a few fields. An openat
// is tested against ~20 fd.name prefixes and names, ~10 fd.directory lists, a dozen proc.name
// names and lists, `fd.name contains /.ssh/`, `container.id != host`; evaluated one by one, each
// extracts (or copies) the value and compares it through a compiled filter. Here the value is
// extracted once and looked up once: equality and `in` in one open-addressing table from constant
// to the tests it satisfies (behind a filter on the value's length), prefixes and suffixes by one
// walk of a trie of the constants (suffixes on the reversed value), and each test's answer is a
// stamp; `!=` and `contains` are one comparison each on the value in hand, made when asked.
//
// Values repeat: 260,000 openats of the 2M reference capture name 166 distinct paths. So each
// group keeps a memo from a value to the answers it gave (the =/in/startswith/endswith tests that
// held, the !=/contains tests asked so far and their verdicts); a value seen before costs one
// key, one compare of its bytes and a few stamps instead of the table probe and both trie walks.
// The memo is keyed by the value's bytes only, never by where the value came from (an fd, a
// thread), so a renamed or reused fd cannot read another value's answers.
//
// Semantics are the filter's for these operators on text: trailing NULs are not part of the value
// (nor of the constants), a field that does not apply fails every test, several values fail
// every test unless the field allows any value to match (FIELD_ANY_VALUE), then any one does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "field_cache.h"
#include "sinsp/filter_field.h"

namespace sinsp::rules::detail {

class text_tests {
  public:
    // `answers` is shared by all groups of a graph (see condition_graph): each test of =, in,
    // startswith and endswith owns one element, the stamp of the last event it held for, so that
    // reading an answer touches one small array rather than the group.
    text_tests(std::unique_ptr<filter::field_extractor> field, uint32_t flags, std::vector<uint32_t>& answers)
        : m_field(std::move(field)),
          m_cached(dynamic_cast<cached_extractor*>(m_field.get())),
          m_flags(flags),
          m_answers(answers) {
        m_prefixes.emplace_back();
        m_suffixes.emplace_back();
    }

    enum class kind { equal, not_equal, prefix, suffix, contains };
    // A test: the value equals one of `constants` (kind equal), differs from the one constant,
    // starts with, ends with or contains it. Equal, prefix and suffix tests are answered by run()
    // in `answers` (index returned, `single` false); != and contains are decided when asked
    // (single_holds(index), `single` true): one comparison each, often never asked because an
    // earlier operand settled the rule, so not worth making every event pay for.
    struct added {
        bool single;
        uint32_t index;
    };
    added add(kind k, const std::vector<std::string>& constants);

    // Extracts the value for the event stamped `event` and marks the answers that hold.
    void run(const event_context& ctx, uint32_t event);
    // A != or contains test, on the values run() extracted for the current event.
    bool single_holds(uint32_t index);

    // Memo counters since construction (for tests): values answered from the memo, and values
    // answered by the table and tries and then remembered.
    uint64_t memo_hits() const { return m_memo_hits; }
    uint64_t memo_fills() const { return m_memo_fills; }

  private:
    // A trie of constants, one byte per edge; `slots` are the tests whose constant ends here.
    struct trie_node {
        std::vector<std::pair<uint8_t, uint32_t>> next;  // byte -> node, few per node
        std::vector<uint32_t> slots;
    };
    static void insert(std::vector<trie_node>& trie, std::string_view s, uint32_t slot);
    // Marks the slots of every constant that starts `s` (or ends it, walking backwards).
    void walk(const std::vector<trie_node>& trie, std::string_view s, bool backwards);

    // Equality: every distinct constant with the slots it satisfies, and the lookup table built
    // from them (rebuilt after add(), before the next event).
    struct constant {
        std::string text;
        uint64_t hash = 0;
        std::vector<uint32_t> slots;
    };
    static uint64_t hash(std::string_view s);
    void build_table();
    void mark_equal(std::string_view s);
    // Marks test `slot` as held for this event, and notes it for the memo.
    void hold(uint32_t slot) {
        m_answers[slot] = m_event;
        if (m_held_count < k_memo_held) m_held[m_held_count] = slot;
        ++m_held_count;
    }
    // Answers the value from the memo (true), or answers it the long way and remembers it.
    bool answer_from_memo(std::string_view s);
    void answer(std::string_view s);
    // A test against one constant (!= and contains).
    struct single {
        std::string text;
        bool contains;  // else !=
    };

    std::unique_ptr<filter::field_extractor> m_field;
    // m_field when it is a shared binding (field_cache.h): its values are read in place rather
    // than copied into m_values.
    cached_extractor* m_cached = nullptr;
    uint32_t m_flags;
    filter::value_list m_values;
    const filter::value_list* m_in = &m_values;  // this event's values
    std::vector<constant> m_constants;
    // Open addressing, linear probing, a power of two long: index + 1 into m_constants, 0 empty.
    std::vector<uint32_t> m_table;
    // Bit n: some constant is n bytes long (bit 63: 63 or more). A value of no such length equals
    // no constant and is not hashed.
    uint64_t m_lengths = 0;
    bool m_table_stale = false;
    std::vector<single> m_singles;
    bool m_usable = false;                          // m_in holds this event's values, their count allowed
    std::vector<trie_node> m_prefixes, m_suffixes;  // node 0: the root (the empty constant)
    std::vector<uint32_t>& m_answers;
    uint32_t m_event = 0;  // run()'s stamp

    // The memo: direct-mapped, keyed by the value's length and its first and last 8 bytes, each
    // entry checked against the value's full bytes. Values longer than k_memo_text, and values
    // for which more than k_memo_held tests hold, are answered the long way every time. Made at
    // the first run() (nothing is allocated per event); forgotten by add().
    static constexpr size_t k_memo_entries = 256;  // a power of two
    static constexpr size_t k_memo_text = 120;
    static constexpr size_t k_memo_held = 6;
    struct memo_entry {
        uint32_t len = 0;
        uint32_t held_count = 0;
        bool valid = false;
        uint32_t held[k_memo_held] = {};
        // Per != / contains test (the first 64): asked for this value yet, and its verdict.
        uint64_t singles_known = 0;
        uint64_t singles_true = 0;
        char text[k_memo_text] = {};
    };
    static size_t memo_slot(std::string_view s);
    std::vector<memo_entry> m_memo;
    memo_entry* m_memo_current = nullptr;  // this event's entry, when its value has one
    uint32_t m_held[k_memo_held] = {};     // tests held by the value being answered the long way
    uint32_t m_held_count = 0;
    uint64_t m_memo_hits = 0;
    uint64_t m_memo_fills = 0;
};

}  // namespace sinsp::rules::detail
