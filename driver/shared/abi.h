/*
 * What the modern BPF driver and its userspace loader agree on: map value layouts, the settings
 * userspace writes into the program's read-only data before loading, and the "parameter source"
 * vocabulary of the table-driven filler. Plain C, no kernel or libc headers: it is included by
 * the BPF program (after vmlinux.h) and by C++ userspace (after <cstdint>).
 */
#ifndef MODERN_BPF_ABI_H
#define MODERN_BPF_ABI_H

/* Syscall numbers the dispatcher accepts (x86_64 numbers are below 512). */
#define MBPF_SYSCALL_SLOTS 512
/* Per-CPU scratch space an event is assembled in. Offsets into it are masked with
 * MBPF_SCRATCH_HALF - 1 and every single write is shorter than MBPF_SCRATCH_HALF, so the verifier
 * can prove each write stays inside the 2 * HALF buffer; an event whose end would pass HALF is
 * dropped and counted as "scratch". */
#define MBPF_SCRATCH_HALF 32768u
#define MBPF_SCRATCH_SIZE (2u * MBPF_SCRATCH_HALF)
/* Longest string / path read from user or kernel memory. */
#define MBPF_MAX_STR 4096u
/* Upper bound on the argument and environment areas copied for execve/clone events. */
#define MBPF_MAX_ARGS_AREA 4096u
/* Flag conversion: tables and entries per table. */
#define MBPF_CONV_TABLES 32
#define MBPF_CONV_ENTRIES 64 /* the sockopt option names need 54 */
/* Parameters per event (same bound as the schema). */
#define MBPF_MAX_PARAMS 32
/* Rows with at most this many parameters, all integers from registers or constants (and at
 * most one I/O buffer), skip the generic interpreter (see build_in_place in in_place.h). */
#define MBPF_FAST_PARAMS 6
/* Data bytes the fast path copies for a buffer parameter: it is used only while the snaplen is
 * at most this (the default snaplen). */
#define MBPF_FAST_DATA 80u
/* The fast path's largest record class: holds any fast row with a buffer. */
#define MBPF_FAST_IO 160u /* 26 + 6 * 2 + 5 * 8 + MBPF_FAST_DATA, rounded up */
/* mbpf_fill_spec.fast */
#define MBPF_FAST_ROW_INTS 1 /* plain integers only */
#define MBPF_FAST_ROW_IO 2   /* plain integers and one I/O buffer */
#define MBPF_FAST_ROW_OPEN 3 /* the open family: integers, the path saved at entry, the new fd's file */
/* Open rows (open_exit.h): at most this many parameters; fast_len is the event without its path
 * (room for an 8-byte store at the end included), at most MBPF_FAST_OPEN_FIXED. Two record
 * classes: paths up to MBPF_FAST_OPEN_SHORT bytes (NUL included) in the small one, the rest of
 * the inline room (MBPF_SAVED_INLINE) in the large one. */
#define MBPF_FAST_OPEN_PARAMS 8
#define MBPF_FAST_OPEN_FIXED 96u
#define MBPF_FAST_OPEN_SHORT 64u
#define MBPF_FAST_OPEN_SMALL (MBPF_FAST_OPEN_FIXED + MBPF_FAST_OPEN_SHORT)
#define MBPF_FAST_OPEN_LARGE (MBPF_FAST_OPEN_FIXED + MBPF_SAVED_INLINE)
/* MBPF_SRC_SOCKOPT_VAL: the value's type, which is also its index in the schema's
 * sockopt_dynamic_param set; SOL_SOCKET option numbers below MBPF_SOCKOPT_KINDS are classified
 * by userspace (sockopt_kinds in rodata), everything else is bytes. */
enum mbpf_sockopt_kind {
    MBPF_SOCKOPT_BYTES = 0,
    MBPF_SOCKOPT_ERRNO = 1,   /* SO_ERROR: the pending error, negated */
    MBPF_SOCKOPT_U32 = 2,     /* int options */
    MBPF_SOCKOPT_U64 = 3,     /* SO_COOKIE */
    MBPF_SOCKOPT_TIMEVAL = 4, /* SO_RCVTIMEO/SO_SNDTIMEO: struct timeval as nanoseconds */
};
#define MBPF_SOCKOPT_KINDS 128u
#define MBPF_SOCKOPT_LEN_PTR 0x80u

