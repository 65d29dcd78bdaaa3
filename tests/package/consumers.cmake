# cmake -P script: see CMakeLists.txt beside it.
cmake_minimum_required(VERSION 3.20)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(JOIN " " cmd ${ARGN})
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

run(${CMAKE_COMMAND} --install "${SIPWS_BINARY_DIR}" --prefix "${prefix}")
foreach(f include/sipws/sipws.hpp include/sipws/version.hpp share/sipws/cmake/sipwsConfig.cmake
          share/sipws/cmake/sipwsConfigVersion.cmake share/sipws/cmake/sipwsTargets.cmake
          share/sipws/cmake/FindAsio.cmake share/pkgconfig/sipws.pc)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "install is missing ${f}")
  endif()
endforeach()

foreach(mode find_package add_subdirectory fetch_content)
  set(build "${WORK_DIR}/${mode}")
  run(${CMAKE_COMMAND} -S "${CMAKE_CURRENT_LIST_DIR}/consumer" -B "${build}" -G "${GENERATOR}"
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
      -DCMAKE_BUILD_TYPE=Release
      -DCONSUME=${mode}
      -DSIPWS_SOURCE_DIR=${SIPWS_SOURCE_DIR}
      -DCMAKE_PREFIX_PATH=${prefix})
  run(${CMAKE_COMMAND} --build "${build}")
  run("${build}/consumer")
  if(NOT last_output MATCHES "sipws [0-9]+\\.[0-9]+\\.[0-9]+ ok")
    message(FATAL_ERROR "${mode}: unexpected consumer output: ${last_output}")
  endif()
  message(STATUS "${mode}: ${last_output}")
endforeach()

# pkg-config: the .pc file alone must be enough to compile and link.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} "${prefix}/share/pkgconfig")
  run(${PKG_CONFIG} --cflags --libs sipws)
  string(STRIP "${last_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(${CXX_COMPILER} -std=c++17 ${flags} "${CMAKE_CURRENT_LIST_DIR}/consumer/main.cpp"
      -o "${WORK_DIR}/pc-consumer" ${flags})
  run("${WORK_DIR}/pc-consumer")
  message(STATUS "pkg-config: ${last_output}")
else()
  message(FATAL_ERROR "pkg-config is not installed")
endif()
