#include "proc/proc_parse.h"

#include <cstring>

namespace scap::proc {

namespace {

void skip_blanks(std::string_view& s) {
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    s.remove_prefix(i);
}

int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

// The last number of a whitespace-separated list ("NSpid:\t1234\t1"), and how many there were.
bool last_number(std::string_view s, int64_t& out, int& count) {
    count = 0;
    uint64_t v = 0;
    while (take_u64(s, 10, v)) {
        out = static_cast<int64_t>(v);
        ++count;
    }
    return count > 0;
}

void append_entry(std::string& out, std::string_view subsys, std::string_view path) {
    out.append(subsys);
    out.push_back('=');
    out.append(path);
    out.push_back('\0');
}

}  // namespace

bool take_u64(std::string_view& s, int base, uint64_t& out) {
    skip_blanks(s);
    size_t i = 0;
    uint64_t v = 0;
    while (i < s.size()) {
        const int d = digit_value(s[i]);
        if (d >= base) break;
        v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
        ++i;
    }
    if (i == 0) return false;
    out = v;
    s.remove_prefix(i);
    return true;
}

bool take_i64(std::string_view& s, int64_t& out) {
    skip_blanks(s);
    const bool neg = !s.empty() && s[0] == '-';
    std::string_view rest = neg ? s.substr(1) : s;
    uint64_t v = 0;
    if (rest.empty() || digit_value(rest[0]) >= 10 || !take_u64(rest, 10, v)) return false;
    out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
    s = rest;
    return true;
}

bool skip_field(std::string_view& s) {
    skip_blanks(s);
    size_t i = 0;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') ++i;
    s.remove_prefix(i);
    return i > 0;
}

bool parse_stat(std::string_view text, stat_fields& out) {
    const size_t open = text.find('(');
    const size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return false;
    out.comm = text.substr(open + 1, close - open - 1);
    std::string_view s = text.substr(close + 1);
    // Fields after comm: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
    // cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime.
    uint64_t u = 0;
    if (!skip_field(s) || !take_i64(s, out.ppid) || !take_i64(s, out.pgid) || !take_i64(s, out.sid))
        return true;
    int64_t tty = 0;
    if (!take_i64(s, tty)) return true;
    out.tty = static_cast<uint32_t>(tty);
    if (!skip_field(s) || !take_u64(s, 10, out.kflags) || !take_u64(s, 10, out.minflt) || !skip_field(s) ||
        !take_u64(s, 10, out.majflt))
        return true;
    for (int i = 0; i < 9; ++i)
        if (!skip_field(s)) return true;
    if (!take_u64(s, 10, u)) return true;
    out.starttime = u;
    out.complete = true;
    return true;
}

uint64_t parse_status(std::string_view text, status_fields& out) {
    uint64_t bad = 0;
    for_each_line(text, [&](std::string_view line) {
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) return;
        const std::string_view key = line.substr(0, colon);
        std::string_view v = line.substr(colon + 1);
        uint64_t u = 0;
        int count = 0;
        bool ok = true;
        // Each field is set only when its value parsed, so a broken line leaves the "unknown"
        // default for the caller's fallbacks.
        if (key == "Tgid") {
            if ((ok = take_u64(v, 10, u))) out.tgid = static_cast<int64_t>(u);
        } else if (key == "PPid") {
            if ((ok = take_u64(v, 10, u))) out.ppid = static_cast<int64_t>(u);
        } else if (key == "Threads") {
            if ((ok = take_u64(v, 10, u))) out.threads = static_cast<int64_t>(u);
        } else if (key == "Uid" || key == "Gid") {
            // real, effective, saved, fs: the capture format keeps the effective ids.
            uint64_t real = 0;
            if ((ok = take_u64(v, 10, real) && take_u64(v, 10, u)))
                (key == "Uid" ? out.euid : out.egid) = static_cast<int64_t>(u);
        } else if (key == "NSpid") {
            int64_t inner = -1;
            if ((ok = last_number(v, inner, count))) {
                out.vtid = inner;
                out.root_pidns = count == 1;
            }
        } else if (key == "NStgid" || key == "NSpgid") {
            int64_t inner = -1;
            if ((ok = last_number(v, inner, count))) (key == "NStgid" ? out.vpid : out.vpgid) = inner;
        } else if (key == "VmSize" || key == "VmRSS" || key == "VmSwap") {
            if ((ok = take_u64(v, 10, u)))
                (key == "VmSize"  ? out.vmsize_kb
                 : key == "VmRSS" ? out.vmrss_kb
                                  : out.vmswap_kb) = static_cast<uint32_t>(u);
        } else if (key == "CapInh" || key == "CapPrm" || key == "CapEff") {
            if ((ok = take_u64(v, 16, u)))
                (key == "CapInh" ? out.cap_inh : key == "CapPrm" ? out.cap_prm : out.cap_eff) = u;
        }
        if (!ok) ++bad;
    });
    return bad;
}

