#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test suite.
#   1. release build + unit tests (ctest)
#   2. ASan/UBSan build + unit tests
#   3. a consumer built against the install tree (find_package + pkg-config)
#   4. libFuzzer targets, time-boxed
#   5. the VM test matrix (driver tests in qemu guests, 6.1 and 6.12), time-boxed
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)

bash scripts/install-deps.sh

echo "== release build"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build/release
logs=build/test-logs
mkdir -p "$logs"
(cd build/release && ctest --output-on-failure -j"$jobs") | tee "$logs/ctest.log"
release_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$logs/ctest.log")

echo "== sanitizers (ASan + UBSan)"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSCAP_SANITIZE=ON -DSCAP_BUILD_BENCHMARKS=OFF >/dev/null
ninja -C build/asan scap_unit_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  build/asan/test/scap_unit_tests --gtest_brief=1 | tee "$logs/asan.log"
asan_total=$(sed -n 's/.*PASSED  \] \([0-9]*\) test.*/\1/p' "$logs/asan.log")

echo "== install tree consumer"
rm -rf build/install
cmake --install build/release --prefix build/install >/dev/null
bash test/install_consumer/run.sh "$root/build/install" "$root/build/consumer"

echo "== fuzzers (time-boxed)"
bash test/fuzz/run.sh "$root/build/fuzz" "${FUZZ_SECONDS:-30}"

echo "== VM test matrix (guest kernels 6.1 and 6.12, every engine, the whole driver suite; time-boxed)"
# qemu TCG guests (test/vm/README.md), about 4 minutes a kernel on this machine; the host kernel's
# run is the release ctest's scap_driver_tests above. run.sh bounds every boot itself; this outer
# limit only guards the stage as a whole (--quick, one kernel, is the fallback if it ever grows).
timeout --kill-after=30 "${VM_MATRIX_SECONDS:-3000}" bash test/vm/run.sh --kernel 6.1 --kernel 6.12 | tee "$logs/vm.log"
vm_total=$(awk '/^driver tests .*: [0-9]+ passed, 0 failed/ {n += $(NF - 5)} END {print n + 0}' "$logs/vm.log")

# Every stage above stops the script on failure, so reaching here means nothing failed.
echo "all test stages passed (release ctest: $release_total, ASan/UBSan: $asan_total, install consumer, fuzzers, VM driver tests: $vm_total)"
echo "tests: $((release_total + asan_total + 2 + vm_total)) passed, 0 failed"
