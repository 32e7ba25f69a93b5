// Helpers shared by the fd.* field files: factories for fields of the event's fd and the views
// of a socket's two ends (client/server, local/remote). Private to libsinsp.
#pragma once

#include <string>

#include "fields/extractor_kit.h"

namespace sinsp::fields {

// A field of the event's fd: get(ctx, fd, out) pushes values and returns false when it does not
// apply.
template <typename F>
filter::field_table::factory fd_field(F get) {
    return simple([get](const event_context& c, value_list& out) mutable {
        const fd_info* fd = c.evt->fd;
        if (!fd) return false;
        return get(c, *fd, out);
    });
}

// Whether the event creates, uses or closes an fd: the reference's fd.* fields apply only then.
inline bool is_fd_event(const event_context& c) {
    return (c.evt->view.info().flags & (EF_CREATES_FD | EF_USES_FD | EF_DESTROYS_FD)) != 0;
}

// The event is about an fd the state does not hold: one opened before the capture, or none at
// all because the call creating it failed. The reference still gives such events an fd name
// (taken from the event, see append_event_fd_name), so fd.name exists holds on them.
inline bool uses_unknown_fd(const event_context& c) {
    return c.evt->thread && c.evt->fd == nullptr && is_fd_event(c);
}

// fd.name of an event whose fd the state does not hold, as the reference takes it from the event:
// a failed open's path (made absolute against the dirfd or the cwd unless `raw`), a connect's or
// accept's tuple; empty for other events.
void append_event_fd_name(const event_context& c, std::string& out, bool raw);
// fd.typechar of such an event: the kind the event would have created (a failed pipe is 'p'),
// 'o' for the rest, as the reference guesses it.
char event_fd_typechar(uint16_t type);

// What fd_text hands its fill for an fd the state does not know: no kind, no name.
inline const fd_info& unknown_fd() {
    static const fd_info k_unknown;
    return k_unknown;
}
inline bool is_unknown_fd(const fd_info& fd) {
    return &fd == &unknown_fd();
}

// Text built per event into a reused buffer. With unknown_fd_too, events that use an fd the
// state does not know get the text of unknown_fd().
template <typename F>
filter::field_table::factory fd_text(F fill, bool unknown_fd_too = false) {
    return simple(
        [fill, unknown_fd_too, buf = std::string()](const event_context& c, value_list& out) mutable {
            const fd_info* fd = c.evt->fd;
            if (!fd && unknown_fd_too && uses_unknown_fd(c)) fd = &unknown_fd();
            if (!fd) return false;
            buf.clear();
            if (!fill(c, *fd, buf)) return false;
            out.push_back(value_view::text(buf));
            return true;
        });
}

bool is_file(const fd_info& fd);
// fd.directory's text: a file's directory ("/" at the root or without a slash), a directory
// itself; for an fd the state does not hold, the directory of the name the event gives ("/" when
// it gives none), as the reference shows it; false for other fds.
bool append_directory(const event_context& c, const fd_info& fd, std::string& out);
uint32_t addr_len(const fd_info& fd);
// The tuple holds client -> server (the capture format's convention for connected sockets).
value_view client_ip(const fd_info& fd);
value_view server_ip(const fd_info& fd);
bool connected_inet(const fd_info& fd);
// Whether the client end of the connection is this machine (decides fd.lip / fd.rip).
bool client_is_local(const event_context& c, const fd_info& fd);

enum class end { client, server, local, remote };
// Whether `e` names the client end of fd's connection.
bool pick_client(const event_context& c, const fd_info& fd, end e);

}  // namespace sinsp::fields
