// scapdig -l: every field, grouped by class, with its type and description.
#pragma once

#include <cstdio>

namespace scapdig {
void print_field_list(FILE* out);
}
