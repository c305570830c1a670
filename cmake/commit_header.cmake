# Writes atf_commit.h with the commit the binary is built from, so that
# `airbyte-to-flow --version` names it. Run at every build; the header is
# rewritten only when the commit changed (no needless rebuilds).
#   -DSOURCE_DIR=... -DOUTPUT=... [-DFORCED=<commit>]
if(FORCED)
  set(commit "${FORCED}")
else()
  execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=7 HEAD
                  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
  if(failed OR commit STREQUAL "")
    set(commit "unknown")
  endif()
endif()
set(content "#pragma once\n#define ATF_COMMIT \"${commit}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" existing)
endif()
if(NOT existing STREQUAL content)
  file(WRITE "${OUTPUT}" "${content}")
endif()
