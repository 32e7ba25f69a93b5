// proc.* and thread.*: the process and thread that generated the event.
#include "fields/extractor_kit.h"
#include "fields/field_classes.h"

namespace sinsp::fields {

void add_process_fields(filter::field_table& t) {
    t.add(describe("proc.name", PT_CHARBUF, "Name of the executable (the kernel's comm).", 0, 3),
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th) return false;
              out.push_back(value_view::text(c.insp->str(th->comm)));
              return true;
          }));
    t.add(describe("thread.tid", PT_INT64, "Id of the thread that generated the event.", 0, 1),
          simple([](const event_context& c, value_list& out) {
              out.push_back(value_view::signed_number(static_cast<int64_t>(c.evt->tid())));
              return true;
          }));
}

}  // namespace sinsp::fields
