// fd.* and fs.path.*: the file descriptor an event uses or creates, and filesystem paths.
#include "fields/extractor_kit.h"
#include "fields/field_classes.h"

namespace sinsp::fields {

void add_fd_fields(filter::field_table& t) {
    t.add(describe("fd.num", PT_INT64, "Number of the fd the event uses or creates.", 0, 1),
          simple([](const event_context& c, value_list& out) {
              if (c.evt->fd_num < 0) return false;
              out.push_back(value_view::signed_number(c.evt->fd_num));
              return true;
          }));
    t.add(describe("fd.name", PT_CHARBUF, "Full name of the fd: a path, or the connection tuple of a socket.",
                   0, 5),
          simple([buf = std::string()](const event_context& c, value_list& out) mutable {
              const fd_info* fd = c.evt->fd;
              if (!fd) return false;
              if (fd->is_inet()) {
                  buf = fd->display_name();
                  out.push_back(value_view::text(buf));
              } else {
                  out.push_back(value_view::text(fd->name));
              }
              return true;
          }));
}

}  // namespace sinsp::fields
