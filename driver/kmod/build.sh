#!/usr/bin/env bash
# Builds scap_kmod.ko with kbuild against a kernel headers folder.
#
#   bash driver/kmod/build.sh [HEADERS_DIR] [OUT_DIR]
#
# HEADERS_DIR: the folder `make -C` runs in (default: /lib/modules/$(uname -r)/build, the running
# kernel's). OUT_DIR (default: build/kmod/<kernel release>) receives links to the sources, the
# objects and scap_kmod.ko; its path is printed last. Works with Debian headers unpacked by
# dpkg-deb -x anywhere (test/vm/fetch-kernel.sh): their Makefile includes the -common package by
# its absolute /usr/src path, which is redirected to the unpacked sibling folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() {
  echo "kmod build: error: $*" >&2
  exit 1
}

headers=${1:-/lib/modules/$(uname -r)/build}
if [[ ! -d $headers ]]; then
  if [[ -z ${1:-} ]]; then
    die "no headers for the running kernel $(uname -r) ($headers is missing): install linux-headers-$(uname -r) or pass a headers folder"
  fi
  die "headers folder $headers does not exist"
fi
headers=$(cd "$headers" && pwd)
[[ -f $headers/Makefile ]] || die "$headers has no Makefile: not a kernel headers/build folder"

# Debian: "include /usr/src/linux-headers-<ver>-common/Makefile". When that path is not there
# (headers unpacked outside /usr/src), point it at the sibling folder of the same tree.
inc=$(sed -n 's#^include \(/usr/src/[^ ]*/Makefile\)$#\1#p' "$headers/Makefile" | head -1)
if [[ -n $inc && ! -f $inc ]]; then
  sibling="$(dirname "$headers")/$(basename "$(dirname "$inc")")/Makefile"
  [[ -f $sibling ]] || die "$headers/Makefile includes $inc, which is neither there nor at $sibling: unpack the linux-headers-*-common package beside it"
  sed -i "s#^include $inc\$#include $sibling#" "$headers/Makefile"
  echo "kmod build: $headers/Makefile now includes $sibling" >&2
fi
[[ -e $headers/scripts/Makefile.build ]] ||
  die "$headers/scripts is missing or a dangling link: unpack the matching linux-kbuild package into the same tree"

release=""
for f in include/generated/utsrelease.h include/config/kernel.release; do
  [[ -f $headers/$f ]] || continue
  release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p; /^[^#]/p' "$headers/$f" | head -1)
  [[ -n $release ]] && break
done
[[ -n $release ]] || die "cannot tell which kernel $headers is for (no include/generated/utsrelease.h): incomplete headers"

out=${2:-$repo/build/kmod/$release}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for f in "$here"/*.c "$here"/*.h "$here"/Kbuild; do ln -sf "$f" "$out/$(basename "$f")"; done

echo "kmod build: kernel $release, headers $headers, output $out" >&2
make -C "$headers" M="$out" SCAP_DRIVER_DIR="$repo/driver" modules >&2
ko="$out/scap_kmod.ko"
[[ -f $ko ]] || die "kbuild finished without $ko"
vermagic=$(strings -a "$ko" | sed -n 's/^vermagic=//p' | head -1)
[[ ${vermagic%% *} == "$release" ]] || die "$ko has vermagic '$vermagic', expected kernel $release"
echo "$ko"
