#!/usr/bin/env bash
# The VM test matrix: boots Debian's own kernels under qemu (TCG: the host has no usable KVM and no
# module support) with a busybox initramfs and runs scap_driver_tests there once per capture engine.
#
#   bash test/vm/run.sh [--engine kmod|modern_bpf|bpf] [--kernel 6.1|6.12|host] [--quick] [--timeout SECONDS]
#                       [--filter GTEST_PATTERN] [--guest-env VAR=VALUE]...
#
# Without --kernel: every guest kernel of fetch-kernel.sh's table, then the host's own kernel (eBPF
# engines only). Without --engine: every engine this tree has (kmod, modern_bpf, bpf). --quick: the CI subset (the oldest
# guest kernel only). Prints per kernel and engine
#   driver tests <engine> <kernel>: N passed, F failed, S skipped
#   driver coverage: ...
# then a summary table. Pass/fail comes from what the guest prints (gtest's counts, the module
# loader, the guest's dmesg), never from qemu's exit code. Exits non-zero when any run failed.
# Logs: build/vm/<kernel>/console.log. Kernel cache: ${SCAP_VM_CACHE:-/var/cache/scap-vm}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

# Engines: name | what must exist in this tree for it | the other engines' own suites, left out of its run.
engine_table=(
  "modern_bpf | userspace/libscap/engines/modern_bpf | *Kmod*:*BpfProbe*"
  "kmod       | driver/kmod/build.sh                 | *ModernBpf*:*BpfProbe*"
  "bpf        | driver/bpf/build.sh                  | *ModernBpf*:*Kmod*"
)

want_engines="" want_kernels="" quick=0 boot_timeout="" filter="" guest_env=()
while (($#)); do
  case $1 in
  --engine) want_engines+=" ${2:?--engine needs a name}"; shift 2 ;;
  --kernel) want_kernels+=" ${2:?--kernel needs a version}"; shift 2 ;;
  --quick) quick=1; shift ;;
  --timeout) boot_timeout=${2:?--timeout needs seconds}; shift 2 ;;
  --filter) filter=${2:?--filter needs a gtest pattern}; shift 2 ;; # debugging: a subset of the suite
  --guest-env) guest_env+=("${2:?--guest-env needs VAR=VALUE}"); shift 2 ;; # e.g. SCAP_BPF_VERBOSE=1
  -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
  *) echo "vm: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

guest_kernels=$(bash "$here/fetch-kernel.sh" --list)
if [[ -z $want_kernels ]]; then
  if ((quick)); then want_kernels=$(head -n1 <<<"$guest_kernels"); else want_kernels="$guest_kernels host"; fi
fi
for k in $want_kernels; do
  grep -qx -- "$k" <<<"$guest_kernels"$'\nhost' || { echo "vm: unknown kernel '$k' (known: $(echo $guest_kernels) host)" >&2; exit 2; }
done
# A full-suite boot under TCG on a loaded 2-core machine takes minutes; the limit is generous on purpose.
boot_timeout=${boot_timeout:-2700}

engine_field() { # engine_field <engine> <column 2|3>
  printf '%s\n' "${engine_table[@]}" | awk -F'|' -v e="$1" -v c="$2" '{gsub(/ /, "", $1)} $1 == e {gsub(/^ +| +$/, "", $c); print $c}'
}
# The gtest filter of an engine: --filter's pattern (default all), minus the other engines' suites.
engine_filter() {
  local f=${filter:-*}
  if [[ $f == *-* ]]; then echo "$f:$(engine_field "$1" 3)"; else echo "$f-$(engine_field "$1" 3)"; fi
}
all_engines=$(printf '%s\n' "${engine_table[@]}" | awk -F'|' '{gsub(/ /, "", $1); print $1}')
explicit_engines=0
if [[ -n $want_engines ]]; then
  explicit_engines=1
  for e in $want_engines; do
    grep -qx -- "$e" <<<"$all_engines" || { echo "vm: unknown engine '$e' (known: $(echo $all_engines))" >&2; exit 2; }
  done
else
  want_engines=$all_engines
fi

out=$repo/build/vm
mkdir -p "$out"
results=()  # "kernel|engine|verdict|passed|failed|skipped|coverage|boot_s|suite_s|reason"
record() { results+=("$1|$2|$3|$4|$5|$6|$7|$8|$9|${10}"); }

# Engines of this tree; one asked for by name that is not here fails the run, the others are listed as absent.
engines=()
for e in $want_engines; do
  if [[ -e $repo/$(engine_field "$e" 2) ]]; then
    engines+=("$e")
  else
    why="not in this tree ($(engine_field "$e" 2) missing)"
    echo "driver tests $e: $why"
    for k in $want_kernels; do record "$k" "$e" "$( ((explicit_engines)) && echo FAIL || echo absent)" - - - - - - "$why"; done
  fi
