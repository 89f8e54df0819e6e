# Writes version.hpp with the current `git describe` at build time, touching
# the file only when the text changes (so nothing rebuilds needlessly).
execute_process(COMMAND git -C ${SOURCE_DIR} describe --always --dirty --abbrev=12
                OUTPUT_VARIABLE PBSIM_SOURCE_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT PBSIM_SOURCE_REVISION)
  set(PBSIM_SOURCE_REVISION "unknown")
endif()
configure_file(${INPUT} ${OUTPUT}.tmp @ONLY)
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
