#!/usr/bin/env bash
# Builds the reference implementation's scap-open example (falcosecurity/libs) with its modern
# eBPF engine, in a scratch folder outside this repository, for the "reference" column of
# benchmark/live_overhead.sh and benchmark/redis_overhead.sh (REFERENCE_SCAP_OPEN).
#
#   scripts/build-reference-bpf.sh SOURCE SCRATCH_DIR [COMMIT]
#
# SOURCE must be a git repository of falcosecurity/libs (e.g. the mirror brought by `fetch`): the
# checkout in SCRATCH_DIR/src is patched, so it is reset to the commit on every run. The checkout
# and the packages are done by scripts/build-reference.sh (SOURCE_ONLY=1); this adds clang,
# bpftool and libbpf from Debian, applies the edits below, and builds scap-open only:
#   SCRATCH_DIR/build/libscap/examples/01-open/scap-open
#
# What is changed in the reference, and why (tested at 48dfd53 on Debian 12, kernel 6.18):
#  1. PT_REGS_PARM6_CORE_SYSCALL is defined when libbpf does not: the reference reads a syscall's
#     sixth argument with it, and Debian 12's libbpf 1.1 headers do not have it (newer libbpf
#     do). On x86_64 that argument is in r9, as in libbpf's later definition.
#  2. A failing setrlimit(RLIMIT_MEMLOCK, infinity) is logged and no longer fatal: the reference
#     raises the limit before loading and gives up when it cannot, but a container without
#     CAP_SYS_RESOURCE and a low hard limit cannot raise it, and kernels >= 5.11 charge BPF
#     memory to the memory cgroup instead of memlock, so the limit does not matter there.
#  3. signal_deliver (tp_btf/signal_deliver) reads the siginfo's fields with BPF_CORE_READ
#     (bpf_probe_read_kernel) instead of dereferencing the pointer: the tracepoint's siginfo
#     argument may be one of the kernel's special values (SEND_SIG_PRIV is 1), so the 6.x
#     verifier types that argument as a scalar ("marking pointer arg1 as scalar as it may encode
#     error") and rejects the direct loads ("R9 invalid mem access 'scalar'"), failing the whole
#     load. The probe read returns 0 for such values, as the NULL check meant to.
#  4. With libbpf older than 1.3 only: libpman reads libbpf's private `struct ring_buffer`
#     through its own copy of the layout, which has `struct ring **rings` (libbpf >= 1.3); 1.1
#     has `struct ring *rings` (the rings themselves in one array), so the copy and its two
#     uses are changed to that. Unchanged, the first read of a ring dereferences a ring's
#     contents as a pointer and scap-open crashes in its socket calibration.
#  5. sendmmsg_x and recvmmsg_x are not loaded, and the tail table skips programs that are not:
#     built by Debian 12's clang 14, their per-message bpf_loop callbacks take the 6.18
#     verifier past its 1 M instruction budget ("BPF program is too large"), which fails the
#     whole load (seen on 2026-12-04; the same commit loaded here on 2026-12-03, so the kernel
#     or the toolchain moved). Only those two syscalls' exit events are lost; no workload these
#     measurements run calls them. LEFT_OUT="prog ..." changes the list.
# (Its task iterator programs are refused by this verifier too, but libpman probes them and
# leaves them out by itself; scap-open does not use them.)
# Nothing else of the reference changes: its programs, ring buffers and scap-open loop are as
# upstream has them.
#
# Environment: as scripts/build-reference.sh (JOBS, NICE, SKIP_APT).
set -euo pipefail

die() {
    echo "build-reference-bpf: $*" >&2
    exit 1
}

