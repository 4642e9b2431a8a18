# cnncl installed into a temporary prefix, then used the two ways users do: a CMake project
# with find_package(cnncl CONFIG) (examples/downstream) and a plain compiler call with
# pkg-config; each result must print the seed's worked example 1.
#   cmake -DBUILD=build/dir -DSRC=source/dir -DDIR=scratch -DCC=cc [-DCFLAGS=.. -DLDFLAGS=..]
#         -P downstream.cmake
# CFLAGS and LDFLAGS: the build's own (a sanitized library needs sanitized programs).
set(prefix ${DIR}/downstream-prefix)
file(REMOVE_RECURSE ${prefix} ${DIR}/downstream-build ${DIR}/downstream-pc)
set(want "  6   9  11\n 10   4   4\n  7   7   4\n")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN}: exit ${rc}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})
foreach(f include/cnncl.h include/cnncl_opencl.h include/cnncl_version.h lib/libcnncl.a
          lib/libcnncl.so.0 lib/pkgconfig/cnncl.pc lib/cmake/cnncl/cnnclConfig.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

# find_package
run(${CMAKE_COMMAND} -S ${SRC}/examples/downstream -B ${DIR}/downstream-build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${CC} "-DCMAKE_C_FLAGS=${CFLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${LDFLAGS}")
run(${CMAKE_COMMAND} --build ${DIR}/downstream-build)
run(${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${prefix}/lib ${DIR}/downstream-build/minimal)
if(NOT out STREQUAL want)
  message(FATAL_ERROR "find_package build printed:\n${out}")
endif()

# pkg-config
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run(${PKG_CONFIG} --cflags --libs cnncl)
string(STRIP "${out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
file(MAKE_DIRECTORY ${DIR}/downstream-pc)
separate_arguments(extra UNIX_COMMAND "${CFLAGS} ${LDFLAGS}")
run(${CC} ${extra} ${SRC}/examples/minimal.c ${flags} -o ${DIR}/downstream-pc/minimal)
run(${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${prefix}/lib ${DIR}/downstream-pc/minimal)
if(NOT out STREQUAL want)
  message(FATAL_ERROR "pkg-config build printed:\n${out}")
endif()
run(${PKG_CONFIG} --modversion cnncl)
message(STATUS "downstream: find_package and pkg-config builds against cnncl ${out}")
