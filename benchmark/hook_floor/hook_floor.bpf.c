/*
 * The kernel's own price for the attach points the modern eBPF driver uses, measured with
 * programs that do (almost) nothing: what any driver on this kernel pays before its first
 * useful instruction. benchmark/live_overhead.sh runs the load generator under each stage and
 * reports the ratios next to the real driver's, so a driver figure can be read against the
 * best ratio this kernel allows.
 */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096); /* userspace sets the real size */
} records SEC(".maps");

/* A syscall exit hook that returns at once: the raw tracepoint dispatch alone. */
SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit_empty, struct pt_regs* regs, long ret) {
    return 0;
}

/* The smallest useful exit event: a 48-byte ring record with a boot-time timestamp, the
 * thread id and the return value (the size class the driver uses for getpid's event). */
SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit_record, struct pt_regs* regs, long ret) {
    __u64* r = bpf_ringbuf_reserve(&records, 48, 0);
    if (!r) return 0;
    r[0] = bpf_ktime_get_boot_ns();
    r[1] = (__u32)bpf_get_current_pid_tgid();
    r[2] = regs->orig_ax;
    r[3] = ret;
    bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
    return 0;
}

/* One per-syscall entry tracepoint (the TOCTOU hooks' kind). The kernel implements all of
 * them with a single probe on the generic syscall entry path, so attaching one costs every
 * syscall, not only openat. */
SEC("tracepoint/syscalls/sys_enter_openat")
int floor_enter_openat(void* ctx) {
    return 0;
}
