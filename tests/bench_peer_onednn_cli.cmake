# cnnbench --vs onednn and --vs onednn-nchw end to end, on the reference device: both peers run
# the same layers, each checked against the reference before it is timed (a wrong peer result
# is a layer without a ratio), and each gets its column and geomean. Skipped (SKIP:) where
# cnnbench was built without oneDNN.
#   cmake -DBENCH=path/to/cnnbench -P bench_peer_onednn_cli.cmake
set(a "mb1ic3ih12oc8oh12kh3ph1n\"a\"")
set(b "mb1ic16ih9oc24oh9kh1n\"b\"")
execute_process(COMMAND ${BENCH} --device ref --layer ${a} --layer ${b} --reps 2 --warmup 0
                        --vs onednn --vs onednn-nchw
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(err MATCHES "built without it")
  message("SKIP: cnnbench was built without oneDNN: ${err}")
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cnnbench --vs onednn --vs onednn-nchw failed (${rc}): ${err}\n${out}")
endif()
foreach(want "vs onednn +geomean [0-9.]+x over 2 layers"
             "vs onednn-nchw +geomean [0-9.]+x over 2 layers")
  if(NOT out MATCHES "${want}")
    message(FATAL_ERROR "no '${want}' in:\n${out}")
  endif()
endforeach()
