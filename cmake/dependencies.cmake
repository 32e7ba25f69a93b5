# Every dependency comes from Debian packages (scripts/install-deps.sh installs them).
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# Rule files (libsinsp/rules) are YAML.
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
find_package(nlohmann_json 3 REQUIRED)
if(SCAP_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SCAP_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
