// fs.path.*: the paths filesystem events act on — fs.path.name for single-path events (mkdir,
// unlink, open, chmod...), fs.path.source / fs.path.target for two-path events (rename, link,
// symlink, mount). The plain fields are absolute (relative paths resolved against the dirfd or
// the cwd); the *raw fields are the path as the syscall received it. Only events that succeeded
// (for opens: as the reference tells, see succeeded()).
#include <array>

#include "fields/evt_common.h"
#include "fields/field_classes.h"
#include "fields/proc_common.h"
#include "state/helpers.h"

namespace sinsp::fields {

namespace {

enum class role { name, source, target };

// Which parameter holds the path of each role, per event type ("" when none).
struct path_params {
    const char* name = nullptr;
    const char* source = nullptr;
    const char* target = nullptr;
};

const std::array<path_params, PPM_EVENT_MAX>& path_table() {
    static const auto table = [] {
        std::array<path_params, PPM_EVENT_MAX> t{};
        auto one = [&](uint16_t type, const char* param) { t[type].name = param; };
        auto two = [&](uint16_t type, const char* src, const char* dst) {
            t[type].source = src;
            t[type].target = dst;
        };
        one(PPME_SYSCALL_MKDIR_2_X, "path");
        one(PPME_SYSCALL_MKDIRAT_X, "path");
        one(PPME_SYSCALL_RMDIR_2_X, "path");
        one(PPME_SYSCALL_UNLINK_2_X, "path");
        one(PPME_SYSCALL_UNLINKAT_2_X, "name");
        one(PPME_SYSCALL_OPEN_X, "name");
        one(PPME_SYSCALL_OPENAT_2_X, "name");
        one(PPME_SYSCALL_OPENAT2_X, "name");
        one(PPME_SYSCALL_FCHMODAT_X, "filename");
        one(PPME_SYSCALL_CHMOD_X, "filename");
        one(PPME_SYSCALL_CHOWN_X, "path");
        one(PPME_SYSCALL_LCHOWN_X, "path");
        one(PPME_SYSCALL_FCHOWNAT_X, "pathname");
        one(PPME_SYSCALL_QUOTACTL_X, "special");
        one(PPME_SYSCALL_UMOUNT_1_X, "name");
        one(PPME_SYSCALL_UMOUNT2_X, "name");
        two(PPME_SYSCALL_RENAME_X, "oldpath", "newpath");
        two(PPME_SYSCALL_RENAMEAT_X, "oldpath", "newpath");
        two(PPME_SYSCALL_RENAMEAT2_X, "oldpath", "newpath");
        // A link is a new name (the source of the operation) for an existing file (its target).
        two(PPME_SYSCALL_LINK_2_X, "newpath", "oldpath");
        two(PPME_SYSCALL_LINKAT_2_X, "newpath", "oldpath");
        two(PPME_SYSCALL_SYMLINK_X, "linkpath", "target");
        two(PPME_SYSCALL_SYMLINKAT_X, "linkpath", "target");
        two(PPME_SYSCALL_MOUNT_X, "dev", "dir");
        return t;
    }();
    return table;
}

const char* param_for(uint16_t type, role r) {
    const path_params& p = path_table()[type];
    return r == role::name ? p.name : r == role::source ? p.source : p.target;
}

bool is_open(uint16_t type) {
    return type == PPME_SYSCALL_OPEN_X || type == PPME_SYSCALL_OPENAT_2_X || type == PPME_SYSCALL_OPENAT2_X;
}

// Whether the event counts as done. Others return 0; for the open family the reference's test is
// "fd is not -1", so a failed open (fd -2, ENOENT) still has its path and only EPERM (-1) has
// none: kept, since rules written against the reference see those paths.
bool succeeded(const event_context& c) {
    int64_t res;
    if (!return_value(c.evt->view, res)) return false;
    return is_open(c.evt->type()) ? res != -1 : res == 0;
}

// fchmod and fchown act on an fd: their path is its name.
bool acts_on_fd(uint16_t type) {
    return type == PPME_SYSCALL_FCHMOD_X || type == PPME_SYSCALL_FCHOWN_X;
}

class fspath_extractor final : public field_extractor {
  public:
    fspath_extractor(role r, bool raw) : m_role(r), m_raw(raw) {}
    bool extract(const event_context& c, value_list& out) override {
        const uint16_t type = c.evt->type();
        if (acts_on_fd(type)) {
            const fd_info* fd = c.evt->fd;
            if (m_role != role::name || !fd || fd->name.empty() || !succeeded(c)) return false;
            out.push_back(value_view::text(fd->name));
            return true;
        }
        const char* name = param_for(type, m_role);
        if (!name || !succeeded(c)) return false;
        const int i = param_index(type, name);
        if (i < 0 || static_cast<uint32_t>(i) >= c.evt->view.nparams()) return false;
        const std::string_view path = c.evt->view.param(static_cast<uint32_t>(i)).str();
        if (path.empty()) return false;
        if (m_raw || path.front() == '/') {
            out.push_back(value_view::text(path));
            return true;
        }
        if (type == PPME_SYSCALL_OPENAT_2_X || type == PPME_SYSCALL_OPENAT2_X) {
            // The reference names a relative openat by the fd it opened, "<UNKNOWN>" without one.
            const fd_info* fd = c.evt->fd;
            out.push_back(
                value_view::text(fd && !fd->name.empty() ? std::string_view(fd->name) : "<UNKNOWN>"));
            return true;
        }
        const std::string_view base = path_base_dir(c, c.evt->view.info().params[i]);
        if (base.empty()) return false;
        m_buf = join_path(base, path);
        out.push_back(value_view::text(m_buf));
        return true;
    }

  private:
    role m_role;
    bool m_raw;
    std::string m_buf;
};

}  // namespace

void add_fspath_fields(filter::field_table& t) {
    struct def {
        const char* name;
        role r;
        bool raw;
        const char* description;
    };
    static const def defs[] = {
        {"fs.path.name", role::name, false, "Absolute path a single-path filesystem event acted on."},
        {"fs.path.nameraw", role::name, true, "Path a single-path filesystem event received, as given."},
        {"fs.path.source", role::source, false, "Absolute source path of a rename, link, symlink or mount."},
        {"fs.path.sourceraw", role::source, true, "Source path of a two-path event, as given."},
        {"fs.path.target", role::target, false, "Absolute target path of a rename, link, symlink or mount."},
        {"fs.path.targetraw", role::target, true, "Target path of a two-path event, as given."},
    };
    for (const auto& d : defs) {
        const role r = d.r;
        const bool raw = d.raw;
        t.add(describe(d.name, PT_CHARBUF, d.description, 0, 10),
              [r, raw](const std::optional<std::string>&, field_descriptor&, std::string&) {
                  return std::unique_ptr<field_extractor>(std::make_unique<fspath_extractor>(r, raw));
              });
    }
}

}  // namespace sinsp::fields
