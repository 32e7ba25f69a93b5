#include "getopt.h"

namespace sinsp::filter {

void getopt_extractor::load_optstring(std::string_view optstring) {
    if (m_loaded && optstring == m_last_optstring) return;
    m_last_optstring.assign(optstring);
    m_loaded = true;
    m_options = option_table{};
    // A leading ':' only changes how getopt(3) reports errors; ':' is never an option itself.
    for (size_t i = 0; i < optstring.size(); ++i) {
        const auto c = static_cast<unsigned char>(optstring[i]);
        if (c == ':') continue;
        m_options.known[c] = true;
        if (i + 1 < optstring.size() && optstring[i + 1] == ':') {
            m_options.takes_argument[c] = true;
            ++i;
        }
    }
}

void getopt_extractor::emit(std::string_view s) {
    // One selected value at most: the last match wins.
    if (m_selector) m_results.clear();
    m_results.emplace_back(m_storage.size(), s.size());
    m_storage.append(s);
}

bool getopt_extractor::extract(const event_context& ctx, value_list& out) {
    if (!m_optstring->produce(ctx) || m_optstring->values.empty()) return false;
    load_optstring(trim_text(m_optstring->values[0]).str());
    if (!m_argv->produce(ctx)) return false;

    m_storage.clear();
    m_results.clear();
    const value_list& argv = m_argv->values;
    for (size_t k = 0; k < argv.size(); ++k) {
        const std::string_view token = trim_text(argv[k]).str();
        if (token == "--") break;                                              // end of options
        if (token.size() > 2 && token[0] == '-' && token[1] == '-') continue;  // long options: skipped
        if (token.size() < 2 || token[0] != '-') break;                        // first operand
        // A cluster of short options: "-abc", "-tvalue".
        for (size_t i = 1; i < token.size(); ++i) {
            const auto c = static_cast<unsigned char>(token[i]);
            const std::string_view name = token.substr(i, 1);
            const bool selected = !m_selector || static_cast<unsigned char>(*m_selector) == c;
            if (c == ':' || !m_options.known[c]) {
                if (!m_selector) emit("?");
                continue;
            }
            if (!m_options.takes_argument[c]) {
                if (selected) emit(name);
                continue;
            }
            // The argument is the rest of this token, else the next token.
            std::optional<std::string_view> value;
            if (i + 1 < token.size()) {
                value = token.substr(i + 1);
            } else if (k + 1 < argv.size()) {
                value = trim_text(argv[++k]).str();
            }
            if (selected) {
                if (!value) {
                    emit("");  // a missing argument reads as empty
                } else {
                    if (!m_selector) emit(name);
                    emit(*value);
                }
            }
            break;  // the argument ends the cluster
        }
    }
    if (m_selector && m_results.empty()) return false;  // the option is absent
    for (const auto& [offset, len] : m_results)
        out.push_back(value_view::bytes(m_storage.data() + offset, len));
    return true;
}

}  // namespace sinsp::filter
