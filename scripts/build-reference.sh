#!/usr/bin/env bash
# Builds the reference implementation (falcosecurity/libs) in a scratch folder, so that
# benchmarks and the field-parity tool can be run against it reproducibly.
#
#   scripts/build-reference.sh SOURCE SCRATCH_DIR [COMMIT]
#
# SOURCE is either a git repository of falcosecurity/libs (bare, e.g. the mirror brought by
# `fetch`, or a checkout) or an already checked-out source tree. SCRATCH_DIR must lie outside
# this repository: nothing of the reference is ever built or kept inside our tree.
#
# Only Debian packages are used (USE_BUNDLED_DEPS=OFF): no download happens other than
# apt-get. Drivers, tests and the eBPF/gVisor engines are left out; what is built is the
# userspace libraries in a Release build (the reference's own release flags, -O3) and the two
# example programs we compare against:
#   SCRATCH_DIR/build/libsinsp/examples/sinsp-example
#   SCRATCH_DIR/build/libscap/examples/01-open/scap-open
# The commit built is written to SCRATCH_DIR/REFERENCE_COMMIT.
#
# Environment: JOBS (default 2), NICE (default 10), SKIP_APT=1 to not call apt-get;
# EXTRA_PACKAGES (more Debian packages to install) and SOURCE_ONLY=1 (stop once the source is
# checked out) are for scripts/build-reference-bpf.sh.
set -euo pipefail

die() {
    echo "build-reference: $*" >&2
    exit 1
}

[[ $# -ge 2 && $# -le 3 ]] || die "usage: $0 SOURCE SCRATCH_DIR [COMMIT]"
source_path=$1
scratch=$2
commit=${3:-HEAD}

[[ -e "$source_path" ]] || die "source '$source_path' does not exist"

# The scratch folder must not be inside our repository (or equal to it): the reference's code
# and build must never end up where `git add` could pick them up.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
scratch=$(realpath -m "$scratch") # resolved before it exists: nothing is created until it is checked
[[ "$scratch/" != "$repo_root/"* ]] ||
    die "scratch dir '$scratch' is inside this repository ($repo_root); pick a folder outside it"
# ${scratch%/}: "/" becomes "", so the root (which contains everything) is refused too.
[[ "$repo_root/" != "${scratch%/}/"* ]] ||
    die "scratch dir '$scratch' contains this repository; pick a dedicated folder beside it"

mkdir -p "$scratch"

# Debian packages the reference needs when its bundled dependencies are off.
packages=(cmake make g++ pkg-config git libelf-dev zlib1g-dev libjsoncpp-dev libre2-dev libtbb-dev
    uthash-dev libvalijson-dev libcxxopts-dev time ${EXTRA_PACKAGES:-})
if [[ "${SKIP_APT:-0}" != 1 ]]; then
    missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "build-reference: installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
            die "apt-get could not install: ${missing[*]}"
    fi
fi

# Get a source tree at the wanted commit.
src=$scratch/src
if git -C "$source_path" rev-parse --git-dir >/dev/null 2>&1; then
    if [[ ! -d "$src/.git" ]]; then
        git clone -q --no-checkout "$source_path" "$src" || die "cannot clone '$source_path'"
    fi
    # The source's commit (its HEAD by default), fetched anew so a reused scratch clone is not stale.
    if git -C "$src" fetch -q "$source_path" "$commit" 2>/dev/null; then
        git -C "$src" checkout -q --detach FETCH_HEAD
    else
        git -C "$src" fetch -q "$source_path" '+refs/heads/*:refs/remotes/source/*' 2>/dev/null || true
        git -C "$src" checkout -q --detach "$commit" 2>/dev/null || die "commit '$commit' not found in '$source_path'"
    fi
    built_commit=$(git -C "$src" rev-parse HEAD)
else
    [[ -f "$source_path/CMakeLists.txt" && -d "$source_path/userspace/libsinsp" ]] ||
        die "'$source_path' is neither a git repository nor a falcosecurity/libs source tree"
    src=$(cd "$source_path" && pwd -P)
    built_commit="unknown (plain source tree $src)"
fi
echo "$built_commit" >"$scratch/REFERENCE_COMMIT"
[[ "${SOURCE_ONLY:-0}" != 1 ]] || exit 0
echo "build-reference: building falcosecurity/libs $built_commit"

build=$scratch/build
# shellcheck source=reference-cmake.sh
source "$(dirname "${BASH_SOURCE[0]}")/reference-cmake.sh"
reference_configure_and_build build-reference "$src" "$scratch" OFF ON sinsp-example scap-open

sinsp_example=$(find "$build" -type f -name sinsp-example -perm -u+x | head -1)
scap_open=$(find "$build" -type f -name scap-open -perm -u+x | head -1)
[[ -n "$sinsp_example" && -n "$scap_open" ]] || die "build finished but the binaries are missing"
echo "REFERENCE_SINSP_EXAMPLE=$sinsp_example"
echo "REFERENCE_SCAP_OPEN=$scap_open"
echo "REFERENCE_COMMIT=$built_commit"
