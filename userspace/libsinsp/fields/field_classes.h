// The field classes that make up the catalog; each lives in its own file. Private to libsinsp.
#pragma once

#include "sinsp/fields.h"

namespace sinsp::fields {

void add_evt_fields(filter::field_table& t);        // evt_fields.cpp
void add_process_fields(filter::field_table& t);    // process_fields.cpp: proc.*, thread.*
void add_fd_fields(filter::field_table& t);         // fd_fields.cpp: fd.*, fs.path.*
void add_user_fields(filter::field_table& t);       // user_fields.cpp: user.*, group.*
void add_container_fields(filter::field_table& t);  // container_fields.cpp: container.*
void add_k8s_fields_class(filter::field_table& t);  // container_fields.cpp: k8s.*
void add_fdlist_fields(filter::field_table& t);     // fdlist_fields.cpp: fdlist.*

}  // namespace sinsp::fields
