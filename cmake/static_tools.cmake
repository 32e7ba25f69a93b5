# The command-line tools (scapdig, scap-open) link re2, yaml-cpp, libbpf and libelf from their
# static archives, and libstdc++/libgcc statically. On this VM that made a full replay 7 % faster
# (82.7 -> 76.9 ms, median of 21 alternated runs, proposal 0009): fewer libraries for the loader
# to map and relocate (each first touch of a page costs ~20 us here) and direct calls where
# calls into a shared libstdc++ go through the PLT. The libraries themselves, the tests and
# whatever links them from an install are unchanged: a target opts in with the property
# SCAP_STATIC_DEPS. zlib and ISA-L stay shared (ISA-L ships no archive).
#
# Not under the sanitizers: a static libstdc++ would define operator new in the executable and
# hide ASan's.
option(SCAP_STATIC_TOOLS "Link the tools with static re2, yaml-cpp, libbpf, libelf and libstdc++" ON)

# Makes an imported pkg-config target link `archives` for consumers with SCAP_STATIC_DEPS set and
# what it linked before for the others.
function(scap_static_alternative target)
  set(archives ${ARGN})
  get_target_property(shared ${target} INTERFACE_LINK_LIBRARIES)
  set(static_on "$<BOOL:$<TARGET_PROPERTY:SCAP_STATIC_DEPS>>")
  set(libs "")
  foreach(lib IN LISTS shared)
    list(APPEND libs "$<$<NOT:${static_on}>:${lib}>")
  endforeach()
  foreach(lib IN LISTS archives)
    list(APPEND libs "$<${static_on}:${lib}>")
  endforeach()
  set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES "${libs}")
endfunction()

set(SCAP_STATIC_TOOLS_ACTIVE OFF)
if(SCAP_STATIC_TOOLS AND NOT SCAP_SANITIZE)
  find_library(SCAP_RE2_ARCHIVE NAMES libre2.a)
  find_library(SCAP_YAMLCPP_ARCHIVE NAMES libyaml-cpp.a)
  set(_scap_archives_missing "")
  foreach(a SCAP_RE2_ARCHIVE SCAP_YAMLCPP_ARCHIVE)
    if(NOT ${a})
      list(APPEND _scap_archives_missing ${a})
    endif()
  endforeach()
  if(TARGET PkgConfig::LIBBPF)
    find_library(SCAP_BPF_ARCHIVE NAMES libbpf.a)
    find_library(SCAP_ELF_ARCHIVE NAMES libelf.a)
    if(NOT SCAP_BPF_ARCHIVE OR NOT SCAP_ELF_ARCHIVE)
      list(APPEND _scap_archives_missing "libbpf.a/libelf.a")
    endif()
  endif()
  if(_scap_archives_missing)
    message(STATUS "tools: linked against shared libraries (no static archive: ${_scap_archives_missing})")
  else()
    set(SCAP_STATIC_TOOLS_ACTIVE ON)
    scap_static_alternative(PkgConfig::RE2 ${SCAP_RE2_ARCHIVE})
    scap_static_alternative(PkgConfig::YAMLCPP ${SCAP_YAMLCPP_ARCHIVE})
    if(TARGET PkgConfig::LIBBPF)
      # libelf.a needs zlib, which stays shared.
      scap_static_alternative(PkgConfig::LIBBPF ${SCAP_BPF_ARCHIVE} ${SCAP_ELF_ARCHIVE} ZLIB::ZLIB)
    endif()
    message(STATUS "tools: static re2, yaml-cpp, libbpf, libelf and libstdc++")
  endif()
endif()

# Applies the above to a tool's executable.
function(scap_static_tool target)
  if(SCAP_STATIC_TOOLS_ACTIVE)
    set_target_properties(${target} PROPERTIES SCAP_STATIC_DEPS ON)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
endfunction()
