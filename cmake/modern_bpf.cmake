# The modern (CO-RE) eBPF driver needs clang (BPF target), bpftool (vmlinux.h and the skeleton)
# and libbpf. SCAP_BUILD_MODERN_BPF defaults to ON when all three are found.
find_program(SCAP_BPF_CLANG NAMES clang clang-14)
find_program(SCAP_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin)
find_program(SCAP_LLVM_STRIP NAMES llvm-strip llvm-strip-14)
pkg_check_modules(LIBBPF IMPORTED_TARGET libbpf)
set(SCAP_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "Kernel BTF the driver's vmlinux.h is generated from")

set(_scap_modern_bpf_missing "")
if(NOT SCAP_BPF_CLANG)
  list(APPEND _scap_modern_bpf_missing "clang")
endif()
if(NOT SCAP_BPFTOOL)
  list(APPEND _scap_modern_bpf_missing "bpftool")
endif()
if(NOT LIBBPF_FOUND)
  list(APPEND _scap_modern_bpf_missing "libbpf (pkg-config libbpf)")
endif()
if(NOT EXISTS ${SCAP_VMLINUX_BTF})
  list(APPEND _scap_modern_bpf_missing "kernel BTF at ${SCAP_VMLINUX_BTF}")
endif()

if(_scap_modern_bpf_missing)
  set(_scap_modern_bpf_default OFF)
else()
  set(_scap_modern_bpf_default ON)
endif()
option(SCAP_BUILD_MODERN_BPF "Build the modern eBPF driver and the modern_bpf libscap engine" ${_scap_modern_bpf_default})
if(SCAP_BUILD_MODERN_BPF AND _scap_modern_bpf_missing)
  message(FATAL_ERROR "SCAP_BUILD_MODERN_BPF needs: ${_scap_modern_bpf_missing} (scripts/install-deps.sh installs them)")
elseif(NOT SCAP_BUILD_MODERN_BPF)
  if(_scap_modern_bpf_missing)
    message(STATUS "modern_bpf: not built, missing ${_scap_modern_bpf_missing} (libbpf-dev bpftool libelf-dev clang)")
  else()
    message(STATUS "modern_bpf: disabled (SCAP_BUILD_MODERN_BPF=OFF)")
  endif()
else()
  message(STATUS "modern_bpf: building the driver with ${SCAP_BPF_CLANG}, ${SCAP_BPFTOOL}, libbpf ${LIBBPF_VERSION}")
endif()

# scap_bpf_skeleton(NAME SOURCE OUT_DIR [INCLUDES dir...] [DEPENDS file...])
# Compiles one BPF C file against OUT_DIR/vmlinux.h (the caller makes sure it exists) and
# generates OUT_DIR/NAME.skel.h, a libbpf skeleton that embeds the object: nothing is needed at
# run time. Defines the target NAME_skeleton.
function(scap_bpf_skeleton name source out_dir)
  cmake_parse_arguments(ARG "" "" "INCLUDES;DEPENDS" ${ARGN})
  set(cflags -target bpf -O2 -g -D__TARGET_ARCH_x86 -Wall -Wextra -Wno-unused-parameter)
  if(SCAP_WERROR)
    list(APPEND cflags -Werror)
  endif()
  set(includes -I${out_dir})
  foreach(dir IN LISTS ARG_INCLUDES)
    list(APPEND includes -I${dir})
  endforeach()
  # DWARF is not needed once the skeleton is built (BTF stays): strip it to keep the header small.
  set(strip "")
  if(SCAP_LLVM_STRIP)
    set(strip COMMAND ${SCAP_LLVM_STRIP} -g ${out_dir}/${name}.bpf.o)
  endif()
  add_custom_command(OUTPUT ${out_dir}/${name}.bpf.o
    COMMAND ${SCAP_BPF_CLANG} ${cflags} ${includes} -c ${source} -o ${out_dir}/${name}.bpf.o
    ${strip}
    DEPENDS ${source} ${ARG_DEPENDS} ${out_dir}/vmlinux.h
    COMMENT "${name}: compiling the BPF object" VERBATIM)
  add_custom_command(OUTPUT ${out_dir}/${name}.skel.h
    COMMAND ${SCAP_BPFTOOL} gen skeleton ${out_dir}/${name}.bpf.o name ${name} > ${out_dir}/${name}.skel.h.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${out_dir}/${name}.skel.h.tmp ${out_dir}/${name}.skel.h
    DEPENDS ${out_dir}/${name}.bpf.o
    COMMENT "${name}: generating the skeleton" VERBATIM)
  add_custom_target(${name}_skeleton DEPENDS ${out_dir}/${name}.skel.h)
endfunction()
