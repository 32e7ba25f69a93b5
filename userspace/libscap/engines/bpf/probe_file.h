// What a legacy probe object says about itself before libbpf sees it: the kernel release it was
// built for (section .scap_kernel_release, written by driver/bpf/probe.c from the headers'
// UTS_RELEASE). Its structure offsets are only right for that kernel, so the engine compares it
// with the running kernel first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scap::bpf {

// The release recorded in the ELF image `elf`; false with `error` saying what is wrong (not ELF,
// truncated, no such section) when there is none.
bool probe_release_from_image(const std::vector<uint8_t>& elf, std::string& release, std::string& error);

// Reads `path` and checks its release against `running` (uname -r). False with an error naming
// both releases when they differ.
bool check_probe_kernel(const std::string& path, const std::string& running, std::string& error);

}  // namespace scap::bpf
