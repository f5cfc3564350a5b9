// The caller's own calendar feed address over the JSON API (api_agenda.cpp): whether it has
// one, a new one (the old one stops at once), or none any more.
#pragma once

#include "api_handlers.hpp"

namespace stagematch::api {

// GET: {"exists", "since"}; POST: 201 {"url"}, the address shown this once; DELETE: 204.
HttpResponse agenda_address(Services& s, HttpRequest& req);
HttpResponse renew_agenda_address(Services& s, HttpRequest& req);
HttpResponse revoke_agenda_address(Services& s, HttpRequest& req);

}  // namespace stagematch::api
