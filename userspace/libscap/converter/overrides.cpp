// Facts about the event history that the schema does not carry, as data. Each entry says why the
// derivation (derive.cpp) would get the case wrong. See proposals/0002-converter.md.
#include <cstring>
#include <stdexcept>
#include <string>

#include "converter/tweaks.h"

namespace scap::conv {
namespace {

// Exits whose enter-derived parameters stay empty when the enter event is missing: the consumer
// treats an empty value as "unknown" for these, while a zero would look like a real value.
constexpr uint16_t k_enter_fallback_empty[] = {
    PPME_GENERIC_X,           PPME_SYSCALL_BRK_1_X,     PPME_SYSCALL_BRK_4_X,   PPME_SYSCALL_IOCTL_2_X,
    PPME_SYSCALL_FCHDIR_X,    PPME_SYSCALL_MKDIR_X,     PPME_SYSCALL_MKDIR_2_X, PPME_SYSCALL_RMDIR_X,
    PPME_SYSCALL_OPENAT_X,    PPME_SYSCALL_LINK_X,      PPME_SYSCALL_LINKAT_X,  PPME_SYSCALL_UNLINK_X,
    PPME_SYSCALL_UNLINKAT_X,  PPME_SYSCALL_DUP_X,       PPME_SYSCALL_PRLIMIT_X, PPME_SYSCALL_PTRACE_X,
    PPME_SYSCALL_SETRESUID_X, PPME_SYSCALL_SETRESGID_X, PPME_SYSCALL_SETUID_X,  PPME_SYSCALL_SETGID_X,
    PPME_SYSCALL_SETNS_X,     PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_SETPGID_X, PPME_SYSCALL_BPF_X,
};

struct named_param {
    uint16_t event;
    const char* param;
};

// Parameters that old captures never carried and that the consumer reads as numbers: a zero is
// expected rather than an empty value (the socket tuples are listed for completeness, their
// default is empty anyway).
constexpr named_param k_default_when_missing[] = {
    {PPME_SOCKET_SOCKET_X, "flags"},       {PPME_SOCKET_RECVMSG_X, "msgcontrol"},
    {PPME_SYSCALL_FCNTL_X, "arg"},         {PPME_SOCKET_ACCEPT_5_X, "queuelen"},
    {PPME_SOCKET_ACCEPT_5_X, "queuemax"},  {PPME_SOCKET_ACCEPT4_6_X, "queuelen"},
    {PPME_SOCKET_ACCEPT4_6_X, "queuemax"}, {PPME_SOCKET_SEND_X, "tuple"},
    {PPME_SOCKET_RECV_X, "tuple"},         {PPME_SOCKET_SENDMMSG_X, "res"},
    {PPME_SOCKET_RECVMMSG_X, "res"},       {PPME_SYSCALL_SECCOMP_E, "flags"},
    {PPME_SOCKET_CONNECT_E, "addr"},
};

// The enters the reference's converter passes on (open, openat, openat2, creat and execveat
// enters as they are; execve's and connect's stored too) and its inspector uses for the exit, then
// filters out after numbering them: an old capture's evt.num there counts one more event per
// such pair. Every older version of these enters is converted into the listed one first.
constexpr uint16_t k_numbered_enters[] = {
    PPME_SYSCALL_OPEN_E,   PPME_SYSCALL_OPENAT_2_E,  PPME_SYSCALL_OPENAT2_E,  PPME_SYSCALL_CREAT_E,
    PPME_SOCKET_CONNECT_E, PPME_SYSCALL_EXECVE_19_E, PPME_SYSCALL_EXECVEAT_E,
};

struct retarget {
    uint16_t old_exit;
    uint16_t target;
};

// Old accept4 versions carry the name "accept", which would send them to accept's current exit.
constexpr retarget k_targets[] = {
    {PPME_SOCKET_ACCEPT4_X, PPME_SOCKET_ACCEPT4_6_X},
    {PPME_SOCKET_ACCEPT4_5_X, PPME_SOCKET_ACCEPT4_6_X},
};

// Whole rules. Recipe tokens, one per built parameter: oN = parameter N of the event being
// converted, eN / EN = parameter N of the stored enter (missing enter: default / empty),
// "-" = empty, "d" = the type's default, "json" = container JSON built from the old event.
struct override_rule {
    override_phase phase;
    uint16_t code;
    uint8_t nparams;
    action act;
    uint16_t target;
    const char* recipe;
};

constexpr auto E = override_phase::enter;
constexpr auto X = override_phase::exit;

constexpr override_rule k_rules[] = {
    // Every old execve enter becomes the last enter version, which the consumer still reads (and
    // which carries the filename the exit takes).
    {E, PPME_SYSCALL_EXECVE_8_E, 0, action::change_type, PPME_SYSCALL_EXECVE_19_E, "-"},
    {E, PPME_SYSCALL_EXECVE_13_E, 0, action::change_type, PPME_SYSCALL_EXECVE_19_E, "-"},
    {E, PPME_SYSCALL_EXECVE_14_E, 0, action::change_type, PPME_SYSCALL_EXECVE_19_E, "-"},
    {E, PPME_SYSCALL_EXECVE_15_E, 0, action::change_type, PPME_SYSCALL_EXECVE_19_E, "-"},
    {E, PPME_SYSCALL_EXECVE_16_E, 0, action::change_type, PPME_SYSCALL_EXECVE_19_E, "-"},
    {E, PPME_SYSCALL_EXECVE_17_E, 0, action::change_type, PPME_SYSCALL_EXECVE_19_E, "-"},
    {E, PPME_SYSCALL_EXECVE_18_E, 1, action::change_type, PPME_SYSCALL_EXECVE_19_E, "o0"},
    // Exit-only: enter events are never delivered (the reference still delivers these three);
    // they are kept for the exit that follows.
    {E, PPME_SYSCALL_EXECVE_19_E, 1, action::store_enter, 0, ""},
    {E, PPME_SYSCALL_EXECVEAT_E, 3, action::store_enter, 0, ""},
    {E, PPME_SOCKET_CONNECT_E, 2, action::store_enter, 0, ""},
    // The first container event had separate fields; the next one carries them as JSON.
    {E, PPME_CONTAINER_E, 4, action::change_type, PPME_CONTAINER_JSON_E, "json"},

    // brk's first enter called the value "size"; it lands in vm_size.
    {X, PPME_SYSCALL_BRK_1_X, 1, action::change_type, PPME_SYSCALL_BRK_4_X, "o0 E0 - - -"},
    // dup's enter called the old fd "fd".
    {X, PPME_SYSCALL_DUP_X, 1, action::change_type, PPME_SYSCALL_DUP_1_X, "o0 E0"},
    // bpf's old exit called its result "res_or_fd".
    {X, PPME_SYSCALL_BPF_X, 1, action::change_type, PPME_SYSCALL_BPF_2_X, "o0 E0"},
    // Captures whose connect exit had only res/tuple: the reference fills fd from the enter and
    // then, the enter being consumed, gives addr its default.
    {X, PPME_SOCKET_CONNECT_X, 2, action::add_params, 0, "e0 d"},
};

}  // namespace

bool enter_fallback_is_empty(uint16_t exit_code) {
    for (uint16_t c : k_enter_fallback_empty)
        if (c == exit_code) return true;
    return false;
}

bool is_default_when_missing(uint16_t target, const char* param_name) {
    for (const auto& p : k_default_when_missing)
        if (p.event == target && std::strcmp(p.param, param_name) == 0) return true;
    return false;
}

bool reference_numbers_enter(uint16_t enter_code) {
    for (uint16_t c : k_numbered_enters)
        if (c == enter_code) return true;
    return false;
}

uint16_t target_override(uint16_t old_exit) {
    for (const auto& r : k_targets)
        if (r.old_exit == old_exit) return r.target;
    return 0;
}

const char* enter_param_alias(uint16_t, const char*) {
    return nullptr;
}

std::vector<param_instr> parse_recipe(const char* recipe) {
    std::vector<param_instr> out;
    const char* p = recipe;
    while (*p) {
        while (*p == ' ') ++p;
        if (!*p) break;
        const char* end = p;
        while (*end && *end != ' ') ++end;
        const std::string tok(p, end);
        param_instr in;
        if (tok == "-") {
            in.from = source::empty;
        } else if (tok == "d") {
            in.from = source::typed_default;
        } else if (tok == "json") {
            in.from = source::container_json;
            in.fallback_empty = true;
        } else if (tok.size() > 1 && (tok[0] == 'o' || tok[0] == 'e' || tok[0] == 'E')) {
            in.from = tok[0] == 'o' ? source::old_event : source::enter;
            in.fallback_empty = tok[0] == 'E';
            in.index = static_cast<uint8_t>(std::stoi(tok.substr(1)));
        } else {
            throw std::logic_error("converter override: bad recipe token '" + tok + "'");
        }
        out.push_back(in);
        p = end;
    }
    return out;
}

void apply_overrides(rule_table& t, override_phase phase) {
    for (const auto& o : k_rules) {
        if (o.phase != phase) continue;
        rule& r = t.slot(o.code, o.nparams);
        r = rule{};
        r.act = o.act;
        r.target = o.target;
        r.params = parse_recipe(o.recipe);
        const bool is_exit = !is_enter_code(o.code);
        if (is_exit && (o.act == action::change_type || o.act == action::add_params))
            r.expected_enter = stored_enter_type(t, static_cast<uint16_t>(o.code - 1));
    }
}

}  // namespace scap::conv
