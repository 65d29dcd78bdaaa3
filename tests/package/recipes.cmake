# The vcpkg manifest carries a literal version (vcpkg requires one); this
# check keeps it equal to the one in version.hpp. The Conan recipe reads
# version.hpp itself, so it cannot drift.
file(READ "${SIPWS_SOURCE_DIR}/cmake/vcpkg/vcpkg.json" manifest)
string(JSON v GET "${manifest}" version)
if(NOT v STREQUAL EXPECTED)
  message(FATAL_ERROR "vcpkg.json has version ${v}, version.hpp has ${EXPECTED}")
endif()
file(READ "${SIPWS_SOURCE_DIR}/cmake/conan/conanfile.py" recipe)
if(NOT recipe MATCHES "version.hpp")
  message(FATAL_ERROR "conanfile.py does not take its version from version.hpp")
endif()
