#!/usr/bin/env bash
# Builds consumer.cpp against an install tree two ways (CMake package, pkg-config) and checks
# that both read a real capture to the end with a non-zero event count.
set -euo pipefail
prefix=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
capture="$here/../../../shared/captures/falco_cat_write.scap"
rm -rf "$work"
cmake -S "$here" -B "$work/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
ninja -C "$work/cmake" >/dev/null
n_cmake=$("$work/cmake/consumer" "$capture")
mkdir -p "$work/pc"
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" c++ -std=c++17 "$here/consumer.cpp" -o "$work/pc/consumer" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs --static libscap)
n_pc=$("$work/pc/consumer" "$capture")
echo "install consumer: find_package read $n_cmake events, pkg-config read $n_pc events"
if [[ "$n_cmake" -le 0 || "$n_cmake" != "$n_pc" ]]; then
  echo "install consumer: FAILED" >&2
  exit 1
fi
