# Warning flags for the project's own targets (tests, examples, benchmarks).
add_library(sipws_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(sipws_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
elseif(MSVC)
  target_compile_options(sipws_warnings INTERFACE /W4 /permissive-)
endif()
option(SIPWS_WERROR "Treat warnings as errors in the project's own targets" OFF)
if(SIPWS_WERROR)
  if(MSVC)
    target_compile_options(sipws_warnings INTERFACE /WX)
  else()
    target_compile_options(sipws_warnings INTERFACE -Werror)
    # GCC 12's -Wmaybe-uninitialized reports std::optional members as
    # uninitialised at -O3 (false positives); it stays a warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(sipws_warnings INTERFACE -Wno-error=maybe-uninitialized)
    endif()
  endif()
endif()
