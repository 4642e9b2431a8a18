# cnnfilter end to end on tests/data (two RGB PNGs of one size, an RGBA PNG, a PGM and a file
# that is not an image): a folder in, a folder out; the three 16x12 images go as one batch;
# the bad file is reported by name while the others are written (exit 1); nothing is replaced
# without --force; --each, --grid and --verify; usage errors exit 2.
#   cmake -DCNNFILTER=path -DDATA=tests/data -DDIR=scratch -P cnnfilter_cli.cmake
set(out ${DIR}/cnnfilter-cli)
file(REMOVE_RECURSE ${out} ${DIR}/cnnfilter-grid.png)

function(run expect_rc)
  execute_process(COMMAND ${CNNFILTER} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o
                  ERROR_VARIABLE e)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "cnnfilter ${ARGN}: exit ${rc}, expected ${expect_rc}\n${o}\n${e}")
  endif()
  set(stdout "${o}" PARENT_SCOPE)
  set(stderr "${e}" PARENT_SCOPE)
endfunction()

function(expect text where)
  if(NOT where MATCHES "${text}")
    message(FATAL_ERROR "expected '${text}' in:\n${where}")
  endif()
endfunction()

run(1 --device cpu --batch 4 -f sharpen -f maxpool:2 ${DATA} -o ${out} --verify)
expect("not-an-image.png: not an image" "${stderr}")
# rgb-a, rgb-b and rgba (16x12; its alpha dropped: RGB too) in one batch, gray (10x8) alone.
expect("4 of 5 image\\(s\\) written to .*, 2 batch\\(es\\)" "${stderr}")
expect("\\[#+\\] 5/5" "${stderr}")
expect("verify: 4 image\\(s\\), largest difference [0-9.e+-]+, 0 above the bound" "${stdout}")
foreach(f rgb-a rgb-b rgba gray)
  if(NOT EXISTS ${out}/${f}.png)
    message(FATAL_ERROR "no ${out}/${f}.png")
  endif()
endforeach()
file(TIMESTAMP ${out}/rgb-a.png before)

# Again: every output exists, none is replaced.
run(1 --device cpu -f sharpen ${DATA} -o ${out})
expect("rgb-a.png: .*rgb-a.png exists \\(--force replaces it\\)" "${stderr}")
expect("0 of 5 image\\(s\\) written" "${stderr}")
run(1 --device cpu -f sharpen ${DATA} -o ${out} --force)
expect("4 of 5 image\\(s\\) written" "${stderr}")

# The seed's table over one image, each filter alone, with its contact sheet.
run(0 --device cpu --each -f identity -f edge1 -f edge2 -f edge3 -f sharpen -f boxblur
    --scale abs ${DATA}/rgb-a.png -o ${out}/table --grid ${DIR}/cnnfilter-grid.png --verify)
expect("rgb-a.png edge3: max \\|device - reference\\|" "${stdout}")
foreach(f identity edge1 edge2 edge3 sharpen boxblur)
  if(NOT EXISTS ${out}/table/rgb-a-${f}.png)
    message(FATAL_ERROR "no ${out}/table/rgb-a-${f}.png")
  endif()
endforeach()
if(NOT EXISTS ${DIR}/cnnfilter-grid.png)
  message(FATAL_ERROR "no contact sheet")
endif()

# Usage errors.
run(2 -f edge9 ${DATA}/rgb-a.png -o ${out}/x.png)
expect("unknown stage \"edge9\"" "${stderr}")
run(2 --kernel "1,x" ${DATA}/rgb-a.png -o ${out}/x.png)
expect("\"x\" is not a number" "${stderr}")
run(2 ${DATA}/rgb-a.png -o ${out}/x.png)
expect("no stage" "${stderr}")
