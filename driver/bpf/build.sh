#!/usr/bin/env bash
# Builds the legacy eBPF probe for one kernel, against that kernel's headers folder (kbuild).
#
#   bash driver/bpf/build.sh [HEADERS_DIR] [OUT_DIR]
#
# HEADERS_DIR: a kernel headers/build folder (default: /lib/modules/$(uname -r)/build). OUT_DIR
# (default: build/bpf/<kernel release>) receives links to the sources and scap_bpf.o, copied to
# scap_bpf-<release>.o: the object's name says which kernel it is for, and so does the object
# itself (section .scap_kernel_release, checked by the engine before loading). The path of
# scap_bpf-<release>.o is printed last. Debian headers unpacked anywhere work as for the kernel
# module (driver/kmod/build.sh fixes their Makefile's absolute include of the -common folder).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() {
  echo "bpf probe build: error: $*" >&2
  exit 1
}
for tool in clang llc llvm-objcopy; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install clang llvm)"
done

headers=${1:-/lib/modules/$(uname -r)/build}
if [[ ! -d $headers ]]; then
  [[ -z ${1:-} ]] && die "no headers for the running kernel $(uname -r) ($headers is missing): install linux-headers-$(uname -r) or pass a headers folder"
  die "headers folder $headers does not exist"
fi
headers=$(cd "$headers" && pwd)
[[ -f $headers/Makefile ]] || die "$headers has no Makefile: not a kernel headers/build folder"

# Debian: "include /usr/src/linux-headers-<ver>-common/Makefile" (see driver/kmod/build.sh).
inc=$(sed -n 's#^include \(/usr/src/[^ ]*/Makefile\)$#\1#p' "$headers/Makefile" | head -1)
if [[ -n $inc && ! -f $inc ]]; then
  sibling="$(dirname "$headers")/$(basename "$(dirname "$inc")")/Makefile"
  [[ -f $sibling ]] || die "$headers/Makefile includes $inc, which is neither there nor at $sibling: unpack the linux-headers-*-common package beside it"
  sed -i "s#^include $inc\$#include $sibling#" "$headers/Makefile"
fi
[[ -e $headers/scripts/Makefile.build ]] ||
  die "$headers/scripts is missing or a dangling link: unpack the matching linux-kbuild package into the same tree"

release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$headers/include/generated/utsrelease.h" 2>/dev/null | head -1)
[[ -n $release ]] || die "cannot tell which kernel $headers is for (no include/generated/utsrelease.h): incomplete headers"

out=${2:-$repo/build/bpf/$release}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for f in "$here"/probe.c "$here"/Kbuild; do ln -sf "$f" "$out/$(basename "$f")"; done

echo "bpf probe build: kernel $release, headers $headers, output $out" >&2
make -C "$headers" M="$out" SCAP_DRIVER_DIR="$repo/driver" >&2
obj="$out/scap_bpf.o"
[[ -f $obj ]] || die "kbuild finished without $obj"
llvm-objcopy -O binary --only-section=.scap_kernel_release "$obj" "$out/kernel_release.bin"
built_for=$(tr -d '\0' <"$out/kernel_release.bin")
[[ $built_for == "$release" ]] || die "$obj says it is for kernel '$built_for', expected $release"
cp "$obj" "$out/scap_bpf-$release.o"
echo "$out/scap_bpf-$release.o"
