# Installs libraries, headers, a CMake package (find_package(scap)) and pkg-config files.
include(CMakePackageConfigHelpers)
set(SCAP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/scap)
install(EXPORT scapTargets NAMESPACE scap:: DESTINATION ${SCAP_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/scapConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/scapConfig.cmake INSTALL_DESTINATION ${SCAP_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/scapConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/scapConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/scapConfigVersion.cmake
  DESTINATION ${SCAP_CMAKE_DIR})
set(SCAP_PC_REQUIRES_PRIVATE zlib)
if(SCAP_HAVE_ISAL)
  string(APPEND SCAP_PC_REQUIRES_PRIVATE " libisal")
endif()
if(SCAP_BUILD_MODERN_BPF)
  string(APPEND SCAP_PC_REQUIRES_PRIVATE " libbpf")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/libscap.pc.in ${CMAKE_CURRENT_BINARY_DIR}/libscap.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/libscap.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
