# `stagematch simulate` for secundair 2025-2026: every round in order, the blackout rule and
# the mails; and a clear error for an unknown calendar.
execute_process(COMMAND "${BIN}" simulate --track secundair --year 2025-2026
                WORKING_DIRECTORY "${SRC}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "simulate exited ${rc}\n${err}")
endif()
set(expected_in_order
  "Blackout zomer"
  "19/09/2025 12:00"
  "30/06/2025 12:00 -> 15/08/2025 12:00  ronde ronde_1 (preferred)"
  "05/09/2025 12:00 -> 19/09/2025 12:00  ronde ronde_2 (preferred)"
  "19/09/2025 12:00 -> 30/09/2025 12:00  ronde ronde_3 (open)"
  "30/09/2025 12:00 -> 01/07/2026 00:00  ronde ronde_4 (open_ended)")
set(from 0)
foreach(piece IN LISTS expected_in_order)
  string(SUBSTRING "${out}" ${from} -1 rest)
  string(FIND "${rest}" "${piece}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "simulate output lacks (in order) '${piece}':\n${out}")
  endif()
  math(EXPR from "${from} + ${at}")
endforeach()
foreach(kind round_opens round_closes reminder round_closing_soon)
  if(NOT out MATCHES "mail [0-9/: ]+ ${kind}")
    message(FATAL_ERROR "simulate output has no '${kind}' mail:\n${out}")
  endif()
endforeach()
execute_process(COMMAND "${BIN}" simulate --track secundair --year 2030-2031 --format json
                WORKING_DIRECTORY "${SRC}" RESULT_VARIABLE rc2 OUTPUT_VARIABLE out2 ERROR_VARIABLE err2)
if(NOT rc2 EQUAL 1 OR NOT err2 MATCHES "geen kalender")
  message(FATAL_ERROR "unknown calendar: exit ${rc2}, ${err2}")
endif()
execute_process(COMMAND "${BIN}" simulate --track secundair --year 2025-2026 --format json
                WORKING_DIRECTORY "${SRC}" RESULT_VARIABLE rc3 OUTPUT_VARIABLE out3)
if(NOT rc3 EQUAL 0 OR NOT out3 MATCHES "^\\{\"events\":\\[")
  message(FATAL_ERROR "json format: exit ${rc3}\n${out3}")
endif()
