#!/usr/bin/env bash
# Builds the guest's initramfs: busybox-static, /init (guest-init.sh), the driver test binary with
# the shared libraries ldd finds for it (and ld-linux), a real /bin/true for the exec tests, the
# kernel module when given, and the run configuration.
#
#   bash test/vm/make-initramfs.sh OUT.cpio.gz TEST_BINARY CONF_FILE [MODULE.ko] [BPF_PROBE.o] [OTHER_BPF_PROBE.o]
#
# The legacy eBPF probe built for the guest's kernel lands at /scap/scap_bpf.o, another kernel's at
# /scap/scap_bpf_other.o (the suite checks the engine refuses it). Empty arguments are skipped.
set -euo pipefail

out=$1 bin=$2 conf=$3 ko=${4:-} probe=${5:-} other_probe=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
die() {
  echo "make-initramfs: error: $*" >&2
  exit 1
}
busybox=$(command -v busybox || true)
[[ -n $busybox ]] && ! ldd "$busybox" >/dev/null 2>&1 || die "no static busybox on PATH (apt-get install busybox-static)"
[[ -x $bin ]] || die "test binary $bin missing (build it first)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,scap,proc,sys,dev,tmp,run,etc,lib64,root}
cp "$busybox" "$stage/bin/busybox"
install -m 755 "$here/guest-init.sh" "$stage/init"
install -m 644 "$conf" "$stage/scap/vm.conf"
# Debug info is dead weight in a RAM disk: strip it (symbols stay for backtraces).
objcopy --strip-debug "$bin" "$stage/scap/scap_driver_tests"
cp /bin/true "$stage/bin/true"
[[ -n $ko ]] && install -m 644 "$ko" "$stage/scap/scap_kmod.ko"
[[ -n $probe ]] && install -m 644 "$probe" "$stage/scap/scap_bpf.o"
[[ -n $other_probe ]] && install -m 644 "$other_probe" "$stage/scap/scap_bpf_other.o"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
printf '127.0.0.1 localhost scap-vm\n::1 localhost\n' >"$stage/etc/hosts"

# Every shared library of the binaries, at the same path, plus the dynamic loader.
for b in "$bin" /bin/true; do
  ldd "$b" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'
done | sort -u | while read -r lib; do
  mkdir -p "$stage$(dirname "$lib")"
  cp -L "$lib" "$stage$lib"
done
[[ -e $stage/lib64/ld-linux-x86-64.so.2 ]] || die "ld-linux not found by ldd for $bin"

(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
