# cnncl_embed_kernels(<out_var> [<file.cl>...])
#
# Embeds OpenCL kernel sources into the library as unsigned char arrays, so the
# library never reads kernel files at run time. Sets <out_var> in the caller's
# scope to the generated C file, ${CMAKE_BINARY_DIR}/generated/kernel_sources.c,
# which defines cnn_kernel_sources[] and cnn_kernel_source_count (declared in
# host/kernel_sources.h). Add it to the target that has host/ on its include path.
#
# The file is written at build time by EmbedKernelsScript.cmake, so editing a .cl
# file only regenerates and recompiles that one C file. Pure CMake: no Python.

# Captured at include() time: inside the function CMAKE_CURRENT_LIST_DIR is the caller's.
set(_CNNCL_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/EmbedKernelsScript.cmake")

function(cnncl_embed_kernels out_var)
  set(out "${CMAKE_BINARY_DIR}/generated/kernel_sources.c")
  set(inputs ${ARGN})
  list(SORT inputs) # stable array order, whatever order the glob gave

  # Two kernels with one file name would be ambiguous at lookup time.
  set(names "")
  foreach(path IN LISTS inputs)
    get_filename_component(name "${path}" NAME)
    if(name IN_LIST names)
      message(FATAL_ERROR "cnncl_embed_kernels: two kernels named '${name}'")
    endif()
    list(APPEND names "${name}")
  endforeach()

  # Make cannot see a changed command line, so a removed kernel would leave a
  # stale entry. The list is also written to a file that the rule depends on;
  # file(CONFIGURE) only rewrites it (and bumps its mtime) when the list changes.
  set(manifest "${CMAKE_BINARY_DIR}/generated/kernel_sources.list")
  string(REPLACE ";" "\n" manifest_text "${inputs}")
  file(CONFIGURE OUTPUT "${manifest}" CONTENT "${manifest_text}\n" @ONLY)

  list(LENGTH inputs count)
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" "-DOUT=${out}" "-DINPUTS=${inputs}"
            -P "${_CNNCL_EMBED_SCRIPT}"
    DEPENDS ${inputs} "${_CNNCL_EMBED_SCRIPT}" "${manifest}"
    COMMENT "Embedding ${count} OpenCL kernel source(s) into kernel_sources.c"
    VERBATIM)

  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