done

# --- tools and build ---------------------------------------------------------------------------
for tool in qemu-system-x86_64 busybox cpio objcopy; do
  command -v "$tool" >/dev/null || { bash scripts/install-deps.sh; break; }
done
if [[ ! -f build/release/CMakeCache.txt ]]; then
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
echo "vm: building scap_driver_tests"
ninja -C build/release scap_driver_tests >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; echo "vm: build failed"; exit 1; }
test_bin=$repo/build/release/test/scap_driver_tests

# --- one boot --------------------------------------------------------------------------------
# parse_engine <console log> <kernel> <engine> <boot seconds>: prints the engine's lines, records its result.
parse_engine() {
  local log=$1 k=$2 e=$3 boot_s=$4
  local section passed failed skipped ran coverage suite_s reason="" verdict=PASS
  section=$(tr -d '\r' <"$log" | awk -v e="$e" '$0 ~ "^SCAPVM-BEGIN engine="e"$" {on=1} on {print} $0 ~ "^SCAPVM-END engine="e" " {on=0}')
  passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$section" | tail -n1)
  failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$section" | tail -n1)
  skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' <<<"$section" | tail -n1)
  ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' <<<"$section" | tail -n1)
  coverage=$(grep -m1 '^driver coverage:' <<<"$section" || true)
  suite_s=$(sed -n 's/^SCAPVM-END engine=.* seconds=\([0-9]*\)/\1/p' <<<"$section")
  failed=${failed:-0} skipped=${skipped:-0}
  # --gtest_brief prints no "[  FAILED  ] N tests" total: the failures are what ran but neither passed nor skipped.
  if [[ -n $ran && -n $passed ]] && ((ran - passed - skipped > failed)); then failed=$((ran - passed - skipped)); fi
  if [[ -z $section ]]; then
    reason="the guest never started this engine's suite"
  elif grep -q '^SCAPVM-MODULE-REFUSED' <<<"$section"; then
    reason="module refused: $(sed -n 's/^SCAPVM-MODULE-REFUSED //p' <<<"$section")"
  elif grep -q '^SCAPVM-SUITE-TIMEOUT' <<<"$section"; then
    reason="suite timed out in the guest ($(sed -n 's/^SCAPVM-SUITE-TIMEOUT //p' <<<"$section"))"
  elif [[ -z $suite_s ]]; then
    reason="the guest stopped during the suite"
  elif [[ -z $passed || -z $ran ]]; then
    reason="no gtest summary in the guest's output"
  elif ((failed > 0)); then
    reason="$failed failed: $(sed -n 's/^\[  FAILED  \] \([A-Za-z][^ ]*\).*/\1/p' <<<"$section" | sort -u | head -n 8 | paste -sd' ')"
  elif ((passed == 0)); then
    reason="no test passed"
  elif ((passed + skipped != ran)); then
    reason="counts do not add up ($passed passed + $skipped skipped != $ran ran)"
  elif [[ -z $coverage ]]; then
    reason="no driver coverage line"
  elif ! grep -q '^SCAPVM-SUITE-EXIT rc=0$' <<<"$section"; then
    reason="the suite exited with $(sed -n 's/^SCAPVM-SUITE-EXIT //p' <<<"$section") although gtest counted no failure"
  elif grep -q '^SCAPVM-RMMOD-FAILED' <<<"$section"; then
    reason="rmmod after the suite failed: $(sed -n 's/^SCAPVM-RMMOD-FAILED //p' <<<"$section")"
  fi
  [[ -n $reason ]] && verdict=FAIL
  echo "driver tests $e $k: ${passed:-0} passed, $failed failed, $skipped skipped"
  echo "${coverage:-driver coverage: (none printed)}"
  if [[ -n $reason ]]; then
    echo "  FAIL: $reason"
    [[ -n $section ]] && { echo "  --- tail of the suite's output"; tail -n 15 <<<"$section" | sed 's/^/  | /'; }
  fi
  record "$k" "$e" "$verdict" "${passed:-0}" "$failed" "$skipped" "${coverage:+$(sed -E 's/^driver coverage: ([0-9]+ of [0-9]+).*/\1/' <<<"$coverage")}" \
    "$boot_s" "${suite_s:--}" "$reason"
}

# build_probe <kernel> <dir>: the legacy eBPF probe for a guest kernel (prints its path).
build_probe() {
  local vars SCAP_VM_KIMAGE SCAP_VM_KHEADERS SCAP_VM_KRELEASE SCAP_VM_KROOT
  vars=$(bash "$here/fetch-kernel.sh" "$1" --vars) || return 1
  eval "$vars"
  bash driver/bpf/build.sh "$SCAP_VM_KHEADERS" "$2" | tail -n1
}

