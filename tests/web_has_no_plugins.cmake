# web/ holds HTTP only: it includes no header of a plugin (plugins/storage, mail, export, app)
# and links no plugin library; it reaches plugins through the registry (plugins/registry.hpp)
# alone. Run as: cmake -DSRC=<source dir> -DLINKS="<a|b|c>" -P web_has_no_plugins.cmake
cmake_minimum_required(VERSION 3.25)
set(problems "")

# Every header file name a plugin or the program owns.
file(GLOB_RECURSE plugin_headers RELATIVE ${SRC}
  ${SRC}/plugins/storage/*.hpp ${SRC}/plugins/mail/*.hpp ${SRC}/plugins/export/*.hpp
  ${SRC}/plugins/app/*.hpp)
set(plugin_names "")
foreach(header ${plugin_headers})
  get_filename_component(name ${header} NAME)
  list(APPEND plugin_names ${name})
endforeach()

file(GLOB web_files ${SRC}/web/*.cpp ${SRC}/web/*.hpp)
foreach(source ${web_files})
  file(STRINGS ${source} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line ${includes})
    string(REGEX REPLACE ".*\"([^\"]+)\".*" "\\1" included "${line}")
    get_filename_component(name ${included} NAME)
    if(name IN_LIST plugin_names OR included MATCHES "^(\\.\\./)*plugins/")
      file(RELATIVE_PATH where ${SRC} ${source})
      list(APPEND problems "${where} includes the plugin header \"${included}\"")
    endif()
  endforeach()
endforeach()

string(REPLACE "|" ";" links "${LINKS}")
foreach(library ${links})
  if(library MATCHES "^stagematch_(storage|mail|export|builtin_plugins|app)$")
    list(APPEND problems "stagematch_web links ${library}")
  endif()
endforeach()

if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "web/ must reach plugins through the registry only:\n  ${text}")
endif()
message(STATUS "web/: no plugin header, no plugin library")
