#!/usr/bin/env bash
# Installs every build and test dependency from Debian packages. Idempotent; needs root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  zlib1g-dev nlohmann-json3-dev libre2-dev libyaml-cpp-dev
  libisal-dev  # gzip captures inflated with ISA-L's igzip (savefile/byte_source.h); zlib without it
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev libfuzzer-14-dev clang-format
  libbpf-dev bpftool libelf-dev llvm
  python3 python3-yaml
  qemu-system-x86 busybox-static dwarves kmod cpio
  hyperfine  # benchmark/parallel_replay.sh
  podman runc  # test/cli/scapdig_container_live_test.sh: a real container runtime
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
