# vcpkg port for sipws (header-only). Copy this folder to ports/sipws in a
# vcpkg checkout or an overlay-ports directory; REF and SHA512 name the release.
vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO sipws/sipws
    REF "v${VERSION}"
    SHA512 0
    HEAD_REF main
)

# zlib (permessage-deflate) only with the "deflate" feature, even when
# another port has installed it.
set(SIPWS_ZLIB_OPTION "")
if(NOT "deflate" IN_LIST FEATURES)
    set(SIPWS_ZLIB_OPTION -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON)
endif()

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        ${SIPWS_ZLIB_OPTION}
        -DSIPWS_BUILD_TESTS=OFF
        -DSIPWS_BUILD_EXAMPLES=OFF
        -DSIPWS_BUILD_BENCHMARKS=OFF
        -DSIPWS_BUILD_FUZZERS=OFF
        -DSIPWS_INSTALL=ON
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/sipws/cmake)
vcpkg_fixup_pkgconfig()

# Header-only: nothing is built per configuration.
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
