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
# (a bpf_link among its fds) and catches SIGINT (scapdig installs its handler once the /proc
# snapshot is read, which takes long on a machine with many processes; a SIGINT sent before
# would be ignored, as a script's background jobs start with SIGINT ignored, and the capture
# would run on), instead of guessing with a sleep on a loaded machine; fails when PID exits or the
# time (default 30 s) runs out. Its own events after that are captured.
wait_attached() {
    local pid=$1 tries=$((${2:-30} * 10)) caught
    for ((i = 0; i < tries; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        caught=$(sed -n 's/^SigCgt:\s*//p' "/proc/$pid/status" 2>/dev/null)
        if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q bpf_link && (($(printf '%d' "0x${caught:-0}") & 2)); then
            return 0
        fi
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
