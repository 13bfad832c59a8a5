# Runs the generator twice into separate folders and fails if the outputs differ.
foreach(run a b)
  file(REMOVE_RECURSE ${OUT}/${run})
  execute_process(COMMAND ${PYTHON} ${SRC}/codegen/generate.py ${SRC}/protocol ${OUT}/${run} --fill
                  COMMAND_ERROR_IS_FATAL ANY)
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files --ignore-eol ${OUT}/a/eddy/msg/registry.h ${OUT}/b/eddy/msg/registry.h
                RESULT_VARIABLE same_registry)
execute_process(COMMAND diff -r ${OUT}/a ${OUT}/b RESULT_VARIABLE differ OUTPUT_VARIABLE diff_out)
if(NOT differ EQUAL 0 OR NOT same_registry EQUAL 0)
  message(FATAL_ERROR "generator output differs between two runs:\n${diff_out}")
endif()
message(STATUS "generator output identical across two runs")
