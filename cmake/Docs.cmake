# Documentation: the API reference and the man pages. Included at the end of the top-level
# CMakeLists.txt, once the tools' targets exist (after include(GNUInstallDirs)).
#
# -DCNNCL_BUILD_DOCS=ON: the target docs (part of ALL) runs Doxygen (Debian: doxygen) over the
# public headers (cmake/Doxyfile.in) into <build>/docs/html, installed to
# ${CMAKE_INSTALL_DOCDIR}/html. Every public function, type, enum value, struct field and
# macro must be documented: any Doxygen warning fails the build.
#
# Always: the man pages of cnnbench and cnnfilter are installed with the tools, and the test
# test_man_pages checks that each names the same options as the tool's --help.

option(CNNCL_BUILD_DOCS "Build the API reference (Doxygen)" OFF)

if(CNNCL_BUILD_DOCS)
  find_package(Doxygen REQUIRED COMPONENTS doxygen)
  # FAIL_ON_WARNINGS (doxygen 1.9.0 and later): every warning is reported, then doxygen exits
  # non-zero. Older ones stop at the first warning instead.
  if(DOXYGEN_VERSION VERSION_GREATER_EQUAL 1.9.0)
    set(CNNCL_DOCS_WARN_AS_ERROR FAIL_ON_WARNINGS)
  else()
    set(CNNCL_DOCS_WARN_AS_ERROR YES)
  endif()

  set(CNNCL_DOCS_OUTPUT_DIR ${PROJECT_BINARY_DIR}/docs)
  # The version header, generated from include/cnncl_version.h.in by the top-level file.
  set(CNNCL_DOCS_VERSION_HEADER ${PROJECT_BINARY_DIR}/include/cnncl_version.h)
  if(NOT EXISTS ${CNNCL_DOCS_VERSION_HEADER})
    message(FATAL_ERROR "CNNCL_BUILD_DOCS: ${CNNCL_DOCS_VERSION_HEADER} is not generated yet: "
                        "include cmake/Docs.cmake after its configure_file()")
  endif()
  get_filename_component(CNNCL_DOCS_VERSION_HEADER_DIR ${CNNCL_DOCS_VERSION_HEADER} DIRECTORY)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/Doxyfile.in ${CNNCL_DOCS_OUTPUT_DIR}/Doxyfile
                 @ONLY)

  # The stamp is written only when doxygen succeeds, so that a failed run is run again by the
  # next build instead of leaving a half-made reference that looks up to date.
  set(CNNCL_DOCS_STAMP ${CNNCL_DOCS_OUTPUT_DIR}/docs.stamp)
  add_custom_command(
    OUTPUT ${CNNCL_DOCS_STAMP}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${CNNCL_DOCS_OUTPUT_DIR}/html ${CNNCL_DOCS_STAMP}
    COMMAND ${DOXYGEN_EXECUTABLE} ${CNNCL_DOCS_OUTPUT_DIR}/Doxyfile
    COMMAND ${CMAKE_COMMAND} -E touch ${CNNCL_DOCS_STAMP}
    DEPENDS ${PROJECT_SOURCE_DIR}/include/cnncl.h
            ${PROJECT_SOURCE_DIR}/include/cnncl_opencl.h
            ${CNNCL_DOCS_VERSION_HEADER}
            ${CNNCL_DOCS_OUTPUT_DIR}/Doxyfile
    WORKING_DIRECTORY ${CNNCL_DOCS_OUTPUT_DIR}
    COMMENT "Doxygen: the API reference in ${CNNCL_DOCS_OUTPUT_DIR}/html (warnings fail)"
    VERBATIM)
  add_custom_target(docs ALL DEPENDS ${CNNCL_DOCS_STAMP})
  install(DIRECTORY ${CNNCL_DOCS_OUTPUT_DIR}/html/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/html)
  message(STATUS "API reference: target docs, doxygen ${DOXYGEN_VERSION} "
                 "(WARN_AS_ERROR = ${CNNCL_DOCS_WARN_AS_ERROR})")
endif()

# The man pages, with the tools they describe (cmake/Install.cmake installs a tool only where
# it is built).
if(TARGET cnnbench)
  install(FILES ${PROJECT_SOURCE_DIR}/bench/cnnbench.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
if(TARGET cnnfilter)
  install(FILES ${PROJECT_SOURCE_DIR}/examples/cnnfilter/cnnfilter.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# --help and the man page of each tool name the same options (tests/man_matches_help.cmake).
if((BUILD_TESTING OR CNNCL_BUILD_TESTS) AND (TARGET cnnbench OR TARGET cnnfilter))
  set(cnncl_man_test_args "")
  if(TARGET cnnbench)
    list(APPEND cnncl_man_test_args -DCNNBENCH=$<TARGET_FILE:cnnbench>)
  endif()
  if(TARGET cnnfilter)
    list(APPEND cnncl_man_test_args -DCNNFILTER=$<TARGET_FILE:cnnfilter>)
  endif()
  add_test(NAME test_man_pages
           COMMAND ${CMAKE_COMMAND} ${cnncl_man_test_args} -DSRC=${PROJECT_SOURCE_DIR}
                   -P ${PROJECT_SOURCE_DIR}/tests/man_matches_help.cmake)
  set_tests_properties(test_man_pages PROPERTIES LABELS "unit;docs" TIMEOUT 60)
  unset(cnncl_man_test_args)
endif()
