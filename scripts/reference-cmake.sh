# Sourced by build-reference.sh and build-reference-bpf.sh: configures and builds the reference
# (falcosecurity/libs) in SCRATCH/build the same way for both, with Debian's libraries (no
# download), its drivers, tests, benchmarks and gVisor engine off.
#
#   reference_configure_and_build LABEL SRC SCRATCH MODERN_BPF(ON|OFF) SINSP_EXAMPLES(ON|OFF) TARGET...
#
# Writes the commands to SCRATCH/BUILD_COMMANDS and the logs beside it; honours JOBS and NICE;
# exits with a message naming LABEL on failure.
reference_configure_and_build() {
    local label=$1 src=$2 scratch=$3 modern_bpf=$4 sinsp_examples=$5
    shift 5
    local build=$scratch/build jobs=${JOBS:-2} niceness=${NICE:-10}
    local cmake_args=(
        -S "$src" -B "$build"
        -DCMAKE_BUILD_TYPE=Release
        -DUSE_BUNDLED_DEPS=OFF
        -DBUILD_DRIVER=OFF
        -DBUILD_BPF=OFF
        -DBUILD_LIBSCAP_MODERN_BPF="$modern_bpf"
        -DBUILD_LIBSCAP_GVISOR=OFF
        -DCREATE_TEST_TARGETS=OFF
        -DENABLE_BENCHMARKS=OFF
        -DBUILD_WARNINGS_AS_ERRORS=OFF
        -DBUILD_LIBSCAP_EXAMPLES=ON
        -DBUILD_LIBSINSP_EXAMPLES="$sinsp_examples"
    )
    # ccache, when present, makes a rebuild of the same commit cheap.
    if command -v ccache >/dev/null; then
        cmake_args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    fi
    echo "$label: cmake ${cmake_args[*]}" | tee "$scratch/BUILD_COMMANDS"
    cmake "${cmake_args[@]}" >"$scratch/configure.log" 2>&1 || {
        tail -40 "$scratch/configure.log" >&2
        echo "$label: configure failed (whole log: $scratch/configure.log)" >&2
        exit 1
    }
    echo "$label: nice -n $niceness make -C $build -j$jobs $*" | tee -a "$scratch/BUILD_COMMANDS"
    nice -n "$niceness" make -C "$build" -j"$jobs" "$@" >"$scratch/build.log" 2>&1 || {
        grep -E "error|Error" "$scratch/build.log" | head -40 >&2
        echo "$label: build failed (whole log: $scratch/build.log)" >&2
        exit 1
    }
}
