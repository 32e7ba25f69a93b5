// Damaged captures, made from the shared ones with a seeded RNG: bits flipped, the file cut
// short, ranges zeroed or overwritten, in plain form, gzip-compressed after the damage, and with
// the damage done to the compressed bytes. Each is replayed the way scapdig replays a file
// (libscap, libsinsp state, every event formatted as text and JSON) and must end in time with
// either a clean end or an error that says where (an offset or an event number): never a crash,
// a sanitizer report or a hang.
//
// Each capture's variants run in one forked child that reports every variant's start and result
// through a pipe, so a crash or hang names the variant, and the parent enforces a time bound per
// variant.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "scap/scap.h"
#include "sinsp/fields.h"
#include "sinsp/formatter.h"
#include "sinsp/inspector.h"
#include "gzip_bytes.h"
#include "test_paths.h"

namespace {

using scap_test::bytes;
using scap_test::gzip;
using scap_test::read_plain;

// Per capture and form; SCAP_CORRUPTION_VARIANTS=N runs N instead (longer hunts outside CI).
int variants_per_form() {
    const char* env = std::getenv("SCAP_CORRUPTION_VARIANTS");
    const int n = env ? std::atoi(env) : 0;
    return n > 0 ? n : 24;
}
constexpr int k_seconds_per_variant = 20;  // normally milliseconds, even under ASan

const char* const k_captures[] = {
    "falco_cat_write.scap",           "falco_connect_localhost.scap",   "falco_empty.scap",
    "falco_open-multiple-files.scap", "falco_ping_sendto.scap",         "falco_syscall.scap",
    "libs_curl_google.scap",          "libs_curl_google_comments.scap", "libs_single_ipv6_conn.scap",
    "libs_test_ipv6_client.scap",
};

bool write_all(const std::string& path, const bytes& b) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return static_cast<bool>(out);
}

// One kind of damage at random places; returns what it did, for messages.
std::string damage(bytes& b, std::mt19937_64& rng) {
    if (b.empty()) return "empty";
    auto at = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    char what[128];
    switch (rng() % 5) {
        case 0: {  // a few bit flips
            const int n = 1 + static_cast<int>(rng() % 8);
            size_t first = 0;
            for (int i = 0; i < n; ++i) {
                const size_t o = at(b.size());
                if (i == 0) first = o;
                b[o] ^= static_cast<uint8_t>(1u << (rng() % 8));
            }
            std::snprintf(what, sizeof what, "%d bit flips, first at %zu", n, first);
            break;
        }
        case 1: {  // cut short
            const size_t o = at(b.size());
            b.resize(o);
            std::snprintf(what, sizeof what, "truncated to %zu bytes", o);
            break;
        }
        case 2: {  // a zeroed range
            const size_t o = at(b.size()), n = std::min<size_t>(1 + rng() % 512, b.size() - o);
            std::memset(b.data() + o, 0, n);
            std::snprintf(what, sizeof what, "%zu bytes zeroed at %zu", n, o);
            break;
        }
        case 3: {  // a range of random bytes
            const size_t o = at(b.size()), n = std::min<size_t>(1 + rng() % 64, b.size() - o);
            for (size_t i = 0; i < n; ++i) b[o + i] = static_cast<uint8_t>(rng());
            std::snprintf(what, sizeof what, "%zu random bytes at %zu", n, o);
            break;
        }
        default: {  // a 32-bit field set to an extreme value (lengths, counts)
            const size_t o = at(b.size() >= 4 ? b.size() - 3 : 1);
            const uint32_t extremes[] = {0, 1, 0xffffffffu, 0x7fffffffu, 0x10000u, 12};
            const uint32_t v = extremes[rng() % 6];
            std::memcpy(b.data() + o, &v, std::min<size_t>(4, b.size() - o));
            std::snprintf(what, sizeof what, "u32 0x%x written at %zu", v, o);
            break;
        }
    }
    return what;
}

struct variant {
    std::string path;
    std::string description;
};

// Replays one file as scapdig would. Returns "eof", or "error: <message>".
std::string replay(const std::string& path, uint64_t& events) {
    sinsp::inspector insp;
    std::string error;
    if (insp.open_file(path, error) != scap::status::ok) return "error: " + error;
    sinsp::field_catalog fields;
    sinsp::event_formatter text(std::string("*") + sinsp::k_default_format, fields);
    sinsp::event_formatter json(
        "*%evt.num %evt.type %evt.args %proc.cmdline %proc.pname %fd.name %fd.sip "
        "%user.name %thread.tid %evt.res",
        fields);
    std::string line;
    const sinsp::event* e = nullptr;
    scap::status s;
    while ((s = insp.next(e)) == scap::status::ok) {
        ++events;
        const sinsp::event_context ctx{e, &insp};
        line.clear();
        text.format(ctx, line);
        line.clear();
        json.format_json(ctx, line);
    }
    return s == scap::status::eof ? std::string("eof") : "error: " + insp.last_error();
}

