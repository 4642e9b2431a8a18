# cnnbench --vs-json end to end, on the reference device (no OpenCL needed): a run written with
# --json is read back as a peer column; a layer the file lacks gets no ratio; a bad file is a
# usage error (exit 2) that names the file.
#   cmake -DBENCH=path/to/cnnbench -DDIR=scratch -P bench_vs_json_cli.cmake
set(a "mb1ic3ih12oc8oh12kh3ph1n\"a\"")
set(b "mb1ic4ih9oc5oh9kh1n\"b\"")
execute_process(COMMAND ${BENCH} --device ref --layer ${a} --reps 2 --warmup 0
                        --json ${DIR}/vs-json-run.json
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cnnbench --json failed (${rc}): ${err}")
endif()
execute_process(COMMAND ${BENCH} --device ref --layer ${a} --layer ${b} --reps 2 --warmup 0
                        --vs-json ${DIR}/vs-json-run.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cnnbench --vs-json failed (${rc}): ${err}\n${out}")
endif()
foreach(want "vs cnncl" "vs cnncl +geomean [0-9.]+x over 1 layer " "no layer of this shape")
  if(NOT out MATCHES "${want}")
    message(FATAL_ERROR "cnnbench --vs-json: no '${want}' in:\n${out}")
  endif()
endforeach()
file(WRITE ${DIR}/vs-json-bad.json "{\"layers\": [}")
execute_process(COMMAND ${BENCH} --device ref --layer ${a} --vs-json ${DIR}/vs-json-bad.json
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "vs-json-bad.json: not JSON: line 1, column 13")
  message(FATAL_ERROR "a bad --vs-json file: exit ${rc}, '${err}'")
endif()
