# test_man_pages: each tool's man page names the same options as its --help, so that the two
# say the same things.
#
#   cmake -DCNNBENCH=<cnnbench> -DCNNFILTER=<cnnfilter> -DSRC=<source tree>
#         -P tests/man_matches_help.cmake
#
# CNNBENCH or CNNFILTER may be left out (that tool is not checked); at least one is needed.
#
# An option is a token "--name" or "-x" (a letter after the dash, then letters, digits and
# dashes) at the start of the text or after a character that is not a letter, digit, '_' or
# '-': "GPU-shaped", "1e-5" and "-1,5" are not options; "--alg=max" is "--alg". The help is
# read as the tool prints it; the man page as troff source: comment lines and comments are
# dropped, "\-" is "-", and font changes and other escapes are removed.
#
# The man pages also name the options that print the help and the version, which the help texts
# do not list: those (and only those) may be in a man page and not in the help, and each is run
# to check that the tool takes it (exit status 0, some output).

cmake_minimum_required(VERSION 3.25)

if(NOT SRC)
  message(FATAL_ERROR "man_matches_help.cmake: give -DSRC=<source tree>")
endif()
if(NOT CNNBENCH AND NOT CNNFILTER)
  message(FATAL_ERROR "man_matches_help.cmake: give -DCNNBENCH=<path> and/or -DCNNFILTER=<path>")
endif()

# The options in text, sorted, without duplicates, into out_var.
function(options_of text out_var)
  # ';' separates CMake list items and '[' ']' group them: neither is part of an option.
  string(REPLACE ";" " " text "${text}")
  string(REPLACE "[" " " text "${text}")
  string(REPLACE "]" " " text "${text}")
  string(REGEX MATCHALL "[^A-Za-z0-9_-]--?[A-Za-z][A-Za-z0-9-]*" found "\n${text}")
  set(options "")
  foreach(m IN LISTS found)
    string(SUBSTRING "${m}" 1 -1 opt)
    string(REGEX REPLACE "-+$" "" opt "${opt}")
    list(APPEND options "${opt}")
  endforeach()
  list(REMOVE_DUPLICATES options)
  list(SORT options)
  set(${out_var} "${options}" PARENT_SCOPE)
endfunction()

# The text of a troff (man(7)) source, with its escapes removed, into out_var.
function(troff_text path out_var)
  file(READ "${path}" t)
  # Comment lines (.\" ...), then comments at the end of lines (\" ...).
  string(REGEX REPLACE "(^|\n)[.'][ \t]*\\\\\"[^\n]*" "\\1" t "${t}")
  string(REGEX REPLACE "\\\\\"[^\n]*" "" t "${t}")
  # \- is a minus sign: how man pages write the dashes of options.
  string(REPLACE "\\-" "-" t "${t}")
  # Fonts: \fB, \fI, \fR, \fP, \f(CW, \f[CR].
  string(REGEX REPLACE "\\\\f(\\([A-Za-z0-9][A-Za-z0-9]|\\[[^]\n]*\\]|[A-Za-z0-9])" "" t "${t}")
  # Named characters: \(aq, \(em, \[aq], ... as a space (none of them is part of an option).
  string(REGEX REPLACE "\\\\(\\([^\n][^\n]|\\[[^]\n]*\\])" " " t "${t}")
  # \e (a backslash), \& \% \: \c \| \^ \) (zero-width or joins), "\ " (a space).
  string(REPLACE "\\ " " " t "${t}")
  string(REGEX REPLACE "\\\\[e&%:c|^)]" "" t "${t}")
  set(${out_var} "${t}" PARENT_SCOPE)
endfunction()

set(failures "")

# check(<name> <executable> <man page> <options the man page may add>...)
function(check name exe page)
  set(may_add ${ARGN})
  if(NOT EXISTS "${page}")
    set(failures "${failures}\n${name}: no man page ${page}" PARENT_SCOPE)
    return()
  endif()
  execute_process(COMMAND "${exe}" --help RESULT_VARIABLE rc OUTPUT_VARIABLE help
                  ERROR_VARIABLE help_err)
  if(NOT rc EQUAL 0)
    set(failures "${failures}\n${name}: ${exe} --help exited with ${rc}: ${help_err}"
        PARENT_SCOPE)
    return()
  endif()
  options_of("${help}" in_help)
  troff_text("${page}" man_text)
  options_of("${man_text}" in_man)
  list(LENGTH in_help n_help)
  list(LENGTH in_man n_man)
  if(n_help LESS 5)
    set(failures "${failures}\n${name}: only ${n_help} options found in --help (${in_help}): "
                 "is the help text still read right?" PARENT_SCOPE)
    return()
  endif()

  set(help_only "")
  foreach(opt IN LISTS in_help)
    if(NOT opt IN_LIST in_man)
      list(APPEND help_only ${opt})
    endif()
  endforeach()
  set(man_only "")
  set(added "")
  foreach(opt IN LISTS in_man)
    if(opt IN_LIST in_help)
      continue()
    elseif(opt IN_LIST may_add)
      list(APPEND added ${opt})
    else()
      list(APPEND man_only ${opt})
    endif()
  endforeach()

  set(msg "")
  if(help_only)
    list(JOIN help_only " " s)
    string(APPEND msg "\n${name}: in --help, not in the man page ${page}: ${s}")
  endif()
  if(man_only)
    list(JOIN man_only " " s)
    string(APPEND msg "\n${name}: in the man page ${page}, not in --help: ${s}")
  endif()
  # The help and version options the man page adds: the tool must take them.
  foreach(opt IN LISTS added)
    execute_process(COMMAND "${exe}" ${opt} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                    ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR out STREQUAL "")
      string(APPEND msg "\n${name}: the man page names ${opt}, but '${exe} ${opt}' exited "
                        "with ${rc} (${err})")
    endif()
  endforeach()
  if(msg)
    set(failures "${failures}${msg}" PARENT_SCOPE)
  else()
    list(JOIN in_help " " s)
    message(STATUS "${name}: --help and ${page} name the same ${n_help} options: ${s}")
    if(added)
      list(JOIN added " " s)
      message(STATUS "${name}: the man page also names ${s} (taken: checked)")
    endif()
  endif()
endfunction()

if(CNNBENCH)
  check(cnnbench "${CNNBENCH}" "${SRC}/bench/cnnbench.1" -h --help --version)
endif()
if(CNNFILTER)
  check(cnnfilter "${CNNFILTER}" "${SRC}/examples/cnnfilter/cnnfilter.1" -h --help)
endif()

if(failures)
  message(FATAL_ERROR "--help and the man pages disagree:${failures}\n"
          "Document each option in both (the help text and the man page), or in neither.")
endif()
