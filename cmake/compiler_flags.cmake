# Warnings are errors in our own code: keep them at zero.
set(SCAP_WARNINGS -Wall -Wextra -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND SCAP_WARNINGS -Wshadow=local)
endif()
if(SCAP_WERROR)
  list(APPEND SCAP_WARNINGS -Werror)
endif()
add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:${SCAP_WARNINGS}>")

if(SCAP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
