// BPF facts for scap::collect_host_report (libbpf lives only in the modern_bpf engine's files).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scap/diagnostics.h"

namespace scap::modern_bpf {

// Creates and closes a one-page BPF ring buffer map: "" when the kernel accepted it, else why
// not (permissions, memlock accounting, no ring buffer support).
std::string probe_ring_buffer();

// Every BPF program loaded on the machine; returns "" or why they cannot be listed.
std::string list_loaded_programs(std::vector<bpf_program_report>& out);

// One program's report from its fd (name, type, verified instructions, run statistics).
bool program_report(int fd, bpf_program_report& out);

}  // namespace scap::modern_bpf
