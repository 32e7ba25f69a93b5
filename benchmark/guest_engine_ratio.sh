#!/usr/bin/env bash
# kmod vs modern eBPF vs legacy eBPF in one guest: boots a Debian kernel of the VM matrix
# (test/vm/fetch-kernel.sh) under qemu TCG with a small initramfs (busybox, scap-open,
# syscall_loadgen, scap_kmod.ko, the legacy probe built for that kernel) and, per workload, measures
# the load generator's rate untraced, under `scap-open --kmod`, `scap-open --modern_bpf` and
# `scap-open --bpf PROBE` (only the workload's syscalls selected, counting without printing), the
# events/s delivered and the drops. Only the workload's syscalls: in a TCG guest the clocksource is
# not vDSO-capable, so the consumer's own clock reads are real syscalls, and capturing them feeds
# the consumer's CPU with its own events. TCG absolute numbers mean nothing; the ratios taken in the
# same boot do.
#
# Then, in the same boot, the same fixed workload (syscall_loadgen mixed, ITERATIONS iterations) is
# captured live by each engine with `scapdig -w`, each capture is replayed with scapdig and the
# per-type counts of the workload's events are compared: every engine must write the same capture.
#
#   bash benchmark/guest_engine_ratio.sh [KERNEL (6.12)] [SECONDS (5)] [WORKLOAD...]
#   ITERATIONS=N (default 2000) sets the size of the compared capture.
#   ENTRY_FORMS=1 adds a rate row "modern_tp": the modern engine with its TOCTOU entry hooks on the
#   syscall entry tracepoints (scap-open --entry_tracepoints) instead of fentry, for comparing the
#   two forms in one boot (the host may refuse fentry; these kernels do not).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
kernel=${1:-6.12}
secs=${2:-5}
shift $(($# >= 2 ? 2 : $#))
workloads=("$@")
((${#workloads[@]})) || workloads=(getpid openat_close dd)
die() {
  echo "guest_engine_ratio: error: $*" >&2
  exit 1
}

eval "$(bash test/vm/fetch-kernel.sh "$kernel" --vars)"
out=$repo/build/vm-bench/$kernel
mkdir -p "$out"
iterations=${ITERATIONS:-2000}
ninja -C build/release scap-open scapdig syscall_loadgen >"$out/build.log" 2>&1 || die "build failed ($out/build.log)"
ko=$(bash driver/kmod/build.sh "$SCAP_VM_KHEADERS" "$out/kmod" 2>"$out/kmod-build.log" | tail -n1)
[[ -f $ko ]] || die "module build failed ($out/kmod-build.log)"
probe=$(bash driver/bpf/build.sh "$SCAP_VM_KHEADERS" "$out/bpf" 2>"$out/bpf-build.log" | tail -n1)
[[ -f $probe ]] || die "legacy probe build failed ($out/bpf-build.log)"
engines="kmod modern_bpf bpf"
rate_engines=$engines
[[ ${ENTRY_FORMS:-0} == 1 ]] && rate_engines="kmod modern_bpf modern_tp bpf"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,scap,proc,sys,dev,tmp,etc,lib64}
cp "$(command -v busybox)" "$stage/bin/busybox"
bins=(build/release/tools/scap-open/scap-open build/release/tools/scapdig/scapdig build/release/benchmark/syscall_loadgen)
for b in "${bins[@]}"; do objcopy --strip-debug "$b" "$stage/scap/$(basename "$b")"; done
install -m 644 "$ko" "$stage/scap/scap_kmod.ko"
install -m 644 "$probe" "$stage/scap/scap_bpf.o"
for b in "${bins[@]}"; do ldd "$b" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'; done | sort -u |
  while read -r lib; do
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
  done
cat >"$stage/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug; mount -t tracefs tracefs /sys/kernel/tracing; mount -t bpf bpf /sys/fs/bpf
insmod /scap/scap_kmod.ko || echo "BENCH-MODULE-REFUSED"
rate() { sed -n 's/.* rate=\([0-9]*\) syscalls\/s.*/\1/p'; }
sel() { case \$1 in getpid) echo "-e getpid" ;; close_bad) echo "-e close" ;;
  openat_close) echo "-e openat -e close" ;; dd) echo "-e read -e write" ;; *) echo "" ;; esac; }
# A consumer is ready once its probes are attached (a BPF link, or the module's device open):
# loading and verifying the eBPF programs takes many seconds under TCG, so a fixed sleep would
# run the loop before the capture started.
ready() {
  i=0
  while [ \$i -lt 600 ]; do
    ls -l /proc/\$1/fd 2>/dev/null | grep -q -e bpf_link -e /dev/scap_kmod && { sleep 2; return 0; }
    sleep 0.2; i=\$((i + 1))
  done
  echo "BENCH-NOT-READY pid \$1"
}
for w in ${workloads[*]}; do
  for e in $rate_engines; do
    # The untraced baseline right before each traced run: the host's load drifts between runs.
    u=\$(taskset -c 1 /scap/syscall_loadgen \$w $secs | rate)
    flag=--\$e; extra=""; [ \$e = modern_bpf ] && extra=--no_prog_stats; [ \$e = bpf ] && extra=/scap/scap_bpf.o
    [ \$e = modern_tp ] && flag=--modern_bpf && extra="--no_prog_stats --entry_tracepoints"
    taskset -c 0 /scap/scap-open \$flag \$extra \$(sel \$w) -q >/tmp/\$e.out 2>&1 &
    so=\$!
    ready \$so
    line=\$(taskset -c 1 /scap/syscall_loadgen \$w $secs)
    r=\$(echo "\$line" | rate)
    n=\$(echo "\$line" | sed -n 's/.* syscalls=\\([0-9]*\\) .*/\\1/p')
    sleep 1
    kill -INT \$so; wait \$so
    echo "BENCH \$w \$e untraced=\$u traced=\$r loop=\$n \$(tr '\\n' ' ' </tmp/\$e.out)"
  done
