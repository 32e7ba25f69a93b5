// Getting the scap_kmod module into the kernel and its device node into /dev: finit_module on a
// .ko file, after checking what can be checked in userspace so failures say why (no module
// support, a module built for another kernel, no permission).
#pragma once

#include <string>

namespace scap::kmod {

// The "vermagic=" string of a module file ("" when the file has none).
std::string module_vermagic(const std::string& ko_path, std::string& error);

// Loads the module at ko_path (params: module parameters, "" for none). Returns false with a
// sentence in `error`. An already loaded scap_kmod counts as success.
bool load_module(const std::string& ko_path, const std::string& params, std::string& error);

// Makes sure `device` exists: when the module is loaded but no devtmpfs/udev created the node,
// creates it from /sys/class/misc/<name>/dev.
bool ensure_device_node(const std::string& device, std::string& error);

}  // namespace scap::kmod
