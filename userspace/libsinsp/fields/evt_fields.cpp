// evt.*: the event itself.
#include "fields/extractor_kit.h"
#include "fields/field_classes.h"

namespace sinsp::fields {

namespace {

bool is_generic(uint16_t type) {
    return type == PPME_GENERIC_E || type == PPME_GENERIC_X;
}

uint16_t event_code(const event_context& c) {
    return c.evt->type();
}

}  // namespace

void add_evt_fields(filter::field_table& t) {
    auto num = describe("evt.num", PT_UINT64, "Position of the event in the stream, from 1.", 0, 1);
    num.min_value = 1;
    t.add(num, simple([](const event_context& c, value_list& out) {
              out.push_back(value_view::number(c.evt->num));
              return true;
          }));

    // Generic events carry the syscall they stand for in their first parameter.
    auto type =
        describe("evt.type", PT_CHARBUF, "Name of the event type (the syscall name for syscalls).", 0, 2);
    type.codes_for_name = filter::schema_codes_for_name;
    type.event_code_of = event_code;
    type.shared_codes = filter::schema_shared_codes;
    t.add(type, simple([](const event_context& c, value_list& out) {
              const auto& ev = c.evt->view;
              const uint16_t code = ev.type();
              if (is_generic(code) && ev.nparams() > 0 && ev.param_len(0) == 2) {
                  const uint16_t sc = ev.param(0).as<uint16_t>();
                  if (sc < PPM_SC_MAX) {
                      out.push_back(value_view::text(scap_ppm_sc_names[sc]));
                      return true;
                  }
              }
              out.push_back(value_view::text(ev.info().name));
              return true;
          }));
}

}  // namespace sinsp::fields
