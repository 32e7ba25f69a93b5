# Every dependency comes from Debian packages (scripts/install-deps.sh installs them).
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
if(SCAP_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SCAP_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