[[ $# -ge 2 && $# -le 3 ]] || die "usage: $0 SOURCE SCRATCH_DIR [COMMIT]"
git -C "$1" rev-parse --git-dir >/dev/null 2>&1 || die "'$1' is not a git repository"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
EXTRA_PACKAGES="clang bpftool libbpf-dev" SOURCE_ONLY=1 "$here/build-reference.sh" "$@"
scratch=$(realpath -m "$2")
src=$scratch/src

git -C "$src" reset -q --hard # a previous run's edits go, the commit's files come back
cd "$src"

# 1. The sixth syscall argument's reader, for libbpf versions without it.
f=driver/modern_bpf/helpers/extract/extract_from_kernel.h
sed -i '/^#include <driver\/ppm_flag_helpers.h>$/a\
/* build-reference-bpf.sh: Debian 12 libbpf 1.1 has no PT_REGS_PARM6_CORE_SYSCALL (x86_64: r9). */\
#ifndef PT_REGS_PARM6_CORE_SYSCALL\
#define PT_REGS_PARM6_CORE_SYSCALL(x) BPF_CORE_READ((struct pt_regs *)(x), r9)\
#endif' "$f"
grep -q 'PT_REGS_PARM6_CORE_SYSCALL(x) BPF_CORE_READ' "$f" || die "edit 1 did not apply to $f"

# 2. The memlock limit: log, go on.
f=userspace/libpman/src/configuration.c
sed -i '/unable to bump RLIMIT_MEMLOCK to RLIM_INFINITY/{n;s|^\(\t*\)return -1;$|\1/* build-reference-bpf.sh: not fatal, kernels >= 5.11 charge BPF memory to the cgroup */|}' "$f"
grep -q 'build-reference-bpf.sh: not fatal' "$f" || die "edit 2 did not apply to $f"

# 3. signal_deliver's siginfo reads through bpf_probe_read_kernel.
f=driver/modern_bpf/programs/attached/events/signal_deliver.bpf.c
sed -i 's/= info->\([A-Za-z_.]*\);/= BPF_CORE_READ(info, \1);/' "$f"
[[ $(grep -c 'BPF_CORE_READ(info, ' "$f") == 5 && $(grep -c '= info->' "$f") == 0 ]] ||
    die "edit 3 did not apply to $f"

# 4. libpman's copy of libbpf's ring buffer layout, for libbpf < 1.3.
libbpf_version=$(pkg-config --modversion libbpf)
if [[ $(printf '%s\n' "$libbpf_version" 1.3.0 | sort -V | head -1) != 1.3.0 ]]; then
    f=userspace/libpman/src/ringbuffer_definitions.h
    sed -i 's|^\tstruct ring \*\*rings;$|\tstruct ring *rings; /* build-reference-bpf.sh: libbpf < 1.3 layout */|' "$f"
    grep -q 'libbpf < 1.3 layout' "$f" || die "edit 4 did not apply to $f"
    f=userspace/libpman/src/ringbuffer.c
    sed -i 's/rb->rings\[/\&rb->rings[/g' "$f"
    [[ $(grep -c '&rb->rings\[' "$f") == 2 ]] || die "edit 4 did not apply to $f"
fi

# 5. Programs this verifier refuses, left out of the load and of the tail table.
left_out=${LEFT_OUT:-sendmmsg_x recvmmsg_x}
names=$(printf '"%s", ' $left_out)
f=userspace/libpman/src/lifecycle.c
sed -i '/^int pman_open_probe() {$/,/^}$/s|^\treturn 0;$|\t/* build-reference-bpf.sh: too large for this verifier (clang 14) */\n\tfor(const char **n = (const char *[]){'"$names"'NULL}; *n; n++) {\n\t\tbpf_program__set_autoload(bpf_object__find_program_by_name(g_state.skel->obj, *n), false);\n\t}\n\treturn 0;|' "$f"
grep -q 'build-reference-bpf.sh: too large for this verifier' "$f" || die "edit 5 did not apply to $f"
f=userspace/libpman/src/maps.c
sed -i '/^static int add_bpf_program_to_tail_table(/,/^}$/s|^\tint last_errno;$|\tif(!bpf_program__autoload(bpf_prog)) {\n\t\treturn 0; /* build-reference-bpf.sh: left out of the load */\n\t}\n\n\tint last_errno;|' "$f"
grep -q 'build-reference-bpf.sh: left out of the load' "$f" || die "edit 5 did not apply to $f"

git -C "$src" diff --stat | tee "$scratch/PATCHED_FILES"

build=$scratch/build
# The BPF objects (one per program, ~175) take most of the time: ~15 min at -j2.
# shellcheck source=reference-cmake.sh
source "$here/reference-cmake.sh"
reference_configure_and_build build-reference-bpf "$src" "$scratch" ON OFF scap-open
scap_open=$build/libscap/examples/01-open/scap-open
[[ -x $scap_open ]] || die "build finished but $scap_open is missing"
echo "REFERENCE_SCAP_OPEN=$scap_open"
echo "REFERENCE_COMMIT=$(cat "$scratch/REFERENCE_COMMIT")"
