#include "scap/prefilter.h"

#include <algorithm>

#include "scap/event.h"

namespace scap {

bool prefilter_rule::accepts_all() const {
    return !never && !bounds_ret() && comms.empty() && tids.empty() && pids.empty();
}

bool prefilter::empty() const {
    return std::all_of(rules.begin(), rules.end(), [](const prefilter_rule& r) { return r.accepts_all(); });
}

namespace {
template <typename T>
void append_set(std::string& out, const char* name, const std::vector<T>& values) {
    if (values.empty()) return;
    out += std::string(" ") + name + " in (";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
    out += ")";
}
}  // namespace

std::string prefilter::describe() const {
    std::string out;
    for (size_t code = 0; code < rules.size(); ++code) {
        const prefilter_rule& r = rules[code];
        if (r.accepts_all()) continue;
        if (!out.empty()) out += "; ";
        out += scap_event_table[code].name;
        out += "/" + std::to_string(code) + ":";
        if (r.never) {
            out += " never";
            continue;
        }
        if (r.bounds_ret())
            out += " ret in [" + std::to_string(r.ret_min) + "," + std::to_string(r.ret_max) + "]";
        if (!r.comms.empty()) {
            out += " comm in (";
            for (size_t i = 0; i < r.comms.size(); ++i)
                out += (i ? "," : "") + r.comms[i].text + (r.comms[i].prefix ? "*" : "");
            out += ")";
        }
        append_set(out, "tid", r.tids);
        append_set(out, "pid", r.pids);
    }
    return out;
}

bool prefilter_passes(const prefilter_rule& r, int64_t ret, uint32_t tid, uint32_t pid,
                      std::string_view comm) {
    if (r.never) return false;
    if (ret < r.ret_min || ret > r.ret_max) return false;
    if (!r.tids.empty() && std::find(r.tids.begin(), r.tids.end(), tid) == r.tids.end()) return false;
    if (!r.pids.empty() && std::find(r.pids.begin(), r.pids.end(), pid) == r.pids.end()) return false;
    if (r.comms.empty()) return true;
    for (const prefilter_comm& c : r.comms) {
        if (c.prefix ? comm.substr(0, c.text.size()) == c.text : comm == c.text) return true;
    }
    return false;
}

}  // namespace scap
