/*
 * What the kernel module and its userspace engine agree on: the character device, the ring
 * layout, the ioctls. Plain C, included by the module and by C++ userspace.
 *
 * See proposals/0008-kmod.md for the protocol and its reasons.
 */
#ifndef SCAP_KMOD_ABI_H
#define SCAP_KMOD_ABI_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

/* /dev/<KMOD_DEVICE_NAME>; the module file is <KMOD_MODULE_NAME>.ko */
#define KMOD_DEVICE_NAME "scap_kmod"
#define KMOD_MODULE_NAME "scap_kmod"
/* Bumped on any change of this header: the engine refuses a module of another version. */
#define KMOD_API_VERSION 1u

/*
 * Rings: one per possible CPU. In the device's mmap space ring i starts at i * ring_stride and
 * is three separately mapped parts:
 *   +0                   struct kmod_ring_prod, one page, read-only: written by the module
 *   +page                struct kmod_ring_cons, one page, read-write: written by the consumer
 *   +2 * page            data, buffer_bytes (a power of two), read-only
 * Positions are free-running byte counts; the offset of a position is pos & (buffer_bytes - 1).
 * Records are 8-byte aligned events (the capture format's event: 26-byte header, lengths,
 * parameters) and never wrap: when the room left before the end of the data area is smaller than
 * a record, the producer either writes a KMOD_PAD_TYPE record covering it or, when the room is
 * below KMOD_MIN_RECORD, leaves it implicit. The reader skips both and continues at offset 0.
 */
#define KMOD_MIN_RECORD 32u
#define KMOD_RECORD_ALIGN 8u
#define KMOD_PAD_TYPE 0xffffu

struct kmod_ring_prod {
    uint64_t head; /* bytes produced; published with release semantics after the record */
    /* Counters of this CPU (the ioctl KMOD_IOCTL_GET_STATS reads the same numbers). */
    uint64_t n_evts;          /* events written */
    uint64_t n_drops_buffer;  /* ring full */
    uint64_t n_drops_scratch; /* event larger than the scratch space */
    uint64_t n_drops_pf;      /* events with a user read that faulted (still sent) */
    uint64_t n_drops_bug;     /* invariant violated (bad table index, nested probe) */
    uint64_t n_toctou_misses; /* TOCTOU exit without its entry record */
    uint64_t n_compat;        /* 32-bit compat syscalls not reported */
    uint64_t n_saved_full;    /* TOCTOU entry records refused: the pool was empty */
    uint64_t n_bad_tail;      /* consumer positions rejected (outside [head - size, head]) */
};

struct kmod_ring_cons {
    uint64_t tail; /* bytes consumed; the module never overwrites data past it */
};

/* KMOD_IOCTL_GET_INFO */
struct kmod_info {
    uint32_t api_version;  /* KMOD_API_VERSION */
    uint32_t n_rings;      /* rings (possible CPUs); 0 before SET_CONFIG */
    uint64_t buffer_bytes; /* data bytes of each ring */
    uint64_t ring_stride;  /* mmap offset between rings */
    uint32_t page_size;    /* the part size of prod and cons */
    uint32_t event_max;    /* PPM_EVENT_MAX the module was built with */
    uint32_t ppm_sc_max;   /* PPM_SC_MAX the module was built with */
    uint32_t schema_major; /* SCAP_SCHEMA_VERSION_* the module was built with */
    uint32_t schema_minor;
    uint32_t started;
    char release[64]; /* utsname release the module was built for (vermagic's first word) */
};

/* Bits of kmod_config.tracepoints: non-syscall event sources. */
#define KMOD_TP_PROC_EXIT (1u << 0)
#define KMOD_TP_SCHED_SWITCH (1u << 1)
#define KMOD_TP_PAGE_FAULT (1u << 2)
#define KMOD_TP_SIGNAL_DELIVER (1u << 3)

/* KMOD_IOCTL_SET_CONFIG: allowed while stopped. The rings are allocated by the first call;
 * a later call must ask for the same buffer_bytes (or 0). */
struct kmod_config {
    uint64_t buffer_bytes; /* 0: the module parameter buffer_bytes */
    uint32_t snaplen;      /* I/O bytes copied into events (at most 65000) */
    uint32_t tracepoints;  /* KMOD_TP_* */
};

/* KMOD_IOCTL_SET_TABLES: the compiled fill_table.def / conversions.def rows (driver/shared/abi.h
 * layouts), copied by the module. Allowed while stopped. Sizes are checked against the module's
 * own idea of each layout. */
struct kmod_tables {
    uint64_t specs;         /* struct mbpf_fill_spec[n_specs], by event code */
    uint64_t conv;          /* struct mbpf_conv_rule[MBPF_CONV_TABLES][MBPF_CONV_ENTRIES] */
    uint64_t syscalls;      /* struct mbpf_syscall_entry[MBPF_SYSCALL_SLOTS], by native number */
    uint64_t sockopt_kinds; /* uint8_t[MBPF_SOCKOPT_KINDS] */
    uint32_t n_specs;       /* must be the module's PPM_EVENT_MAX */
    uint32_t spec_size;     /* sizeof(struct mbpf_fill_spec) */
    uint32_t conv_size;     /* sizeof the conv array */
    uint32_t o_f_created;   /* the schema's O_F_CREATED */
};

/* KMOD_IOCTL_SET_SELECTION: one byte per ppm_sc code (non-zero = selected). Allowed any time. */
struct kmod_selection {
    uint64_t sel;   /* uint8_t[count] */
    uint32_t count; /* at most the module's PPM_SC_MAX; codes past it are unselected */
    uint32_t pad;
};

/* KMOD_IOCTL_GET_STATS: the counters of one ring. */
struct kmod_stats {
    uint32_t ring; /* in */
    uint32_t pad;
    struct kmod_ring_prod counters; /* out (head included) */
};

#define KMOD_IOC_MAGIC 0xc5
#define KMOD_IOCTL_GET_INFO _IOR(KMOD_IOC_MAGIC, 1, struct kmod_info)
#define KMOD_IOCTL_SET_CONFIG _IOW(KMOD_IOC_MAGIC, 2, struct kmod_config)
#define KMOD_IOCTL_SET_TABLES _IOW(KMOD_IOC_MAGIC, 3, struct kmod_tables)
#define KMOD_IOCTL_SET_SELECTION _IOW(KMOD_IOC_MAGIC, 4, struct kmod_selection)
#define KMOD_IOCTL_START _IO(KMOD_IOC_MAGIC, 5)
#define KMOD_IOCTL_STOP _IO(KMOD_IOC_MAGIC, 6)
#define KMOD_IOCTL_GET_STATS _IOWR(KMOD_IOC_MAGIC, 7, struct kmod_stats)

#endif /* SCAP_KMOD_ABI_H */