/* Messages of a sendmmsg/recvmmsg reported (one event each). */
#define MBPF_MMSG_MAX 1024u
/* sizeof(struct mmsghdr) and offsetof(struct mmsghdr, msg_len) on 64-bit ABIs. */
#define MBPF_MMSG_SIZE 64u
#define MBPF_MMSG_LEN_OFF 56u
/* Largest socket address kept for a TOCTOU-protected connect(). */
#define MBPF_SOCKADDR_MAX 128u

/* Drop / event counters, one set per CPU (BPF_MAP_TYPE_PERCPU_ARRAY, one entry). */
struct mbpf_counters {
    uint64_t n_evts;          /* events written to a ring buffer */
    uint64_t n_drops_buffer;  /* ring buffer full */
    uint64_t n_drops_scratch; /* event larger than the scratch space */
    uint64_t n_drops_pf;      /* events with at least one user read that faulted (still sent) */
    uint64_t n_drops_bug;     /* missing map entry, bad table index: should never happen */
    uint64_t n_toctou_misses; /* TOCTOU syscall exit without its saved entry arguments */
    uint64_t n_prefiltered;   /* events the pre-filter proved unmatchable: not sent, not a loss */
};

/* In-kernel pre-filter (proposal 0011): per exit event code, a conjunction of atoms the event
 * must satisfy to be sent. Each atom is a necessary condition of the user's filter for that event
 * type, derived in userspace; an absent atom (its count or flag 0) accepts everything. */
#define MBPF_PF_SET 8       /* values per id set */
#define MBPF_PF_COMMS 8     /* comm strings per set */
#define MBPF_PF_COMM_LEN 16 /* the kernel's TASK_COMM_LEN, NUL included */
enum mbpf_pf_flags {
    MBPF_PF_ACTIVE = 1, /* the entry constrains the event (0: the event always passes) */
    MBPF_PF_RET = 2,    /* ret_min <= return value <= ret_max */
    MBPF_PF_NEVER = 4,  /* no event of this code can match: all are dropped */
};
struct mbpf_prefilter {
    uint8_t flags;  /* mbpf_pf_flags */
    uint8_t n_comm; /* 0: any comm; else the task's comm must match one of comm[] */
    uint8_t n_tid;  /* 0: any thread id; else one of tids[] */
    uint8_t n_pid;  /* 0: any process id; else one of pids[] */
    uint8_t pad[4];
    int64_t ret_min;
    int64_t ret_max;
    uint32_t tids[MBPF_PF_SET];
    uint32_t pids[MBPF_PF_SET];
    /* The task's 16 comm bytes, read as two words w, match entry i when ((w ^ comm[i]) & mask[i])
     * is zero in both words: the mask covers the string and its NUL for equality, the string
     * alone for a prefix. */
    uint64_t comm[MBPF_PF_COMMS][2];
    uint64_t comm_mask[MBPF_PF_COMMS][2];
};

/* Syscall number -> what to emit (BPF_MAP_TYPE_ARRAY indexed by native number). */
struct mbpf_syscall_entry {
    uint16_t event;  /* exit event code (GENERIC_X for syscalls without their own event) */
    uint16_t ppm_sc; /* 0 = unknown syscall: never emitted */
};

/* Where one event parameter comes from. `arg` names a syscall argument (0..5) unless the kind
 * says otherwise; `aux` is kind-specific (a second argument index, a conversion table, an
 * offset); `type` and `size` are filled by userspace from the schema (ppm_param_type, fixed
 * width in bytes or 0 for variable-size data). */