// The child: runs every variant, reporting "B i" before and "E i events result" after each.
[[noreturn]] void run_child(int fd, const std::vector<variant>& vs) {
    for (size_t i = 0; i < vs.size(); ++i) {
        std::string msg = "B " + std::to_string(i) + "\n";
        if (::write(fd, msg.data(), msg.size()) < 0) _exit(3);
        uint64_t events = 0;
        std::string result = replay(vs[i].path, events);
        for (char& c : result)
            if (c == '\n') c = ' ';
        msg = "E " + std::to_string(i) + " " + std::to_string(events) + " " + result + "\n";
        if (::write(fd, msg.data(), msg.size()) < 0) _exit(3);
    }
    _exit(0);
}

// Reads one line from the child, waiting at most `seconds`. False on timeout or end of pipe.
bool read_line(int fd, std::string& buf, std::string& line, int seconds, bool& timed_out) {
    timed_out = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    for (;;) {
        const size_t nl = buf.find('\n');
        if (nl != std::string::npos) {
            line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return timed_out = true, false;
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return timed_out = true, false;
        char tmp[4096];
        const ssize_t n = ::read(fd, tmp, sizeof tmp);
        if (n <= 0) return false;
        buf.append(tmp, static_cast<size_t>(n));
    }
}

// A clear error says what and where: every capture-file error carries an offset (of the block,
// or of the section header) or an event number.
bool says_where(const std::string& result) {
    return result.find("offset") != std::string::npos || result.find("event") != std::string::npos;
}

class SavefileCorruption : public ::testing::TestWithParam<const char*> {};

TEST_P(SavefileCorruption, NeverCrashesOrHangsAndSaysWhereItStopped) {
    const std::string name = GetParam();
    const bytes clean = read_plain(scap_test::capture(name));
    ASSERT_GT(clean.size(), 1000u) << "missing capture " << name;
    const bytes clean_gz = gzip(clean);
    const std::string dir = scap_test::temp_dir("corruption_" + name);

    // Seeded by the capture's name: the same variants every run.
    std::seed_seq seed(name.begin(), name.end());
    std::mt19937_64 rng(seed);
    std::vector<variant> vs;
    const int per_form = variants_per_form();
    for (int form = 0; form < 3; ++form) {
        for (int i = 0; i < per_form; ++i) {
            variant v;
            bytes b = form == 2 ? clean_gz : clean;
            const std::string what = damage(b, rng);
            static const char* const forms[] = {"plain", "damaged then gzipped", "gzip damaged"};
            if (form == 1) b = gzip(b);
            v.path =
                dir + "/" + std::to_string(form) + "_" + std::to_string(i) + (form ? ".scap.gz" : ".scap");
            v.description = name + " (" + forms[form] + "): " + what;
            ASSERT_TRUE(write_all(v.path, b)) << v.path;
            vs.push_back(std::move(v));
        }
    }

    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(fds[0]);
        run_child(fds[1], vs);
    }
    ::close(fds[1]);

    std::string buf, line;
    size_t started = SIZE_MAX, finished = 0, clean_ends = 0, errors = 0;
    bool timed_out = false;
    auto began = std::chrono::steady_clock::now();
    double slowest_ms = 0;
    size_t slowest = 0;
    while (read_line(fds[0], buf, line, k_seconds_per_variant, timed_out)) {
        if (line[0] == 'B') {
            started = std::stoul(line.substr(2));
            began = std::chrono::steady_clock::now();
            continue;
        }
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
        if (ms > slowest_ms) slowest_ms = ms, slowest = started;
        // "E i events result"
        const size_t sp1 = line.find(' ', 2), sp2 = line.find(' ', sp1 + 1);
        const size_t i = std::stoul(line.substr(2, sp1 - 2));
        const std::string result = line.substr(sp2 + 1);
        ++finished;
        if (result == "eof") {
            ++clean_ends;
        } else {
            ++errors;
            EXPECT_EQ(result.rfind("error: ", 0), 0u) << vs[i].description << ": " << result;
            EXPECT_TRUE(says_where(result))
                << vs[i].description << ": the error does not say where: " << result;
            EXPECT_NE(result.find(vs[i].path), std::string::npos)
                << vs[i].description << ": the error does not name the file: " << result;
        }
    }
    const std::string at = started < vs.size() ? vs[started].description : std::string("(none started)");
    if (timed_out) {
        ::kill(pid, SIGKILL);
        ADD_FAILURE() << "hang: no result within " << k_seconds_per_variant << " s for " << at;
    }
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    ::close(fds[0]);
    if (!timed_out) {
        EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
            << "the replay died ("
            << (WIFSIGNALED(wstatus) ? "signal " + std::to_string(WTERMSIG(wstatus))
                                     : "exit " + std::to_string(WEXITSTATUS(wstatus)))
            << ") while reading " << at;
    }
    EXPECT_EQ(finished, vs.size());
    std::printf("%s: %zu variants, %zu errors, %zu clean ends; slowest %.0f ms (%s)\n", name.c_str(),
                vs.size(), errors, clean_ends, slowest_ms,
                slowest < vs.size() ? vs[slowest].description.c_str() : "");
    std::filesystem::remove_all(dir);
    // The damage must be felt: some variants end in an error (truncations always do).
    EXPECT_GT(errors, 0u) << clean_ends << " clean ends";
}

INSTANTIATE_TEST_SUITE_P(SharedCaptures, SavefileCorruption, ::testing::ValuesIn(k_captures),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                             std::string n = i.param;
                             for (char& c : n)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return n;
                         });

}  // namespace
