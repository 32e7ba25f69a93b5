// getopt(argv, optstring) and getopt(argv, optstring)[c]: command-line options read the way
// getopt(3) reads them, as the reference's transformer does.
//
// Without a selector the result is a list: each option character, followed by its argument for
// options that take one; "?" for an option the optstring does not know; "" for a missing
// argument. With a selector [c] the result is the argument (or the character, for options without
// one) of the last -c, and the field does not apply when -c is absent.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nodes.h"

namespace sinsp::filter {

class getopt_extractor final : public field_extractor {
  public:
    getopt_extractor(std::unique_ptr<operand> argv, std::unique_ptr<operand> optstring,
                     std::optional<char> selector)
        : m_argv(std::move(argv)), m_optstring(std::move(optstring)), m_selector(selector) {}
    bool extract(const event_context& ctx, value_list& out) override;

  private:
    // What the optstring says about each byte value.
    struct option_table {
        std::array<bool, 256> known{};
        std::array<bool, 256> takes_argument{};
    };
    void load_optstring(std::string_view optstring);
    void emit(std::string_view s);

    std::unique_ptr<operand> m_argv, m_optstring;
    std::optional<char> m_selector;
    // The optstring is usually a literal: parse it again only when its bytes change.
    std::string m_last_optstring;
    bool m_loaded = false;
    option_table m_options;
    // Results are collected as (offset, length) into one buffer and turned into views at the
    // end, once the buffer can no longer move.
    std::string m_storage;
    std::vector<std::pair<size_t, size_t>> m_results;
};

}  // namespace sinsp::filter
