#!/usr/bin/env bash
# Fetches one Debian guest kernel (image + matching headers, headers-common and kbuild) into the VM cache and prints
# where it is. Never installs anything over the host's /boot: the packages are only unpacked with dpkg-deb -x.
#
#   bash test/vm/fetch-kernel.sh <kernel> [--vars]
#   bash test/vm/fetch-kernel.sh --list        the table's kernel keys, one a line
#
# <kernel> is a key of the table below (6.1, 6.12). Output, default: two lines, the kernel image path and the headers
# dir (the folder to pass as `make -C`). With --vars: shell assignments for eval:
#   SCAP_VM_KIMAGE=...    the bzImage to boot
#   SCAP_VM_KHEADERS=...  the headers dir (make -C here, M=<module dir>)
#   SCAP_VM_KRELEASE=...  uname -r of the guest (e.g. 6.1.0-57-amd64), the module's vermagic must match it
#   SCAP_VM_KROOT=...     the unpacked tree (boot/, lib/modules/<release>/, usr/src/, usr/lib/linux-kbuild-*)
#
# Cache layout, ${SCAP_VM_CACHE:-/var/cache/scap-vm}:
#   debs/                   the downloaded .deb files
#   <release>/root/         everything unpacked into one tree (headers' relative symlinks resolve inside it)
#   <release>/.complete     written last; a tree without it is unpacked again
# Progress goes to stderr, so stdout stays the answer.
set -euo pipefail

# One line per guest kernel: key, the suite its linux-image-amd64 comes from. Adding a kernel is one line.
kernel_table=(
  "6.1   bookworm"
  "6.12  bookworm-backports"
)

here=$(cd "$(dirname "$0")" && pwd)
cache=${SCAP_VM_CACHE:-/var/cache/scap-vm}
log() { echo "fetch-kernel: $*" >&2; }
die() {
  echo "fetch-kernel: error: $*" >&2
  exit 1
}

key=${1:-}
mode=${2:-}
if [[ $key == --list ]]; then
  printf '%s\n' "${kernel_table[@]}" | awk '{print $1}'
  exit 0
fi
[[ -n $key ]] || die "usage: fetch-kernel.sh <$(printf '%s\n' "${kernel_table[@]}" | awk '{print $1}' | paste -sd'|')> [--vars]"
[[ -z $mode || $mode == --vars ]] || die "unknown option '$mode' (only --vars)"

suite=""
for row in "${kernel_table[@]}"; do
  read -r k s <<<"$row"
  [[ $k == "$key" ]] && suite=$s
done
[[ -n $suite ]] || die "no kernel '$key' in the table (known: $(printf '%s ' "${kernel_table[@]}" | awk '{for(i=1;i<=NF;i+=2) printf "%s ", $i}'))"

mkdir -p "$cache/debs"
# apt-get download drops privileges to _apt when it can write the target folder.
id _apt >/dev/null 2>&1 && chown _apt "$cache/debs" 2>/dev/null || true
# One fetch at a time per cache (apt and dpkg-deb runs from two helpers or two kernels must not interleave).
exec 9>"$cache/.fetch.lock"
flock 9

bash "$here/apt-sources.sh" "$suite" >&2

# The metapackage names the ABI-versioned image package. Its version is the highest one this suite offers; for a
# release suite that includes its -security and -updates pockets (madison lists versions highest first).
version=$(apt-cache madison linux-image-amd64 | awk -F'|' -v suite="$suite" '{
    split($3, w, " "); split(w[2], s, "/"); pocket = s[1]
    if (pocket == suite || (suite !~ /-backports$/ && (pocket == suite "-security" || pocket == suite "-updates"))) {
      gsub(/ /, "", $2); print $2; exit
    }
  }')
[[ -n $version ]] || die "no linux-image-amd64 in suite $suite (apt-get update? suite enabled?)"
image_pkg=$(apt-cache show "linux-image-amd64=$version" 2>/dev/null | awk '/^Depends:/ {print $2; exit}')
[[ $image_pkg == linux-image-* ]] || die "cannot resolve linux-image-amd64=$version to an image package"
release=${image_pkg#linux-image-}

root="$cache/$release/root"
if [[ ! -f $cache/$release/.complete ]]; then
  headers_pkg="linux-headers-$release"
  deps=$(apt-cache show "$headers_pkg=$version" 2>/dev/null | awk '/^Depends:/ {sub(/^Depends: /, ""); print; exit}')
  [[ -n $deps ]] || die "no $headers_pkg=$version in the apt lists"
  # headers-common and kbuild are named by the headers package itself (their names differ between 6.1 and 6.12).
  extra=$(tr ',|' '\n\n' <<<"$deps" | awk '{print $1}' | grep -E '^linux-(headers-.*-common|kbuild-)' | sort -u)
  pkgs=("$image_pkg=$version" "$headers_pkg=$version")
  for p in $extra; do
    # kbuild is ">= version", so take the same version when it exists, else the candidate of this suite.
    if apt-cache show "$p=$version" >/dev/null 2>&1; then pkgs+=("$p=$version"); else pkgs+=("$p/$suite"); fi
  done
  log "downloading ${pkgs[*]}"
  (cd "$cache/debs" && apt-get download -q "${pkgs[@]}" >&2) || die "apt-get download failed for ${pkgs[*]}"
  rm -rf "${cache:?}/$release"
  mkdir -p "$root"
  for p in "${pkgs[@]}"; do
    name=${p%%[=/]*}
    deb=$(ls -t "$cache/debs/${name}_"*.deb 2>/dev/null | head -n1)
    [[ -n $deb ]] || die "downloaded package $name not found in $cache/debs"
    log "unpacking $(basename "$deb")"
    dpkg-deb -x "$deb" "$root"
  done
  # The headers' Makefile includes the -common tree by its absolute /usr/src path, and lib/modules/<release>/build
  # points at /usr/src too: point both into this tree so kbuild never reads the host's /usr/src.
  sed -i "s|^include /usr/src/|include $root/usr/src/|" "$root/usr/src/linux-headers-$release/Makefile"
  if [[ -d $root/lib/modules/$release ]]; then
    ln -sfn "$root/usr/src/linux-headers-$release" "$root/lib/modules/$release/build"
  fi
  touch "$cache/$release/.complete"
fi

image="$root/boot/vmlinuz-$release"
headers="$root/usr/src/linux-headers-$release"
[[ -f $image ]] || die "kernel image missing after unpack: $image"
[[ -f $headers/Makefile ]] || die "headers missing after unpack: $headers"

if [[ $mode == --vars ]]; then
  printf 'SCAP_VM_KIMAGE=%q\nSCAP_VM_KHEADERS=%q\nSCAP_VM_KRELEASE=%q\nSCAP_VM_KROOT=%q\n' \
    "$image" "$headers" "$release" "$root"
else
  printf '%s\n%s\n' "$image" "$headers"
fi
