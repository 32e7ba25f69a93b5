# Sourced by live_overhead.sh and redis_overhead.sh (not run on its own): what both need to run a
# load beside a live consumer, and the optional reference consumer.
#
# pin_load / pin_consumer: command prefixes putting the load on the last CPU and consumers on the
#   others when there are two or more, so a figure does not depend on where the scheduler put them.
# wait_attached PID: returns once PID has a BPF link in its fd table (then one more second for
#   whatever it does right after attaching); fails when PID exits first or after 60 s.
# median: median of the numbers on stdin, one per line.
#
# Reference consumer (optional): REFERENCE_SCAP_OPEN is the falcosecurity/libs scap-open example
# built with its modern eBPF engine (scripts/build-reference-bpf.sh builds it outside this
# repository and says what it changes in the reference: a memlock limit this VM refuses, and one
# program the 6.x verifier rejects). `scap-open --modern_bpf` selects every syscall, like our
# `scap-open --modern_bpf`, prints nothing per event but counts each one by syscall in userspace.
# It has no duration option and prints its statistics only on SIGINT (which it handles itself,
# so it works for a background job too). Figures taken from them: events = its userspace
# "events correctly captured" count, drops = its kernel-side n_drops counter.

# hook_floor's entry tracepoint stage needs tracefs; our engine mounts it when missing (the
# reference's does not use it), hook_floor does not.
if [[ ! -d /sys/kernel/tracing/events/syscalls && ! -d /sys/kernel/debug/tracing/events/syscalls ]]; then
    mount -t tracefs nodev /sys/kernel/tracing
fi

pin_load=() pin_consumer=()
if (($(nproc) >= 2)) && command -v taskset >/dev/null; then
    pin_load=(taskset -c $(($(nproc) - 1)))
    pin_consumer=(taskset -c 0-$(($(nproc) - 2)))
fi

wait_attached() {
    local _
    for _ in $(seq 600); do
        if ls -l "/proc/$1/fd" 2>/dev/null | grep -q bpf_link; then
            sleep 1
            return 0
        fi
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

reference=${REFERENCE_SCAP_OPEN:-}
if [[ -n $reference && ! -x $reference ]]; then
    echo "REFERENCE_SCAP_OPEN=$reference is not an executable" >&2
    exit 1
fi
reference_cmd=("$reference" --modern_bpf)
reference_events() { sed -n 's/^Number of `SCAP_SUCCESS` (events correctly captured): \([0-9]*\)$/\1/p' "$1" | tail -n1; }
reference_drops() { sed -n 's/^\[[0-9]*\] n_drops: \([0-9]*\)$/\1/p' "$1" | tail -n1; }
