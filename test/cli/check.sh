# Sourced by the CLI test scripts: check NAME EXPECTED ACTUAL prints "ok" or "FAIL" with both
# values, and counts into $passed and $failures (the script exits non-zero when failures > 0).
passed=${passed:-0}
failures=${failures:-0}
check() {
    if [[ "$2" == "$3" ]]; then
        echo "ok   $1"
        passed=$((passed + 1))
    else
        echo "FAIL $1"
        echo "  expected: $2"
        echo "  actual:   $3"
        failures=$((failures + 1))
    fi
}

# wait_attached PID [SECONDS]: waits until the live capture PID has attached its eBPF programs
# (a bpf_link among its fds) instead of guessing with a sleep on a loaded machine; fails when
# PID exits or the time (default 30 s) runs out. Its own events after that are captured.
wait_attached() {
    local pid=$1 tries=$((${2:-30} * 10))
    for ((i = 0; i < tries; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        ls -l "/proc/$pid/fd" 2>/dev/null | grep -q bpf_link && return 0
        sleep 0.1
    done
    return 1
}

# skip_unless_live: exits 77 (ctest's "skipped") with the reason when a live modern eBPF capture
# cannot run here (not root, or a kernel without BTF).
skip_unless_live() {
    if [[ $(id -u) != 0 ]]; then
        echo "SKIP: live capture needs root"
        exit 77
    fi
    if [[ ! -r /sys/kernel/btf/vmlinux ]]; then
        echo "SKIP: kernel has no BTF"
        exit 77
    fi
}