bool parse_nofile_limit(std::string_view text, uint64_t& soft) {
    bool found = false;
    for_each_line(text, [&](std::string_view line) {
        if (found || !starts_with(line, "Max open files")) return;
        std::string_view v = line.substr(sizeof("Max open files") - 1);
        skip_blanks(v);
        if (starts_with(v, "unlimited")) {
            soft = UINT64_MAX;
            found = true;
        } else {
            found = take_u64(v, 10, soft);
        }
    });
    return found;
}

uint64_t parse_cgroup(std::string_view text, const std::vector<std::string>& v2_controllers,
                      std::string& out) {
    out.clear();
    uint64_t bad = 0;
    for_each_line(text, [&](std::string_view line) {
        if (line.empty()) return;
        // "hierarchy-id:controller,list:path"; the path may itself contain ':'.
        const size_t c1 = line.find(':');
        const size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) {
            ++bad;
            return;
        }
        std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
        const std::string_view path = line.substr(c2 + 1);
        if (controllers.empty()) {
            if (line.substr(0, c1) != "0") return;  // a v1 hierarchy with no controller bound
            for (const auto& c : v2_controllers) append_entry(out, c, path);
            return;
        }
        while (!controllers.empty()) {
            const size_t comma = controllers.find(',');
            // Named v1 hierarchies stay "name=systemd=/path", as the capture format has them.
            const std::string_view name = controllers.substr(0, comma);
            if (!name.empty()) append_entry(out, name, path);
            if (comma == std::string_view::npos) break;
            controllers.remove_prefix(comma + 1);
        }
    });
    return bad;
}

std::vector<std::string> parse_v2_controllers(std::string_view text) {
    std::vector<std::string> out;
    for_each_line(text, [&](std::string_view line) {
        if (line.empty() || line[0] == '#') return;
        std::string_view s = line;
        const size_t start = s.find_first_not_of(" \t");
        if (start == std::string_view::npos) return;
        s.remove_prefix(start);
        const size_t end = s.find_first_of(" \t");
        if (end == std::string_view::npos) return;
        const std::string_view name = s.substr(0, end);
        s.remove_prefix(end);
        uint64_t hierarchy = 0, num = 0, enabled = 0;
        if (take_u64(s, 10, hierarchy) && take_u64(s, 10, num) && take_u64(s, 10, enabled) &&
            hierarchy == 0 && enabled == 1)
            out.emplace_back(name);
    });
    return out;
}

namespace {

// out = text + NUL in one allocation: assign() then push_back() would allocate text's size and
// then reallocate to twice it, copying the text again (the environment is kilobytes for each of
// thousands of processes in a /proc scan).
void assign_terminated(std::string_view text, std::string& out) {
    out.clear();
    out.reserve(text.size() + 1);
    out.append(text);
    out.push_back('\0');
}

}  // namespace

void split_cmdline(std::string_view text, std::string& exe, std::string& args) {
    exe.clear();
    args.clear();
    // Only the terminator of the last argument goes: "a\0\0" has an empty second argument.
    if (!text.empty() && text.back() == '\0') text.remove_suffix(1);
    if (text.empty()) return;
    const size_t first = text.find('\0');
    exe.assign(text.substr(0, first));
    if (first == std::string_view::npos) return;
    assign_terminated(text.substr(first + 1), args);
}

void assign_nul_list(std::string_view text, std::string& out) {
    if (!text.empty() && text.back() == '\0') text.remove_suffix(1);
    if (text.empty()) return out.clear();
    assign_terminated(text, out);
}

}  // namespace scap::proc
