// The JSON API's handlers, one per route of api_routes.cpp, in files per resource. Each reads
// the request, calls the engine and turns its answer into JSON; App has already checked the
// session, the role and the CSRF token (the route's Access). What several files share to read
// a request list's query or a request id is declared at the end.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app.hpp"

namespace stagematch::api {

// A handler of the API: the services and the request in, the answer out.
using ApiHandler = HttpResponse (*)(Services&, HttpRequest&);

// Accounts and sessions (api_accounts.cpp).
HttpResponse login(Services& s, HttpRequest& req);
HttpResponse logout(Services& s, HttpRequest& req);
HttpResponse me(Services& s, HttpRequest& req);
HttpResponse activate(Services& s, HttpRequest& req);
HttpResponse resend_activation(Services& s, HttpRequest& req);
HttpResponse request_password_reset(Services& s, HttpRequest& req);
HttpResponse confirm_password_reset(Services& s, HttpRequest& req);

// Organisations and invitations (api_organisations.cpp).
HttpResponse create_organisation(Services& s, HttpRequest& req);
HttpResponse list_organisations(Services& s, HttpRequest& req);
HttpResponse invite(Services& s, HttpRequest& req);

// Contact persons of the caller's own organisation (api_contacts.cpp).
HttpResponse list_contacts(Services& s, HttpRequest& req);
HttpResponse create_contact(Services& s, HttpRequest& req);
HttpResponse edit_contact(Services& s, HttpRequest& req);
HttpResponse delete_contact(Services& s, HttpRequest& req);

// Requests (api_requests.cpp).
HttpResponse register_request(Services& s, HttpRequest& req);
HttpResponse list_requests(Services& s, HttpRequest& req);
HttpResponse view_request(Services& s, HttpRequest& req);
HttpResponse edit_request(Services& s, HttpRequest& req);
HttpResponse delete_request(Services& s, HttpRequest& req);
HttpResponse stop_request(Services& s, HttpRequest& req);
HttpResponse change_status(Services& s, HttpRequest& req);

// Exports of request lists (api_export.cpp).
HttpResponse track_requests_csv(Services& s, HttpRequest& req);
HttpResponse track_requests_xlsx(Services& s, HttpRequest& req);
HttpResponse all_requests_csv(Services& s, HttpRequest& req);
HttpResponse all_requests_xlsx(Services& s, HttpRequest& req);

// The admin's helpdesk and the test clock (api_admin.cpp).
HttpResponse search_requests(Services& s, HttpRequest& req);
HttpResponse request_history(Services& s, HttpRequest& req);
HttpResponse stop_request_by_admin(Services& s, HttpRequest& req);
HttpResponse set_clock(Services& s, HttpRequest& req);

// Publishing a school year's calendar (api_calendars.cpp).
HttpResponse publish_calendar(Services& s, HttpRequest& req);

// ---- shared by the handler files --------------------------------------------------------------

// The {id} of a request's address; nullopt (a 404) when it is no id.
std::optional<Id> request_id(const HttpRequest& req);
// The one 404 for a request that does not exist or is not the caller's.
HttpResponse request_not_found();
// A request list's query parameters (CONTRACT.md) for `track`, or a 422 answer naming each bad
// one.
std::expected<ListInput, HttpResponse> list_input(Services& s, const HttpRequest& req,
                                                  const std::string& track);
// A page of a list: {"items", "total", "page", "page_size"}.
HttpResponse page_answer(const DomainResult<ListOutput>& out, int page, int page_size);
// Every item of a list, page by page, as the caller may see it.
DomainResult<std::vector<Value>> all_items(Services& s, const Actor& actor,
                                           const std::string& track, ListInput in);

// A service's own locations (api_geo.cpp; issue 13, distance).
HttpResponse list_locations(Services& s, HttpRequest& req);
HttpResponse create_location(Services& s, HttpRequest& req);
HttpResponse delete_location(Services& s, HttpRequest& req);

}  // namespace stagematch::api
