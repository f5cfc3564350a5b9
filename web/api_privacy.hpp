// The admin's privacy calls of the JSON API (api_privacy.cpp): everything stored about one
// student, and erasing one student on request. The national register number travels in the
// body, never in the address (proxies' access logs, browser histories).
#pragma once

#include "app.hpp"

namespace stagematch::api {

// POST /api/v1/admin/subject-access {"national_number"} -> 200 everything stored about them.
HttpResponse subject_access(Services& s, HttpRequest& req);
// POST /api/v1/admin/erasure {"national_number", "reason"} -> 200 {"erased": N}; 409
// `internship_running` while the student's internship runs.
HttpResponse erase_student(Services& s, HttpRequest& req);

}  // namespace stagematch::api
