# Installing cnncl: the shared and static libraries, the public headers, the tools, a CMake
# package (find_package(cnncl CONFIG) gives cnncl::cnncl, the shared library, and
# cnncl::cnncl_static; OpenCL and Threads are found for the user) and a pkg-config file.
# A Debian package comes from the same rules (cpack -G DEB).
include(CMakePackageConfigHelpers)

install(TARGETS cnncl_shared cnncl EXPORT cnnclTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/cnncl.h ${PROJECT_SOURCE_DIR}/include/cnncl_opencl.h
              ${PROJECT_BINARY_DIR}/include/cnncl_version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET cnnbench)
  install(TARGETS cnnbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/bench/suites/
          DESTINATION ${CMAKE_INSTALL_DATADIR}/cnncl/suites FILES_MATCHING PATTERN "*.txt")
endif()
if(TARGET cnnfilter)
  install(TARGETS cnnfilter RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(CNNCL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cnncl)
install(EXPORT cnnclTargets NAMESPACE cnncl:: DESTINATION ${CNNCL_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cnnclConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cnnclConfig.cmake INSTALL_DESTINATION ${CNNCL_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cnnclConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cnnclConfig.cmake ${PROJECT_BINARY_DIR}/cnnclConfigVersion.cmake
        DESTINATION ${CNNCL_CMAKE_DIR})

file(RELATIVE_PATH CNNCL_PC_PREFIX_FROM_PCDIR ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/cnncl.pc.in ${PROJECT_BINARY_DIR}/cnncl.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cnncl.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The Debian package: everything above, with the run-time dependencies of Debian 12.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cnncl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "cnncl developers <cnncl@localhost>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
# The packaged files live under /usr: configure the package's build with
# -DCMAKE_INSTALL_PREFIX=/usr (scripts/package does), so that the paths compiled into cnnbench
# (its suites) are where the package puts them.
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# Dependencies from the binaries themselves (dpkg-shlibdeps: OpenCL, libpng and libstb for
# cnnfilter, and oneDNN or CLBlast when cnnbench was built with them).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pocl-opencl-icd | opencl-icd")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "A portable convolution engine on OpenCL\n cnncl runs conv2d (direct, implicit GEMM, 1x1, Winograd, depthwise), pooling\n and bias + ReLU on any OpenCL device, verified against its CPU reference.\n Includes cnnbench and cnnfilter.")
include(CPack)