enum mbpf_src_kind {
    MBPF_SRC_EMPTY = 0,     /* length 0: "absent" */
    MBPF_SRC_RET,           /* return value */
    MBPF_SRC_ARG,           /* integer argument; aux != 0: flag conversion table aux */
    MBPF_SRC_ARG_STR,       /* NUL-terminated user string at arg; aux != 0: only when flag table
                               conv maps argument aux - 1 to non-zero (else empty) */
    MBPF_SRC_BUF_RET,       /* user bytes at arg, length min(ret, snaplen) when ret > 0 */
    MBPF_SRC_BUF_ARG,       /* user bytes at arg, length min(arg[aux], snaplen) */
    MBPF_SRC_SOCKADDR,      /* struct sockaddr at arg, length arg[aux] */
    MBPF_SRC_SOCKADDR_PLEN, /* struct sockaddr at arg, length *(int *)arg[aux]; after success */
    MBPF_SRC_FD_TUPLE,      /* socket tuple of fd arg; aux bits: 1 fd = return value, 2 remote ->
                               local, MBPF_TUPLE_ADDR_*: remote end of a peerless socket from the
                               sockaddr at argument aux >> 4 (its length in the next argument) */
    MBPF_SRC_FD_DEV,        /* device of the file behind fd arg (aux == 1: fd = return value) */
    MBPF_SRC_FD_INO,        /* inode number of the file behind fd arg (aux == 1: return value;
                               aux == 2: the int at user pointer arg, after success) */
    MBPF_SRC_USER_INT,      /* integer of `size` bytes read from user pointer arg + aux bytes
                               (PT_FD / PT_PID: a C int, sign-extended) */
    MBPF_SRC_TIMESPEC,      /* user struct timespec at arg as nanoseconds */
    MBPF_SRC_IOV_LEN,       /* sum of the iov_len of the iovec array at arg, count arg[aux] */
    MBPF_SRC_IOV_DATA,      /* first bytes of the iovec array's data (aux as IOV_LEN), snaplen;
                               aux | MBPF_IOV_DATA_RET: at most the return value (read side) */
    MBPF_SRC_CONST,         /* the constant aux */
    MBPF_SRC_PPM_SC,        /* the syscall's ppm_sc code (generic events) */
    MBPF_SRC_NATIVE_NR,     /* the syscall's native number (generic events) */
    MBPF_SRC_CLONE3_FLAGS,  /* clone_args.flags at arg: the child side uses the copy taken at fork */
    MBPF_SRC_ACCEPT_QUEUE,  /* listening socket fd arg: aux 0 = queue length, 1 = max, 2 = percent used */
    MBPF_SRC_POLLFDS,       /* struct pollfd array at arg, count arg[aux]: fds and returned events */
    MBPF_SRC_MSG_LEN,       /* struct msghdr at arg: sum of its iov_len */
    MBPF_SRC_MSG_DATA,      /* struct msghdr at arg: first bytes of its data, snaplen (aux 1: at most ret) */
    MBPF_SRC_MSG_CONTROL,   /* struct msghdr at arg: control data after the call, snaplen */
    MBPF_SRC_SOCKPAIR_SK,   /* socketpair: kernel address of the first socket's sock (aux 0) or of
                               its unix peer (aux 1); fds in the user int[2] at arg; 0 on failure */
    MBPF_SRC_FD_PATH,       /* path of the file behind fd arg (aux == 1: fd = return value) */
    MBPF_SRC_SEMBUF,        /* semop: field aux & 3 (0 sem_num, 1 sem_op, 2 sem_flg through conv) of
                               struct sembuf aux >> 2 of the array at arg, whose count is argument
                               arg + 1; 0 unless the call succeeded and has that many */
    MBPF_SRC_PTRACE_VAL,    /* ptrace's addr (aux 0, arg) or data (aux 1, arg) as the PT_DYN of
                               ptrace_dynamic_param, after success: the word read for PEEK*
                               requests, the signal for resuming requests, the value otherwise */
    MBPF_SRC_SOCKOPT_VAL,   /* socket option value at arg as the PT_DYN of sockopt_dynamic_param:
                               length in argument aux (aux | MBPF_SOCKOPT_LEN_PTR: an int at
                               argument aux the kernel wrote back, after success); its type from
                               sockopt_kinds for SOL_SOCKET options, bytes otherwise */
    /* Task data (the current task; for a clone child, the child itself). */
    MBPF_SRC_TASK_EXE,  /* first string of the argument area */
    MBPF_SRC_TASK_ARGS, /* the argument area after the first string */
    MBPF_SRC_TASK_ENV,  /* the environment area */
    MBPF_SRC_TASK_TID,
    MBPF_SRC_TASK_PID,
    MBPF_SRC_TASK_PTID, /* real parent's thread group id */
    MBPF_SRC_TASK_VTID,
    MBPF_SRC_TASK_VPID,
    MBPF_SRC_TASK_PGID,
    MBPF_SRC_TASK_VPGID,
    MBPF_SRC_TASK_FDLIMIT,
    MBPF_SRC_TASK_PGFT_MAJ,
    MBPF_SRC_TASK_PGFT_MIN,
    MBPF_SRC_TASK_VM_SIZE, /* KiB */
    MBPF_SRC_TASK_VM_RSS,  /* KiB */
    MBPF_SRC_TASK_VM_SWAP, /* KiB */
    MBPF_SRC_TASK_COMM,
    MBPF_SRC_TASK_TTY,
    MBPF_SRC_TASK_LOGINUID,
    MBPF_SRC_TASK_UID,
    MBPF_SRC_TASK_GID,
    MBPF_SRC_TASK_CAP_INH,
    MBPF_SRC_TASK_CAP_PRM,
    MBPF_SRC_TASK_CAP_EFF,
    MBPF_SRC_TASK_EXE_INO,
    MBPF_SRC_TASK_EXE_CTIME,
    MBPF_SRC_TASK_EXE_MTIME,
    MBPF_SRC_TASK_PIDNS_START,
    MBPF_SRC_TASK_EXE_FLAGS, /* PPM_EXE_* bits of the executable */
    /* Task data that is not an integer. */
    MBPF_SRC_TASK_CWD,     /* working directory, from the task's root */
    MBPF_SRC_TASK_EXEPATH, /* path of mm->exe_file, from the task's root */
    MBPF_SRC_TASK_CGROUPS, /* "controller=path" per controller, NUL-separated */
    MBPF_SRC_KIND_COUNT
};

