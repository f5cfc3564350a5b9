// Personal data in SQL: the requests whose personal data is still stored, a student's requests
// found by national register number, a request's status history and mails, and the erasure of
// a request's personal data with every copy the database keeps of it. Every function runs
// inside the caller's transaction; driver failures come out as DbError.
#pragma once

#include <string>
#include <vector>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

std::vector<Store::RequestKey> load_requests_with_personal_data(Tx& tx);
std::vector<Id> load_requests_of_student(Tx& tx, const std::string& national_number);
std::vector<Store::HistoryLine> load_status_history(Tx& tx, Id request_id);
// One request's erasure (Store::erase_personal_data) in `tx`; false, with nothing written, when
// there is no such request or its personal data was erased before.
bool erase_personal_data(Tx& tx, const Store::Erasure& erasure);

}  // namespace stagematch::storage
