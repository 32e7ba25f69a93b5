// Comparisons whose verdict depends on the event's fd alone (see fd_scope.h).
#include "fd_scope.h"

#include "ast_tools.h"

namespace sinsp::rules::detail {

namespace {

// Fields whose values are a function of fd_key, read from their extractors (fields/fd_fields.cpp):
//   fd.name      the fd's display name (a path, or a socket's addresses); for an fd the state does
//                not know, the empty name; no value without an fd;
//   fd.typechar  a letter per kind; for an unknown fd, the unknown kind's;
//   fd.type      the kind's name; no value without an fd the state knows;
//   fd.directory a file's name up to its last slash ("/" when none), a directory's name, "/" for an
//                unknown fd, no value otherwise;
//   fd.filename  a file's name after its last slash, no value otherwise;
//   fd.nameraw   for a file or directory not from the snapshot, the path the call gave (name_raw)
//                or else the name, slashes collapsed; empty otherwise (an unknown fd too).
// The display name of an fd other than a socket is its name. A field is added here only after reading
// its extractor: not fd.num (the event's number), fd.nameraw (the event's argument), fd.ino...
constexpr std::string_view k_fields[] = {"fd.name",      "fd.typechar", "fd.type",
                                         "fd.directory", "fd.filename", "fd.nameraw"};

}  // namespace

bool fd_scoped(const filter::ast::expr& check) {
    if (check.what != filter::ast::expr::kind::check) return false;
    if (check.lhs.what != filter::ast::term::kind::field || check.lhs.arg) return false;
    if (check.rhs && !is_constant_operand(*check.rhs)) return false;
    for (std::string_view f : k_fields) {
        if (check.lhs.name == f) return true;
    }
    return false;
}

bool fd_scope_key(const event_context& ctx, cached_extractor& fd_name_field, fd_key& out) {
    const fd_info* fd = ctx.evt->fd;
    if (fd != nullptr && !fd->is_inet()) {
        // fd.name's value is the name itself (fd_info::append_display_name): read in place, not
        // extracted (an openat would copy its path once more for the key alone).
        const bool from_snapshot = (fd->open_flags & k_fd_from_snapshot) != 0;
        out.tag =
            static_cast<uint8_t>(fd_key::k_known_fd + 2 * static_cast<uint8_t>(fd->kind) + from_snapshot);
        out.name = fd->name;
        out.raw = fd->name_raw.view();
        return true;
    }
    const filter::value_list* fd_name = fd_name_field.values(ctx);
    if (fd_name != nullptr && fd_name->size() != 1) return false;
    if (fd != nullptr) {
        if (fd_name == nullptr) return false;
        // A socket: fd.nameraw is empty, whatever name_raw holds.
        out.tag = static_cast<uint8_t>(fd_key::k_known_fd + 2 * static_cast<uint8_t>(fd->kind));
    } else {
        // Without an fd, fd.name has a value (the empty name) exactly when the event uses an fd
        // the state does not know.
        out.tag = fd_name != nullptr ? fd_key::k_unknown_fd : fd_key::k_no_fd;
    }
    out.raw = {};
    if (fd_name == nullptr) {
        out.name = {};
        return true;
    }
    const filter::value_view& v = (*fd_name)[0];
    out.name = {reinterpret_cast<const char*>(v.data), v.len};
    return true;
}

}  // namespace sinsp::rules::detail