run_guest() {
  local k=$1 dir=$out/$1 vars ko="" probe="" other_probe="" es=() e
  mkdir -p "$dir"
  echo "== kernel $k (guest)"
  if ! vars=$(bash "$here/fetch-kernel.sh" "$k" --vars 2>"$dir/fetch.log"); then
    tail -n 5 "$dir/fetch.log"
    for e in "${engines[@]}"; do record "$k" "$e" FAIL - - - - - - "kernel fetch failed"; done
    return
  fi
  local SCAP_VM_KIMAGE SCAP_VM_KHEADERS SCAP_VM_KRELEASE SCAP_VM_KROOT
  eval "$vars"
  for e in "${engines[@]}"; do
    if [[ $e == kmod ]]; then
      if ! ko=$(bash driver/kmod/build.sh "$SCAP_VM_KHEADERS" "$dir/kmod" 2>"$dir/kmod-build.log" | tail -n1) ||
        [[ ! -f $ko ]]; then
        echo "driver tests kmod $k: module build failed against $SCAP_VM_KHEADERS"
        tail -n 15 "$dir/kmod-build.log" | sed 's/^/  | /'
        record "$k" kmod FAIL - - - - - - "module build failed (log: $dir/kmod-build.log)"
        ko=""
        continue
      fi
    fi
    if [[ $e == bpf ]]; then
      if ! probe=$(build_probe "$k" "$dir/bpf" 2>"$dir/bpf-build.log") || [[ ! -f $probe ]]; then
        echo "driver tests bpf $k: probe build failed against $SCAP_VM_KHEADERS"
        tail -n 15 "$dir/bpf-build.log" | sed 's/^/  | /'
        record "$k" bpf FAIL - - - - - - "probe build failed (log: $dir/bpf-build.log)"
        probe=""
        continue
      fi
      # Another guest kernel's probe: the suite checks that the engine refuses it (BpfProbe tests).
      local ok
      for ok in $guest_kernels; do
        [[ $ok == "$k" ]] && continue
        other_probe=$(build_probe "$ok" "$out/$ok/bpf" 2>>"$dir/bpf-build.log") || other_probe=""
        break
      done
    fi
    es+=("$e")
  done
  ((${#es[@]})) || return 0

  {
    echo "ENGINES=\"${es[*]}\""
    for e in "${es[@]}"; do echo "GTEST_FILTER_$e=\"$(engine_filter "$e")\""; done
    # Forking is slow under TCG: the start test's process count is scaled down (600, not 3000).
    echo "export SCAP_TEST_START_PROCESSES=600"
    for v in "${guest_env[@]}"; do echo "export $(printf '%q' "$v")"; done
    [[ -n $probe ]] && echo "export SCAP_BPF_PROBE=/scap/scap_bpf.o"
    [[ -n $other_probe ]] && echo "export SCAP_BPF_OTHER_PROBE=/scap/scap_bpf_other.o"
    echo "SUITE_TIMEOUT=$(((boot_timeout - 120) / ${#es[@]}))" # each engine gets its share of the boot
  } >"$dir/vm.conf"
  bash "$here/make-initramfs.sh" "$dir/initramfs.cpio.gz" "$test_bin" "$dir/vm.conf" "$ko" "$probe" "$other_probe"

  local log=$dir/console.log start boot_s qrc=0
  rm -f "$log"
  start=$(date +%s)
  # panic=-1 + -no-reboot: a panicking guest ends qemu at once instead of sitting out the timeout.
  # thread=single: with one host thread per vCPU (MTTCG) a 6.12 guest took an "Oops: int3" in
  # syscall exit while another vCPU live-patched that tracepoint's call site (BPF attach, text_poke_bp):
  # cross-modifying code that MTTCG does not make coherent. Round-robin vCPUs see each patch at once.
  timeout --kill-after=10 "$boot_timeout" qemu-system-x86_64 -accel tcg,thread=single -cpu max -m 4G -smp 2 \
    -display none -monitor none -no-reboot -serial "file:$log" \
    -kernel "$SCAP_VM_KIMAGE" -initrd "$dir/initramfs.cpio.gz" \
    -append "console=ttyS0 panic=-1 oops=panic loglevel=3 rdinit=/init" </dev/null >"$dir/qemu.log" 2>&1 || qrc=$?
  boot_s=$(($(date +%s) - start))
  echo "kernel $k: guest ran ${boot_s}s (TCG; timing informative only)"

  local boot_problem=""
  if grep -q 'Kernel panic' "$log"; then
    boot_problem="kernel panic"
  elif ((qrc == 124 || qrc == 137)); then
    boot_problem="timeout: the guest did not finish within ${boot_timeout}s"
  elif ! grep -q '^SCAPVM-BOOTED' "$log"; then
    boot_problem="the guest never reached /init (qemu: $(tail -n 2 "$dir/qemu.log" | paste -sd' '))"
  elif ! grep -q '^SCAPVM-DONE' "$log"; then
    boot_problem="the guest stopped before finishing"
  fi
  if [[ -n $boot_problem ]]; then
    echo "kernel $k: FAIL: $boot_problem; tail of the console ($log):"
    tr -d '\r' <"$log" | tail -n 25 | sed 's/^/  | /'
  fi
  grep -q '^SCAPVM-BTF no' "$log" && echo "kernel $k: note: the guest kernel has no BTF"

  local first=${#results[@]}
  for e in "${es[@]}"; do parse_engine "$log" "$k" "$e" "$boot_s"; done
  [[ -n $boot_problem ]] && fail_since "$first" "$boot_problem"
  # The kernel's verdict on the suite: any WARNING/BUG/Oops fails every engine of this boot.
  local dmesg
  dmesg=$(awk '/^SCAPVM-DMESG-BEGIN/ {on=1; next} /^SCAPVM-DMESG-END/ {on=0} on' "$log" | tr -d '\r')
  if [[ -n $dmesg ]]; then
    echo "kernel $k: FAIL: the guest's dmesg has warnings after the suite:"
    sed 's/^/  | /' <<<"$dmesg" | head -n 30
    fail_since "$first" "dmesg: $(head -n1 <<<"$dmesg")"
  fi
}

# fail_since <index> <why>: marks every result recorded from <index> on as failed, adding <why>.
fail_since() {
  local i r k e v p f s c b t why
  for ((i = $1; i < ${#results[@]}; i++)); do
    IFS='|' read -r k e v p f s c b t why <<<"${results[$i]}"
    results[$i]="$k|$e|FAIL|$p|$f|$s|$c|$b|$t|$2${why:+; $why}"
  done
}

run_host() {
  local e dir=$out/host start log
  mkdir -p "$dir"
  echo "== kernel host ($(uname -r))"
  for e in "${engines[@]}"; do
    if [[ $e == kmod ]]; then
      if [[ ! -e /proc/modules ]]; then
        echo "driver tests kmod host: not run (the host kernel has no module support); the guests cover kmod"
        record host kmod n/a - - - - - - "host kernel has no module support"
        continue
      fi
    fi
    local host_probe=""
    if [[ $e == bpf ]]; then
      # The legacy probe is built per kernel: only when this host has its own kernel's headers.
      if ! host_probe=$(bash driver/bpf/build.sh "" "$dir/bpf" 2>"$dir/bpf-build.log" | tail -n1) || [[ ! -f $host_probe ]]; then
        echo "driver tests bpf host: not run (no probe for the host kernel: $(tail -n1 "$dir/bpf-build.log"))"
        record host bpf n/a - - - - - - "no headers for the host kernel; the guests cover bpf"
        continue
      fi
    fi
    log=$dir/$e.log
    start=$(date +%s)
    {
      echo "SCAPVM-BEGIN engine=$e"
      SCAP_BPF_PROBE=$host_probe SCAP_TEST_ENGINE=$e timeout $((boot_timeout)) "$test_bin" --gtest_brief=1 --gtest_color=no \
        --gtest_filter="$(engine_filter "$e")" </dev/null 2>&1 && rc=0 || rc=$?
      echo "SCAPVM-SUITE-EXIT rc=$rc"
      echo "SCAPVM-END engine=$e seconds=$(($(date +%s) - start))"
    } >"$log"
    parse_engine "$log" host "$e" -
  done
}

for k in $want_kernels; do
  if [[ $k == host ]]; then run_host; else run_guest "$k"; fi
done

# --- summary -----------------------------------------------------------------------------------
echo
echo "VM test matrix summary (times: wall seconds under TCG on a shared machine, informative only)"
printf '%-7s %-11s %-7s %7s %7s %8s %-10s %7s %8s  %s\n' kernel engine result passed failed skipped coverage boot_s suite_s note
n_pass=0 n_fail=0
for r in "${results[@]}"; do
  IFS='|' read -r k e v p f s c b t why <<<"$r"
  printf '%-7s %-11s %-7s %7s %7s %8s %-10s %7s %8s  %s\n' "$k" "$e" "$v" "$p" "$f" "$s" "${c:--}" "$b" "$t" "$why"
  [[ $v == PASS ]] && n_pass=$((n_pass + 1))
  [[ $v == FAIL ]] && n_fail=$((n_fail + 1))
done
echo "vm matrix: $n_pass kernel/engine runs passed, $n_fail failed"
((n_fail == 0 && n_pass > 0))
