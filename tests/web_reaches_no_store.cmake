# Fails when a file in web/ reaches the store itself: includes store.hpp, names Store by
# reference or pointer, or reads a `store` member (`s.store.`, `services().store.`). Handlers
# work through the engine's services (web/app.hpp's Services::engine).
#   cmake -DWEB_DIR=/path/to/web -P web_reaches_no_store.cmake
#
# No file is exempt: the composition root that builds the store lives in plugins/app.
cmake_minimum_required(VERSION 3.20)

set(exempt)

if(NOT WEB_DIR)
  message(FATAL_ERROR "web_reaches_no_store: pass -DWEB_DIR=...")
endif()
file(GLOB_RECURSE sources RELATIVE ${WEB_DIR} ${WEB_DIR}/*.cpp ${WEB_DIR}/*.hpp)
if(NOT sources)
  message(FATAL_ERROR "web_reaches_no_store: no sources under ${WEB_DIR}")
endif()
set(found "")
foreach(source IN LISTS sources)
  if(source IN_LIST exempt)
    continue()
  endif()
  file(STRINGS ${WEB_DIR}/${source} lines)
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "#[ \t]*include[ \t]*[<\"]store\\.hpp[>\"]"
       OR line MATCHES "(^|[^A-Za-z0-9_])Store[ \t]*[&*>]"
       OR line MATCHES "(\\.|->)store([^A-Za-z0-9_]|$)")
      string(APPEND found "  web/${source}:${number}: ${line}\n")
    endif()
  endforeach()
endforeach()
if(found)
  message(FATAL_ERROR "web/ reaches the store itself; use the engine's services instead:\n${found}")
endif()
message(STATUS "web_reaches_no_store: no file outside the exempt list reaches the store")
