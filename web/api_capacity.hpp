// Places per service over the JSON API: a service reads and sets its own places, the admin any
// service's, and the admin downloads the places against demand per province as CSV.
#pragma once

#include "app.hpp"

namespace stagematch::api {

HttpResponse list_places(Services& s, HttpRequest& req);   // GET /api/v1/capacity
HttpResponse set_places(Services& s, HttpRequest& req);    // PUT /api/v1/capacity
HttpResponse capacity_csv(Services& s, HttpRequest& req);  // GET /api/v1/admin/capacity.csv

}  // namespace stagematch::api
