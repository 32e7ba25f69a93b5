# Warnings are errors in our own code: keep them at zero.
set(SCAP_WARNINGS -Wall -Wextra -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND SCAP_WARNINGS -Wshadow=local)
endif()
if(SCAP_WERROR)
  list(APPEND SCAP_WARNINGS -Werror)
endif()
add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:${SCAP_WARNINGS}>")

# The fuzz build instruments the libraries themselves (not only the harnesses) for libFuzzer's
# coverage feedback, always with ASan + UBSan; the harnesses link -fsanitize=fuzzer.
if(SCAP_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SCAP_BUILD_FUZZERS needs clang (-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++)")
  endif()
  set(SCAP_SANITIZE ON)
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=fuzzer-no-link>")
  add_link_options(-fsanitize=fuzzer-no-link)
endif()

if(SCAP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
