// The catalog: every field class in one registry, and the class list for listings.
#include "fields/field_classes.h"

namespace sinsp {

field_catalog::field_catalog() {
    fields::add_evt_fields(*this);
    fields::add_process_fields(*this);
    fields::add_fd_fields(*this);
    fields::add_user_fields(*this);
    fields::add_container_fields(*this);
    fields::add_k8s_fields_class(*this);
    fields::add_fdlist_fields(*this);
}

const std::vector<field_class_info>& field_classes() {
    static const std::vector<field_class_info> classes = {
        {"evt", "The event: its type, time, arguments and result."},
        {"syscall", "The syscall behind syscall events."},
        {"proc", "The process that generated the event, and its ancestors."},
        {"thread", "The thread that generated the event."},
        {"fd", "The file descriptor the event uses or creates: files, sockets, pipes and more."},
        {"fs.path", "Paths that filesystem events (unlink, rename, mkdir, ...) act on."},
        {"user", "The user of the process that generated the event."},
        {"group", "The group of the process that generated the event."},
        {"container", "The container the event's thread runs in ('host' outside containers)."},
        {"k8s", "The Kubernetes pod of the event's container, from the runtime's labels."},
        {"fdlist", "The fds of poll-like events (poll, ppoll): one value per fd, comma separated."},
    };
    return classes;
}

}  // namespace sinsp