/* Source families. The legacy probe builds its table filler once per group of families (one BPF
 * program each: the 6.1 verifier's 1M-instruction budget does not hold every source in one
 * program without BTF) and userspace sends each event to the smallest filler covering its row
 * (driver/bpf/fillers.def, proposal 0010). The modern driver has one filler with all of them. */
enum mbpf_src_family {
    MBPF_FAM_CORE = 1, /* registers, return value, user memory, iovecs, sockaddrs, fd dev/ino */
    MBPF_FAM_NET = 2,  /* the kernel's socket structures: tuples, accept queue, socketpair */
    MBPF_FAM_PATH = 4, /* path walks: fd path, cwd, executable path, cgroups */
    MBPF_FAM_TASK = 8, /* task values: ids, limits, memory, credentials, executable, args, env */
    MBPF_FAM_ALL = 15,
};

static inline uint32_t mbpf_src_family(uint32_t kind) {
    switch (kind) {
        case MBPF_SRC_FD_TUPLE:
        case MBPF_SRC_ACCEPT_QUEUE:
        case MBPF_SRC_SOCKPAIR_SK:
            return MBPF_FAM_NET;
        case MBPF_SRC_FD_PATH:
        case MBPF_SRC_TASK_CWD:
        case MBPF_SRC_TASK_EXEPATH:
        case MBPF_SRC_TASK_CGROUPS:
            return MBPF_FAM_PATH;
        default:
            return kind >= MBPF_SRC_TASK_EXE && kind < MBPF_SRC_KIND_COUNT ? MBPF_FAM_TASK : MBPF_FAM_CORE;
    }
}

/* aux flags of MBPF_SRC_IOV_DATA and MBPF_SRC_FD_TUPLE (argument indexes fit in the low bits). */
#define MBPF_IOV_DATA_RET 0x80u     /* only the bytes the syscall transferred are data */
#define MBPF_TUPLE_ADDR_BYVAL 0x04u /* sockaddr length is the argument itself (sendto) */
#define MBPF_TUPLE_ADDR_BYPTR 0x08u /* sockaddr length is an int the kernel wrote back (recvfrom) */
/* The sockaddr is msg_name of the msghdr at argument (aux >> 4) & 7 (sendmsg; with BYPTR, recvmsg:
 * written back by the kernel, meaningful on success only). */
