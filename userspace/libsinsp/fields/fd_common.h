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

// Text built per event into a reused buffer.
template <typename F>
filter::field_table::factory fd_text(F fill) {
    return simple([fill, buf = std::string()](const event_context& c, value_list& out) mutable {
        const fd_info* fd = c.evt->fd;
        if (!fd) return false;
        buf.clear();
        if (!fill(c, *fd, buf)) return false;
        out.push_back(value_view::text(buf));
        return true;
    });
}

// Whether the event creates, uses or closes an fd: the reference's fd.* fields apply only then.
inline bool is_fd_event(const event_context& c) {
    return (c.evt->view.info().flags & (EF_CREATES_FD | EF_USES_FD | EF_DESTROYS_FD)) != 0;
}

bool is_file(const fd_info& fd);
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
