// user.* and group.*: the credentials of the process that generated the event.
#include "fields/extractor_kit.h"
#include "fields/field_classes.h"

namespace sinsp::fields {

void add_user_fields(filter::field_table& t) {
    t.add(describe("user.uid", PT_UINT32, "Real user id of the process.", 0, 2),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || th->uid == UINT32_MAX) return false;
              out.push_back(value_view::number(th->uid));
              return true;
          }));
    t.add(describe("group.gid", PT_UINT32, "Real group id of the process.", 0, 2),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th || th->gid == UINT32_MAX) return false;
              out.push_back(value_view::number(th->gid));
              return true;
          }));
}

}  // namespace sinsp::fields