done
# The same fixed workload captured by each engine, replayed, counted per event type.
for e in $engines; do
  flag=""; [ \$e = kmod ] && flag=--kmod; [ \$e = bpf ] && flag="--bpf /scap/scap_bpf.o"
  /scap/scapdig \$flag -w /tmp/\$e.scap 'proc.name=syscall_loadgen' 2>/tmp/\$e.err &
  dig=\$!
  ready \$dig
  /scap/syscall_loadgen mixed 600 $iterations >/dev/null
  sleep 2
  kill -INT \$dig; wait \$dig
  sed "s/^/CAPLOG \$e /" /tmp/\$e.err
  /scap/scapdig -r /tmp/\$e.scap -p '%evt.type' 'proc.name=syscall_loadgen' 2>/dev/null | sort | uniq -c |
    while read -r n t; do echo "SHAPE \$e \$t \$n"; done
done
echo BENCH-DONE
poweroff -f
INIT
chmod 755 "$stage/init"
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out/initramfs.cpio.gz"
# thread=single: see test/vm/run.sh (MTTCG does not make the tracepoint live-patching coherent).
timeout --kill-after=10 1800 qemu-system-x86_64 -accel tcg,thread=single -cpu max -m 4G -smp 2 -display none -monitor none \
  -no-reboot -serial "file:$out/console.log" -kernel "$SCAP_VM_KIMAGE" -initrd "$out/initramfs.cpio.gz" \
  -append "console=ttyS0 panic=-1 oops=panic loglevel=3 rdinit=/init" </dev/null >"$out/qemu.log" 2>&1 || true
tr -d '\r' <"$out/console.log" >"$out/console.txt"
grep -q BENCH-DONE "$out/console.txt" || { tail -n 30 "$out/console.txt"; die "the guest did not finish"; }
grep -q BENCH-MODULE-REFUSED "$out/console.txt" && die "the guest refused the module (see $out/console.txt)"
echo "kernel $SCAP_VM_KRELEASE (qemu TCG, 2 vCPUs; loop on vCPU 1, consumer on vCPU 0; $secs s per run)"
printf '%-13s %-10s %12s %12s %6s %10s %10s %9s %s\n' workload engine untraced/s traced/s ratio loop_calls events retention drops
awk '/^BENCH / {
  w=$2; e=$3; u=$4; t=$5; l=$6; sub("untraced=","",u); sub("traced=","",t); sub("loop=","",l)
  ev=""; dr=""
  for (i=7;i<=NF;i++) { if ($i=="events:") ev=$(i+1); if ($i=="drops:") dr=$(i+1) }
  printf "%-13s %-10s %12s %12s %6.2f %10s %10s %9.3f %s\n", w, e, u, t, (u>0? t/u : 0), l, ev, (l>0? ev/l : 0), dr
  r[w,e]=(u>0? t/u : 0)
  if (e=="bpf" && r[w,"modern_bpf"]>0 && r[w,"bpf"]>0)
    printf "%-13s ratio of ratios: kmod/modern_bpf %.2f, bpf/modern_bpf %.2f%s\n", w, r[w,"kmod"]/r[w,"modern_bpf"], r[w,"bpf"]/r[w,"modern_bpf"], (r[w,"modern_tp"]>0 ? sprintf(", modern_tp/modern_bpf %.2f", r[w,"modern_tp"]/r[w,"modern_bpf"]) : "")
}' "$out/console.txt"
echo "(retention: events delivered / loop syscalls; the consumer's count includes the few selected"
echo " syscalls of other processes and stops one second after the loop, so a backlog reads below 1)"

# Same capture, three engines: per-type counts of the workload's events side by side.
echo
echo "same workload (syscall_loadgen mixed, $iterations iterations) captured by each engine with scapdig -w, replayed:"
grep '^CAPLOG ' "$out/console.txt" | sed 's/^CAPLOG /  /'
rows=$(awk '/^SHAPE / {n[$3, $2] = $4; t[$3] = 1}
  END {
    for (x in t) {
      k = n[x, "kmod"] + 0; m = n[x, "modern_bpf"] + 0; b = n[x, "bpf"] + 0
      printf "%-16s %10d %10d %10d%s\n", x, k, m, b, (k == m && m == b ? "" : "   <- differs")
    }
  }' "$out/console.txt" | sort)
[[ -n $rows ]] || die "no capture was replayed in the guest"
printf '%-16s %10s %10s %10s\n' "event type" kmod modern_bpf bpf
echo "$rows"
ndiff=$(grep -c 'differs$' <<<"$rows" || true)
if ((ndiff)); then echo "$ndiff event types differ between the engines"; exit 1; fi
echo "same per-type counts from all three engines"
