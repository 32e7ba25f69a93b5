// Alerts as Falco prints them: the text line "<time>: <Priority> <output>" and the JSON object
// with hostname, output, output_fields, priority, rule, source, tags and time. Rendering only
// happens for alerts, so it may allocate.
#include <ctime>
#include <nlohmann/json.hpp>

#include "ruleset_impl.h"

namespace sinsp::rules {

namespace {

// Falco escapes the text line as a JSON string body (control characters, quotes, invalid UTF-8).
void append_escaped(const std::string& text, std::string& out) {
    const std::string encoded =
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.append(encoded, 1, encoded.size() - 2);
}

std::string iso8601(uint64_t ts) {
    const time_t secs = static_cast<time_t>(ts / 1000000000ull);
    struct tm tm_buf {};
    gmtime_r(&secs, &tm_buf);
    char head[32];
    std::strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm_buf);
    char tail[16];
    std::snprintf(tail, sizeof tail, ".%09lluZ", static_cast<unsigned long long>(ts % 1000000000ull));
    return std::string(head) + tail;
}

}  // namespace

const std::string& ruleset::impl::render_line(uint32_t rule, const event_context& ctx) {
    compiled_rule& cr = compiled_rules.at(static_cast<size_t>(compiled_of.at(rule)));
    scratch.clear();
    time_format->format(ctx, scratch);
    scratch += ": ";
    scratch += priority_name(infos[rule].prio);
    scratch += ' ';
    cr.output->format(ctx, scratch);
    return scratch;
}

void ruleset::format_text(uint32_t rule, const event_context& ctx, std::string& out) {
    append_escaped(m->render_line(rule, ctx), out);
}

void ruleset::format_json(uint32_t rule, const event_context& ctx, std::string_view hostname,
                          std::string& out) {
    compiled_rule& cr = m->compiled_rules.at(static_cast<size_t>(m->compiled_of.at(rule)));
    const rule_info& info = m->infos[rule];
    std::string text = m->render_line(rule, ctx);
    std::string fields_text;
    cr.output->format_json(ctx, fields_text);
    nlohmann::json fields = nlohmann::json::parse(fields_text, nullptr, false);
    if (!fields.is_object()) fields = nlohmann::json::object();
    fields["evt.time"] = ctx.evt->ts();
    nlohmann::json alert;  // keys sorted, as Falco's
    alert["hostname"] = std::string(hostname);
    alert["output"] = std::move(text);
    alert["output_fields"] = std::move(fields);
    alert["priority"] = priority_name(info.prio);
    alert["rule"] = info.name;
    alert["source"] = info.source;
    alert["tags"] = info.tags;
    alert["time"] = iso8601(ctx.evt->ts());
    out += alert.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sinsp::rules
