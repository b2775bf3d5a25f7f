# SHMCOUNT_PYTHON: the one Python 3 that the tools, the man pages and the tests run, found once
# here and used everywhere (CMakeLists.txt, tests/CMakeLists.txt, the Makefile reads it from the
# cache). The analysis needs numpy, scipy and matplotlib, so the interpreter found is the first
# of /usr/bin/python3 (Debian's, where scripts/setup.sh installs them) and the python3 programs
# on PATH that imports all three; a python3 without them (a pyenv one) is passed over.
# -DSHMCOUNT_PYTHON=/path chooses another; it is checked the same way.
set(shmcount_python_modules matplotlib numpy scipy)

function(shmcount_python_has_modules python result)
  execute_process(COMMAND ${python} -c "import matplotlib, numpy, scipy" RESULT_VARIABLE rc
                  OUTPUT_QUIET ERROR_QUIET TIMEOUT 60)
  if(rc EQUAL 0)
    set(${result} ON PARENT_SCOPE)
  else()
    set(${result} OFF PARENT_SCOPE)
  endif()
endfunction()

if(DEFINED CACHE{SHMCOUNT_PYTHON})
  shmcount_python_has_modules(${SHMCOUNT_PYTHON} ok)
  if(NOT ok)
    message(WARNING "SHMCOUNT_PYTHON=${SHMCOUNT_PYTHON} cannot import "
                    "${shmcount_python_modules}: make plots, compare and the analysis tests will "
                    "fail (Debian: apt-get install python3-matplotlib python3-numpy python3-scipy)")
  endif()
else()
  set(candidates /usr/bin/python3)
  find_program(shmcount_path_python NAMES python3 NO_CACHE)
  if(shmcount_path_python)
    list(APPEND candidates ${shmcount_path_python})
  endif()
  # Every python3 on PATH, not only the first (a pyenv shim usually comes first).
  string(REPLACE ":" ";" path_dirs "$ENV{PATH}")
  foreach(dir IN LISTS path_dirs)
    if(EXISTS "${dir}/python3" AND NOT IS_DIRECTORY "${dir}/python3")
      list(APPEND candidates "${dir}/python3")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES candidates)
  set(found "")
  foreach(candidate IN LISTS candidates)
    if(EXISTS ${candidate})
      shmcount_python_has_modules(${candidate} ok)
      if(ok)
        set(found ${candidate})
        break()
      endif()
    endif()
  endforeach()
  if(NOT found)
    set(found /usr/bin/python3)
    message(WARNING "no python3 that imports ${shmcount_python_modules} (tried ${candidates}): "
                    "using ${found}; make plots, compare and the analysis tests need them "
                    "(Debian: apt-get install python3-matplotlib python3-numpy python3-scipy)")
  endif()
  set(SHMCOUNT_PYTHON ${found} CACHE FILEPATH
      "Python 3 with matplotlib, numpy and scipy, for the tools, man pages and tests")
endif()
message(STATUS "Python: ${SHMCOUNT_PYTHON}")
