// The ruleset's API: reading files, compiling, the event-type index and per-event evaluation.
#include <fstream>
#include <sstream>

#include "ruleset_impl.h"

namespace sinsp::rules {

ruleset::ruleset(filter::field_registry& fields, load_options opts)
    : m(std::make_unique<impl>(fields, opts)) {}
ruleset::~ruleset() = default;

bool ruleset::add_text(std::string_view yaml, const std::string& name) {
    const size_t errors_before = m->rep.errors();
    auto file = std::make_shared<detail::file_text>();
    file->name = name;
    file->content = std::string(yaml);
    file->index_lines();
    const bool parsed = detail::read_rules_yaml(file, m->collected, m->rep, m->opts.limits);
    if (!parsed) m->fatal = true;
    if (!parsed) return false;
    return !(m->opts.strict && m->rep.errors() > errors_before);
}

bool ruleset::add_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        m->rep.error(location{path, 0, 0}, "file", "", "cannot open the rule file");
        m->fatal = true;
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return add_text(text.str(), path);
}

bool ruleset::compile() {
    if (m->compiled) return !(m->opts.strict && m->rep.errors() > 0);
    m->compiled = true;
    m->compile_all();
    m->by_type.assign(PPM_EVENT_MAX, {});
    size_t max_per_type = 0;
    for (uint32_t i = 0; i < m->compiled_rules.size(); ++i) {
        auto& cr = m->compiled_rules[i];
        rule_info& info = m->infos[cr.info];
        info.active =
            info.enabled && static_cast<uint8_t>(info.prio) <= static_cast<uint8_t>(m->opts.min_priority);
        if (!info.active) continue;
        if (!m->opts.specialize) {
            const std::vector<bool> codes = cr.filter->event_codes();
            for (size_t c = 0; c < codes.size() && c < m->by_type.size(); ++c) {
                if (codes[c]) m->by_type[c].push_back({i, cr.filter.get()});
            }
            continue;
        }
        for (const auto& [code, variant] : cr.per_code) {
            if (code >= m->by_type.size()) continue;
            indexed_rule entry{i, nullptr, -1};
            if (variant >= 0 && m->opts.share_conditions)
                entry.node = cr.graph_nodes[static_cast<size_t>(variant)];
            else if (variant >= 0)
                entry.filter = cr.variants[static_cast<size_t>(variant)].get();
            m->by_type[code].push_back(entry);
        }
    }
    if (m->opts.specialize && m->opts.share_conditions) {
        // Every entry is a graph node (or always holds): one program per event code.
        m->program_of.assign(m->by_type.size(), 0);
        std::vector<int64_t> roots;
        for (size_t c = 0; c < m->by_type.size(); ++c) {
            if (m->by_type[c].empty()) continue;
            roots.clear();
            for (const indexed_rule& r : m->by_type[c]) roots.push_back(r.node);
            m->program_of[c] = m->graph.add_program(roots);
        }
    }
    m->compiled_of.assign(m->infos.size(), -1);
    for (size_t i = 0; i < m->compiled_rules.size(); ++i)
        m->compiled_of[m->compiled_rules[i].info] = static_cast<int32_t>(i);
    m->watched.assign(m->by_type.size(), 0);
    for (size_t c = 0; c < m->by_type.size(); ++c) m->watched[c] = !m->by_type[c].empty();
    for (const auto& v : m->by_type) max_per_type = std::max(max_per_type, v.size());
    m->matches.reserve(max_per_type);
    m->time_format = std::make_unique<event_formatter>("*%evt.time", m->fields);
    return !(m->opts.strict && m->rep.errors() > 0) && !m->fatal;
}

const std::vector<diagnostic>& ruleset::diagnostics() const {
    return m->rep.items;
}

const std::vector<rule_info>& ruleset::rules() const {
    return m->infos;
}

const std::vector<std::pair<std::string, location>>& ruleset::required_engine_versions() const {
    return m->collected.engine_versions;
}

load_summary ruleset::summary() const {
    load_summary s;
    s.rules = m->infos.size();
    for (const auto& r : m->infos) {
        if (r.loaded) {
            ++s.loaded;
            if (r.active)
                ++s.active;
            else if (!r.enabled)
                ++s.disabled_by_file;
            else
                ++s.below_priority;
        } else if (r.source != "syscall" && !r.source.empty()) {
            ++s.skipped_source;
        } else {
            ++s.failed;
        }
    }
    for (const auto& d : m->rep.items) (d.severity == diagnostic::level::error ? s.errors : s.warnings)++;
    return s;
}

std::vector<bool> ruleset::event_codes() const {
    std::vector<bool> out(PPM_EVENT_MAX, false);
    for (size_t c = 0; c < m->by_type.size(); ++c) out[c] = !m->by_type[c].empty();
    return out;
}

std::vector<bool> ruleset::syscall_codes() const {
    std::vector<bool> out(PPM_SC_MAX, false);
    for (const auto& cr : m->compiled_rules) {
        if (!m->infos[cr.info].active) continue;
        const std::vector<bool> codes = cr.filter->syscall_codes();
        for (size_t c = 0; c < codes.size() && c < out.size(); ++c) out[c] = out[c] || codes[c];
    }
    return out;
}

const std::vector<uint32_t>& ruleset::evaluate(const event_context& ctx) {
    m->matches.clear();
    const uint16_t code = ctx.evt->type();
    // No new stamp for an event no rule watches: stamps need only differ between the events
    // evaluated.
    if (code >= m->watched.size() || !m->watched[code]) return m->matches;
    m->graph.next_event();
    const std::vector<indexed_rule>& rules = m->by_type[code];
    if (!m->program_of.empty()) {
        m->graph.run_program(m->program_of[code], ctx, [&](size_t i) {
            m->matches.push_back(m->compiled_rules[rules[i].rule].info);
            return m->opts.all_matches;
        });
        return m->matches;
    }
    for (const indexed_rule& r : rules) {
        if (r.node >= 0 && !m->graph.eval(static_cast<uint32_t>(r.node), ctx)) continue;
        if (r.filter && !r.filter->matches(ctx)) continue;
        m->matches.push_back(m->compiled_rules[r.rule].info);
        if (!m->opts.all_matches) break;
    }
    return m->matches;
}

}  // namespace sinsp::rules
