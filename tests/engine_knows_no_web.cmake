# The engine speaks of kinds of refusal and kinds of links; the web alone knows HTTP statuses
# and page paths (web/error_status.cpp, web/site_links.cpp). Fails when an engine source (tests
# left aside) writes an HTTP status into an error or a page path into a string, or compares a
# role or a request's state with a string of its own instead of engine/roles.hpp's names.
# Run as: cmake -DENGINE=<engine dir> -P engine_knows_no_web.cmake
file(GLOB sources "${ENGINE}/*.cpp" "${ENGINE}/*.hpp")
set(patterns
    "http_status"                                     # the member DomainError had
    "[Ee]rror\\([ \t\n]*[1-5][0-9][0-9][ \t\n]*,"     # error(404, ...), field_error(422, ...)
    "DomainError{[ \t\n]*[1-5][0-9][0-9]"             # DomainError{409, ...}
    "status[ \t]*=[ \t]*[1-5][0-9][0-9][^0-9]"        # int status = 403
    "\\? [1-5][0-9][0-9] :"                           # ... ? 403 : 422
    "\"/(dienst|school|activeren|admin|wachtwoord|login|api)"  # a page path
    "(role|type|by)[ \t]*[!=]=[ \t]*\"(admin|school|service)\""  # role == "admin"
    "state[ \t]*[!=]=[ \t]*\"(active|stopped)\"")             # state != "active"
set(found "")
foreach(file IN LISTS sources)
  if(file MATCHES "\\.test\\.cpp$" OR file MATCHES "test_support\\.hpp$")
    continue()
  endif()
  file(STRINGS "${file}" lines)
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    foreach(pattern IN LISTS patterns)
      if(line MATCHES "${pattern}")
        string(APPEND found "${file}:${number}: ${line}\n")
        break()
      endif()
    endforeach()
  endforeach()
endforeach()
if(found)
  message(FATAL_ERROR "The engine knows HTTP statuses, page paths or spelt-out roles; use "
                      "ErrorKind (engine/matching.hpp), Links (engine/links.hpp) and the names "
                      "of engine/roles.hpp:\n${found}")
endif()
list(LENGTH sources count)
if(count LESS 10)
  message(FATAL_ERROR "no engine sources under '${ENGINE}'")
endif()
