// The filterchecks: every field the filter language and the output formats can name (evt.*,
// proc.*, thread.*, fd.*, fs.path.*, user.*, group.*), extracted from an event and the state
// the inspector keeps for it.
//
//   sinsp::field_catalog fields;
//   auto f = sinsp::filter::compile("evt.type=openat and proc.name contains load", fields);
//   sinsp::event_context ctx{e, &insp};
//   if (f->matches(ctx)) ...
#pragma once

#include <vector>

#include "sinsp/filter_field.h"
#include "sinsp/inspector.h"

namespace sinsp {

// What every extractor receives: the event (with its thread and fd resolved by the state layer)
// and the inspector whose state it refers to. Both must outlive the extraction.
struct event_context {
    const event* evt = nullptr;
    const inspector* insp = nullptr;
};

// A registry holding every field class. Extractors it makes keep their own scratch buffers, so
// a bound field is used by one filter or formatter at a time.
class field_catalog : public filter::field_table {
  public:
    field_catalog();
};

// The field classes, in listing order: the name prefix and a one-line description.
struct field_class_info {
    const char* name;
    const char* description;
};
const std::vector<field_class_info>& field_classes();

}  // namespace sinsp
