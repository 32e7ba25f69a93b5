/* The driver's maps. Sizes of the ring buffers and of the outer array are set by userspace. */
#ifndef MBPF_MAPS_H
#define MBPF_MAPS_H

#include "common.h"

/* Native syscall number -> exit event and ppm_sc code (filled from the schema by userspace). */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, MBPF_SYSCALL_SLOTS);
    __type(key, uint32_t);
    __type(value, struct mbpf_syscall_entry);
} syscall_table SEC(".maps");

/* ppm_sc code -> 1 when selected. Updated live by set_selection(). Tracepoint programs check
 * their own ppm_sc code here too. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, MBPF_PPM_SC_MAX);
    __type(key, uint32_t);
    __type(value, uint8_t);
} sc_selected SEC(".maps");

/* One exit program per event code; the dispatcher tail-calls into it. */
struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, MBPF_EVENT_MAX);
    __type(key, uint32_t);
    __type(value, uint32_t);
} exit_programs SEC(".maps");

/* Where an event is assembled before it is copied into a ring buffer in one piece. */
struct mbpf_scratch {
    uint32_t off;     /* next free byte of buf */
    uint32_t code;    /* event being built */
    uint32_t nparams; /* parameters declared in the header */
    uint8_t too_big;  /* some write did not fit: drop as "scratch" */
    uint8_t faulted;  /* some user read failed */
    uint8_t saved;    /* this call's TOCTOU entry record was found (table_exit_begin) */
    uint8_t pad;
    uint32_t nr;      /* native syscall number */
    uint32_t ppm_sc;  /* its ppm_sc code */
    uint64_t args[6]; /* syscall arguments (from regs, or saved at entry) */
    int64_t ret;
    int64_t file_fd; /* event_file's cache (files.h): this fd's struct file, valid for one event */
    struct file* file;
    /* event_file_facts' cache (files.h): dev, inode number and f_mode of facts_fd's file, valid
     * for one event */
    int64_t facts_fd;
    uint64_t facts_ino;
    uint32_t facts_dev;
    uint32_t facts_mode;
    /* A user sockaddr being decoded (net.h push_user_sockaddr): here, not on the stack, whose 512
     * bytes the filler's call chain shares (program, bpf_loop callback, fill_one, fill_param, ...). */
    uint8_t sockaddr[MBPF_SOCKADDR_MAX * 2];
    uint8_t buf[MBPF_SCRATCH_SIZE];
};
/* Indexed by CPU: a plain array, because per-CPU map values are limited to 32 KiB. Userspace sizes
 * it to the number of possible CPUs. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, uint32_t);
    __type(value, struct mbpf_scratch);
} scratch SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, uint32_t);
    __type(value, struct mbpf_counters);
} counters SEC(".maps");

/* Bit set of enabled non-syscall programs (mbpf_tp_bits), entry 0. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, uint32_t);
    __type(value, uint32_t);
} tp_enabled SEC(".maps");

/* Arguments and data of TOCTOU syscalls saved at entry, per thread: task storage here, a hash
 * map keyed by pid_tgid in the legacy probe (no BTF task pointers there). Same interface. */
#ifdef MBPF_LEGACY
#include "saved_hash.h"
#else
#include "saved_task.h"
#endif

static __always_inline struct mbpf_counters* counters_get(void) {
    uint32_t zero = 0;
    return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline struct mbpf_scratch* scratch_get(void) {
    uint32_t cpu = bpf_get_smp_processor_id();
    return bpf_map_lookup_elem(&scratch, &cpu);
}

/* Whether userspace selected the ppm_sc code `sc` (syscalls and tracepoint events alike). */
static __always_inline int sc_is_selected(uint32_t sc) {
    const uint8_t* sel = bpf_map_lookup_elem(&sc_selected, &sc);
    return sel && *sel;
}

static __always_inline int tp_is_enabled(uint32_t bit, uint32_t ppm_sc) {
    uint32_t zero = 0;
    uint32_t* bits = bpf_map_lookup_elem(&tp_enabled, &zero);
    if (!bits || !(*bits & bit)) return 0;
    return sc_is_selected(ppm_sc);
}

#endif /* MBPF_MAPS_H */
