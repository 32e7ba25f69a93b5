// user.* and group.*: the credentials of the process that generated the event, named through
// the user and group tables (snapshot plus user/group meta events).
#include <optional>

#include "fields/field_classes.h"
#include "fields/proc_common.h"

namespace sinsp::fields {

namespace {

constexpr uint32_t k_none = UINT32_MAX;

// A text of the user record for a uid of the event's thread (uid, or loginuid). Like the
// reference: when no record is known, `root_value` for uid 0 (if given) and "<NA>" otherwise.
template <typename Get>
filter::field_table::factory user_text(uint32_t thread_info::*id, Get get, const char* root_value) {
    return simple([id, get, root_value](const event_context& c, value_list& out) {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        const uint32_t uid = t->*id;
        const scap::user_info* u = uid == k_none ? nullptr : c.insp->user(uid);
        if (u) {
            out.push_back(value_view::text(get(*u)));
        } else {
            out.push_back(value_view::text(uid == 0 && root_value ? root_value : "<NA>"));
        }
        return true;
    });
}

filter::field_table::factory id_field(uint32_t thread_info::*id, bool as_signed) {
    return simple([id, as_signed](const event_context& c, value_list& out) {
        const thread_info* t = c.evt->thread;
        if (!t) return false;
        const uint32_t v = t->*id;
        if (as_signed) {
            // The reference shows "no login uid" as -1.
            out.push_back(value_view::signed_number(v == k_none ? -1 : static_cast<int64_t>(v)));
            return true;
        }
        // An unknown uid/gid shows as the kernel's "no id" value, 4294967295, as in the reference
        // (so `user.uid != 0` holds for it there and here alike).
        out.push_back(value_view::number(v));
        return true;
    });
}

}  // namespace

void add_user_fields(filter::field_table& t) {
    t.add(describe("user.uid", PT_UINT32, "Real user id of the process.", 0, 2),
          id_field(&thread_info::uid, false));
    t.add(describe("user.name", PT_CHARBUF, "Name of the process's user.", 0, 5),
          user_text(
              &thread_info::uid, [](const scap::user_info& u) { return std::string_view(u.name); }, "root"));
    t.add(describe("user.homedir", PT_CHARBUF, "Home directory of the process's user.", 0, 5),
          user_text(
              &thread_info::uid, [](const scap::user_info& u) { return std::string_view(u.homedir); },
              "/root"));
    t.add(
        describe("user.shell", PT_CHARBUF, "Login shell of the process's user.", 0, 5),
        user_text(
            &thread_info::uid, [](const scap::user_info& u) { return std::string_view(u.shell); }, nullptr));
    t.add(describe("user.loginuid", PT_INT64, "Audit login uid of the process (-1 when none).", 0, 2),
          id_field(&thread_info::loginuid, true));
    t.add(describe("user.loginname", PT_CHARBUF, "Name of the user the login uid belongs to.", 0, 5),
          user_text(
              &thread_info::loginuid, [](const scap::user_info& u) { return std::string_view(u.name); },
              "root"));
    t.add(describe("group.gid", PT_UINT32, "Real group id of the process.", 0, 2),
          id_field(&thread_info::gid, false));
    t.add(describe("group.name", PT_CHARBUF, "Name of the process's group.", 0, 5),
          // As user.name: "root" for gid 0 and "<NA>" for groups the tables lack, as in the reference.
          simple([](const event_context& c, value_list& out) {
              const thread_info* th = c.evt->thread;
              if (!th) return false;
              const scap::group_info* g = th->gid == k_none ? nullptr : c.insp->group(th->gid);
              if (g) {
                  out.push_back(value_view::text(g->name));
              } else {
                  out.push_back(value_view::text(th->gid == 0 ? "root" : "<NA>"));
              }
              return true;
          }));
}

}  // namespace sinsp::fields
