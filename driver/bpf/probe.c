/*
 * The legacy eBPF probe: one BPF object built per kernel against that kernel's headers (no BTF,
 * no CO-RE), raw tracepoints, perf buffers. Everything an event carries comes from the code and
 * the data rows it shares with the modern driver (driver/modern_bpf/bpf, driver/shared); this
 * directory only has the kernel types (legacy_kernel.h), the output path and the programs.
 * Proposal 0010 has the design.
 */
#include "common.h"
#include "maps.h"
#include "event.h"
#include "perf_output.h"
#include "fill.h"
#include "programs.h"

#include <generated/utsrelease.h>

/* The kernel this object was built for: userspace compares it with uname -r before loading
 * (structure offsets are only right for this kernel). Not a map: libbpf skips the section. */
char scap_kernel_release[] __attribute__((section(".scap_kernel_release"), used)) = UTS_RELEASE;

char LICENSE[] SEC("license") = "GPL";
