# FindAsio: standalone Asio (https://think-async.com), header-only.
#
# Defines the imported target Asio::Asio and the variables Asio_FOUND,
# Asio_INCLUDE_DIR and Asio_VERSION. Honours Asio_ROOT / ASIO_ROOT.

find_path(Asio_INCLUDE_DIR NAMES asio.hpp
  HINTS ${Asio_ROOT} ${ASIO_ROOT} ENV ASIO_ROOT
  PATH_SUFFIXES include asio/include)

if(Asio_INCLUDE_DIR AND EXISTS "${Asio_INCLUDE_DIR}/asio/version.hpp")
  file(STRINGS "${Asio_INCLUDE_DIR}/asio/version.hpp" _asio_version_line
       REGEX "^#define ASIO_VERSION [0-9]+")
  string(REGEX REPLACE "^#define ASIO_VERSION ([0-9]+).*" "\\1" _asio_v "${_asio_version_line}")
  math(EXPR _asio_major "${_asio_v} / 100000")
  math(EXPR _asio_minor "${_asio_v} / 100 % 1000")
  math(EXPR _asio_patch "${_asio_v} % 100")
  set(Asio_VERSION "${_asio_major}.${_asio_minor}.${_asio_patch}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Asio
  REQUIRED_VARS Asio_INCLUDE_DIR
  VERSION_VAR Asio_VERSION)

if(Asio_FOUND AND NOT TARGET Asio::Asio)
  add_library(Asio::Asio INTERFACE IMPORTED)
  set_target_properties(Asio::Asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${Asio_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "ASIO_STANDALONE")
  if(NOT CMAKE_VERSION VERSION_LESS 3.21)
    # Keep Asio's own warnings out of the consumers' builds.
    set_target_properties(Asio::Asio PROPERTIES SYSTEM ON)
  endif()
endif()
mark_as_advanced(Asio_INCLUDE_DIR)
