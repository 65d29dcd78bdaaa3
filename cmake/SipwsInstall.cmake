# Install rules: headers, the exported target, a CMake package config with
# version file, the Asio finder it depends on, and a pkg-config file.
include(CMakePackageConfigHelpers)

set(SIPWS_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/sipws/cmake" CACHE STRING
    "Where to install sipwsConfig.cmake (relative to the prefix)")

install(TARGETS sipws EXPORT sipwsTargets)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/sipws" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT sipwsTargets NAMESPACE sipws:: DESTINATION "${SIPWS_INSTALL_CMAKEDIR}")

# zlib (permessage-deflate) is a dependency of the package when this build
# found it, as the CMake target links it then.
set(SIPWS_PACKAGE_ZLIB FALSE)
set(SIPWS_PC_REQUIRES "openssl >= 1.1.1")
set(SIPWS_PC_CFLAGS "")
if(ZLIB_FOUND)
  set(SIPWS_PACKAGE_ZLIB TRUE)
  string(APPEND SIPWS_PC_REQUIRES " zlib")
  string(APPEND SIPWS_PC_CFLAGS " -DSIPWS_HAS_ZLIB=1")
endif()
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/sipwsConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/sipwsConfig.cmake"
  INSTALL_DESTINATION "${SIPWS_INSTALL_CMAKEDIR}")
# A header-only library has no ABI: any compiler may consume it.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/sipwsConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion
  ARCH_INDEPENDENT)
install(FILES
  "${PROJECT_BINARY_DIR}/sipwsConfig.cmake"
  "${PROJECT_BINARY_DIR}/sipwsConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/FindAsio.cmake"
  DESTINATION "${SIPWS_INSTALL_CMAKEDIR}")

configure_file("${PROJECT_SOURCE_DIR}/cmake/sipws.pc.in" "${PROJECT_BINARY_DIR}/sipws.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/sipws.pc" DESTINATION "${CMAKE_INSTALL_DATADIR}/pkgconfig")