#define MBPF_TUPLE_ADDR_MSG 0x80u

struct mbpf_param_src {
    uint8_t kind; /* mbpf_src_kind */
    uint8_t arg;
    uint8_t aux;
    uint8_t conv; /* flag conversion table (0: none) applied to integer values */
    uint8_t type; /* ppm_param_type (from the schema) */
    uint8_t size; /* fixed width in bytes, 0 for variable-size types (from the schema) */
    uint8_t post; /* mbpf_post: fix-up applied to an integer after conversion */
};

/* Fix-ups of integer parameters that need more than the raw value. */
enum mbpf_post {
    MBPF_POST_NONE = 0,
    MBPF_POST_CREATED = 1,    /* open flags: add O_F_CREATED when the returned fd's file was created */
    MBPF_POST_SOL_SOCKET = 2, /* sockopt names: only meaningful when the level (arg 1) is SOL_SOCKET */
};

/* How to fill one exit event. nparams == 0: the event has no table row. */
struct mbpf_fill_spec {
    uint8_t nparams;
    uint8_t toctou;      /* 1: arguments were saved at entry (see the enter programs) */
    uint8_t path_arg;    /* TOCTOU: the argument whose user data was saved */
    uint8_t path_kind;   /* TOCTOU: 0 = string, 1 = sockaddr (length in arg path_arg + 1) */
    uint8_t fast;        /* 0 or MBPF_FAST_ROW_* (in_place.h, open_exit.h) */
    uint8_t fast_len;    /* fast rows: the event's size in bytes (header included) */
    uint8_t per_message; /* 1 + n: one event per struct mmsghdr of the array at argument n (see
                            MBPF_MMSG_MAX); during each, the return value is that message's
                            msg_len and argument n points at its msghdr. 0: one event. */
    struct mbpf_param_src params[MBPF_MAX_PARAMS];
};

/* One flag conversion rule: if (raw & mask) == value then out |= ppm. A table is a run of
 * MBPF_CONV_ENTRIES rules ending at the first rule with mask == 0. Bit flags have
 * mask == value == the kernel bit; enumerations have mask == all ones; multi-bit fields such as
 * the open access mode have mask == the field. */
struct mbpf_conv_rule {
    uint64_t mask;
    uint64_t value;
    uint32_t ppm;
    uint32_t pad;
};

/* Arguments saved at entry for TOCTOU syscalls, per thread (task storage in the modern driver,
 * modern_bpf/bpf/saved_task.h; a hash keyed by pid_tgid in the legacy probe, bpf/saved_hash.h). */
/* Saved data kept inline in the entry record: most paths are short, and a small record is cheap
 * to keep per thread and to fill. Longer data goes to a second record (saved_long). */
#define MBPF_SAVED_INLINE 248u

struct mbpf_saved_args {
    uint64_t args[6];
    uint32_t data_len; /* bytes of data (string: NUL included); past the inline room (the store
                          says where that starts: saved_is_inline): in saved_long */
    uint32_t nr;       /* native number of the syscall that saved them (execveat vs execve);
                          0 in the modern driver: the record holds nothing */
    uint8_t data[MBPF_SAVED_INLINE];
};

/* Where an entry record is built: the record, then room for the rest of the longest string
 * (head.data and rest are contiguous: head's size is a multiple of 8). */
struct mbpf_saved_stage {
    struct mbpf_saved_args head;
    uint8_t rest[MBPF_MAX_STR - MBPF_SAVED_INLINE];
};

/* saved_long's value: the whole data of an entry record whose data did not fit inline. */
struct mbpf_saved_data {
    uint8_t data[MBPF_MAX_STR];
};

/* Bits of the `tracepoints` setting map: which non-syscall programs emit events. */
enum mbpf_tp_bits {
    MBPF_TP_PROC_EXIT = 1u << 0,
    MBPF_TP_SCHED_SWITCH = 1u << 1,
    MBPF_TP_PAGE_FAULT = 1u << 2,
    MBPF_TP_SIGNAL_DELIVER = 1u << 3,
};

#endif /* MODERN_BPF_ABI_H */
