// Test helper: runs a capture through the inspector and reads fields of chosen events as text,
// through the field catalog exactly as filters and formatters do.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sinsp/fields.h"
#include "sinsp/filter.h"
#include "sinsp/inspector.h"
#include "sinsp/value_text.h"
#include "test_paths.h"

namespace scap_test {

class field_probe {
  public:
    // Binds each field name (as written in a filter: "proc.aname[2]", "evt.arg.fd").
    explicit field_probe(const std::vector<std::string>& names) {
        for (const auto& n : names) {
            std::optional<std::string> arg;
            std::string base = n;
            const auto lb = n.find('[');
            if (lb != std::string::npos && n.back() == ']') {
                base = n.substr(0, lb);
                arg = n.substr(lb + 1, n.size() - lb - 2);
            }
            sinsp::filter::bound_field f;
            std::string err;
            if (!m_catalog.bind(base, arg, f, err)) {
                ADD_FAILURE() << "cannot bind " << n << ": " << err;
                continue;
            }
            m_fields.emplace(n, std::move(f));
        }
    }

    // The field's text for the event, or nullopt when it does not apply.
    std::optional<std::string> get(const std::string& name, const sinsp::event& e,
                                   const sinsp::inspector& insp) {
        auto it = m_fields.find(name);
        if (it == m_fields.end()) return std::nullopt;
        sinsp::event_context ctx{&e, &insp};
        m_values.clear();
        if (!it->second.extractor->extract(ctx, m_values)) return std::nullopt;
        std::string s;
        sinsp::append_values_text(s, it->second.info.type, m_values);
        return s;
    }
    // Like get, "<NA>" when the field does not apply.
    std::string text(const std::string& name, const sinsp::event& e, const sinsp::inspector& insp) {
        auto v = get(name, e, insp);
        return v ? *v : std::string("<NA>");
    }

  private:
    sinsp::field_catalog m_catalog;
    std::map<std::string, sinsp::filter::bound_field> m_fields;
    sinsp::filter::value_list m_values;
};

// Runs a capture from ../shared/captures, calling f for every event; fails the test on errors.
inline void for_each_event(sinsp::inspector& insp, const std::string& capture_name,
                           const std::function<void(const sinsp::event&)>& f) {
    std::string err;
    ASSERT_EQ(insp.open_file(capture(capture_name), err), scap::status::ok) << err;
    const sinsp::event* e;
    scap::status s;
    while ((s = insp.next(e)) == scap::status::ok) f(*e);
    ASSERT_EQ(s, scap::status::eof) << insp.last_error();
}

// Events of the capture matching a filter.
inline void for_each_match(sinsp::inspector& insp, const std::string& capture_name,
                           const std::string& filter_text,
                           const std::function<void(const sinsp::event&)>& f) {
    sinsp::field_catalog catalog;
    auto flt = sinsp::filter::compile(filter_text, catalog);
    for_each_event(insp, capture_name, [&](const sinsp::event& e) {
        sinsp::event_context ctx{&e, &insp};
        if (flt->matches(ctx)) f(e);
    });
}

// Texts of `names` for the first event of the capture matching `filter` ("<NA>" for fields that
// do not apply); empty (and a test failure) when nothing matches.
inline std::map<std::string, std::string> first_match(const std::string& capture_name,
                                                      const std::string& filter,
                                                      const std::vector<std::string>& names) {
    sinsp::inspector insp;
    field_probe probe(names);
    std::map<std::string, std::string> got;
    for_each_match(insp, capture_name, filter, [&](const sinsp::event& e) {
        if (!got.empty()) return;
        for (const auto& n : names) got[n] = probe.text(n, e, insp);
    });
    EXPECT_FALSE(got.empty()) << "nothing matched " << filter;
    return got;
}

// How many events of the capture match `filter`.
inline size_t count_matches(const std::string& capture_name, const std::string& filter) {
    sinsp::inspector insp;
    size_t n = 0;
    for_each_match(insp, capture_name, filter, [&](const sinsp::event&) { ++n; });
    return n;
}

}  // namespace scap_test
