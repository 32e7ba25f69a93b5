/*
 * Everything every program of the driver needs: kernel types (vmlinux.h generated from this
 * machine's BTF at build time; the legacy probe's kernel headers instead), libbpf helpers, the userspace ABI,
 * the schema's event codes and the settings userspace writes before loading.
 */
#ifndef MBPF_COMMON_H
#define MBPF_COMMON_H

#ifdef MBPF_LEGACY
#include "legacy_kernel.h" /* driver/bpf: the kernel's own headers, no BTF (proposal 0010) */
#else
#include "vmlinux.h"
#endif

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "abi.h"

/* Event codes straight from the schema's data (scap_schema.h itself wants a libc stdint.h). */
enum mbpf_event_code {
#define EVENT(code, id, name, category, flags, nparams) PPME_##id = code,
#define PARAM(name, type, fmt, info)
#include "events.def"
#undef EVENT
#undef PARAM
};
enum mbpf_ppm_sc {
#define SC(name, code) PPM_SC_##name = code,
#include "ppm_sc.def"
#undef SC
    MBPF_PPM_SC_MAX
};
enum { MBPF_EVENT_MAX = PPME_SYSCALL_KEYCTL_X + 1 };

#define MBPF_HDR_SIZE 26u

/* x86_64 numbers of the syscalls some programs must recognise themselves. */
#define MBPF_NR_EXECVE 59
#define MBPF_NR_EXECVEAT 322
#define MBPF_NR_CLONE3 435

/* `v & mask`, with the mask kept in the generated code: clang drops masks it can prove
 * redundant, but the verifier tracks bounds per register and needs to see one. */
#define MBPF_MASK(v, mask)            \
    ({                                \
        __typeof__(v) _mv = (v);      \
        asm volatile("" : "+r"(_mv)); \
        _mv&(mask);                   \
    })

/* The program context as bpf_loop callbacks get it for output (read back from the caller's stack:
 * the legacy probe's perf output needs it, the modern ring buffer does not). One place to turn it
 * off should a kernel's verifier not follow it (then perf_output.h counts those events as bugs). */
#define MBPF_CALLBACK_CTX(ctx) (ctx)

/* The filler's out-of-line helpers. The legacy probe makes them global functions: the 6.1 verifier
 * walks a static subprogram once per call site and state of its caller and, without BTF, every
 * kernel read is a helper call whose states multiply (proposal 0010); a global function is verified
 * once, on its own. Global functions return a scalar and take scalars or pointers to memory, hence
 * the int return and user addresses passed as integers, in both drivers. */
#ifdef MBPF_LEGACY
#define MBPF_HELPER __noinline int
#else
#define MBPF_HELPER static __noinline int
#endif

/* --- settings: read-only data, written by userspace between open and load ------------------ */
const volatile uint64_t boot_to_epoch_ns = 0; /* add to bpf_ktime_get_boot_ns() */
const volatile uint32_t snaplen = 80;
const volatile uint32_t cpus_per_buffer = 1;
const volatile uint32_t n_buffers = 1;
/* Ring buffer fill level (bytes) from which a submit wakes the reader; below it the reader
 * picks events up on its own short poll timeout, which saves a wakeup per event. */
const volatile uint64_t wakeup_bytes = 0;
const volatile uint32_t ppm_o_f_created = 0; /* the schema's O_F_CREATED value */
const volatile struct mbpf_fill_spec fill_specs[MBPF_EVENT_MAX];
const volatile struct mbpf_conv_rule conv_rules[MBPF_CONV_TABLES][MBPF_CONV_ENTRIES];
const volatile uint8_t sockopt_kinds[MBPF_SOCKOPT_KINDS]; /* mbpf_sockopt_kind by SOL_SOCKET option */

/* --- switches: writable data, changed by userspace while programs run ----------------------- */
/* A process whose syscalls are not captured (0: none). The engine sets its own process while it
 * reads the /proc snapshot: the scan's own hundreds of thousands of syscalls would otherwise fill
 * the buffers while other processes' events are drained into userspace (proposal 0006). */
volatile uint32_t ignored_tgid = 0;

#endif /* MBPF_COMMON_H */
