// The JSON API of CONTRACT.md under /api/v1/, as one table: method, path, who may call it, and
// the handler (api_handlers.hpp, in files per resource). Sessions, roles and CSRF are checked
// by App before a handler runs (the Access of each route); a handler checks the objects: an id
// the caller may not see is a 404, the same as one that does not exist. Every answer is a Value
// turned into JSON, never text glued around user input.
#include "api_agenda.hpp"
#include "api_capacity.hpp"
#include "api_handlers.hpp"
#include "api_privacy.hpp"

namespace stagematch {

void add_api_routes(Router& router, Services& services) {
  const auto to = [&services](api::ApiHandler handler) -> Handler {
    return [&services, handler](HttpRequest& req) { return handler(services, req); };
  };
  const Access anyone = Access::public_route();
  const Access logged_in = Access::logged_in();
  const Access school = Access::only({"school"});
  const Access own_org = Access::only({"school", "service"});
  const Access deciders = Access::only({"service", "admin"});
  const Access readers = Access::only({"school", "service", "admin"});
  const Access admin = Access::only({"admin"});
  using namespace api;

  // Accounts and sessions.
  router.add("POST", "/api/v1/login", anyone, to(&login));
  router.add("POST", "/api/v1/logout", logged_in, to(&logout));
  router.add("GET", "/api/v1/me", logged_in, to(&me));
  router.add("POST", "/api/v1/activate", anyone, to(&activate));
  router.add("POST", "/api/v1/activation/resend", anyone, to(&resend_activation));
  router.add("POST", "/api/v1/password-reset", anyone, to(&request_password_reset));
  router.add("POST", "/api/v1/password-reset/confirm", anyone, to(&confirm_password_reset));

  // Organisations and invitations.
  router.add("POST", "/api/v1/orgs", admin, to(&create_organisation));
  router.add("GET", "/api/v1/orgs", logged_in, to(&list_organisations));
  router.add("POST", "/api/v1/invitations", admin, to(&invite));

  // Contact persons of the caller's own organisation.
  router.add("GET", "/api/v1/contacts", own_org, to(&list_contacts));
  router.add("POST", "/api/v1/contacts", own_org, to(&create_contact));
  router.add("PUT", "/api/v1/contacts/{id}", own_org, to(&edit_contact));
  router.add("DELETE", "/api/v1/contacts/{id}", own_org, to(&delete_contact));

  // Requests.
  router.add("POST", "/api/v1/tracks/{track}/requests", school, to(&register_request));
  router.add("GET", "/api/v1/tracks/{track}/requests", readers, to(&list_requests));
  router.add("GET", "/api/v1/tracks/{track}/requests.csv", readers, to(&track_requests_csv));
  router.add("GET", "/api/v1/tracks/{track}/requests.xlsx", readers, to(&track_requests_xlsx));
  router.add("GET", "/api/v1/requests/{id}", readers, to(&view_request));
  router.add("PUT", "/api/v1/requests/{id}", school, to(&edit_request));
  router.add("DELETE", "/api/v1/requests/{id}", school, to(&delete_request));
  router.add("POST", "/api/v1/requests/{id}/stop", school, to(&stop_request));
  router.add("POST", "/api/v1/requests/{id}/status", deciders, to(&change_status));

  // Admin: exports, the helpdesk, calendars and the test clock. The helpdesk's search is a
  // POST with the criteria in its body: a national register number in an address would end up
  // in proxies' access logs and browser histories.
  router.add("GET", "/api/v1/admin/export.csv", admin, to(&all_requests_csv));
  router.add("GET", "/api/v1/admin/export.xlsx", admin, to(&all_requests_xlsx));
  router.add("POST", "/api/v1/admin/requests/search", admin, to(&search_requests));
  router.add("GET", "/api/v1/admin/requests/{id}/history", admin, to(&request_history));
  router.add("POST", "/api/v1/admin/requests/{id}/stop", admin, to(&stop_request_by_admin));
  router.add("PUT", "/api/v1/admin/calendars/{track}/{year}", admin, to(&publish_calendar));
  router.add("PUT", "/api/v1/admin/clock", admin, to(&set_clock));
  // Places per service (a service its own, the admin any) and against demand per province.
  router.add("GET", "/api/v1/capacity", deciders, to(&list_places));
  router.add("PUT", "/api/v1/capacity", deciders, to(&set_places));
  router.add("GET", "/api/v1/admin/capacity.csv", admin, to(&capacity_csv));

  // Privacy: everything stored about one student, and erasing a student on request (admin).
  router.add("POST", "/api/v1/admin/subject-access", admin, to(&subject_access));
  router.add("POST", "/api/v1/admin/erasure", admin, to(&erase_student));
  // Agenda: the caller's own calendar feed address (the feed itself is /agenda/TOKEN.ics).
  router.add("GET", "/api/v1/agenda", logged_in, to(&agenda_address));
  router.add("POST", "/api/v1/agenda", logged_in, to(&renew_agenda_address));
  router.add("DELETE", "/api/v1/agenda", logged_in, to(&revoke_agenda_address));

  // A service's locations (issue 13, distance).
  const Access service = Access::only({"service"});
  router.add("GET", "/api/v1/locations", service, to(&list_locations));
  router.add("POST", "/api/v1/locations", service, to(&create_location));
  router.add("DELETE", "/api/v1/locations/{id}", service, to(&delete_location));
}

}  // namespace stagematch
