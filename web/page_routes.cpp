// The HTML pages, as one table: method, path, who may open it, and the handler. Anonymous
// visitors of a page that needs a login are sent to /login by App; forms that change state
// carry the session's CSRF token in a hidden `_csrf` field, which App checks. The account forms
// used before a session exists carry a double-submit token instead (public_form).
#include <memory>

#include "app.hpp"
#include "pages_account.hpp"
#include "pages_admin.hpp"
#include "pages_admin_requests.hpp"
#include "pages_agenda.hpp"
#include "pages_capacity.hpp"
#include "pages_contacts.hpp"
#include "pages_geo.hpp"
#include "pages_privacy.hpp"
#include "pages_school.hpp"
#include "pages_service.hpp"

namespace stagematch {

namespace {

// Everything the handlers share lives as long as the router's handlers that capture it.
struct Pages {
  explicit Pages(Services& services)
      : kit(services),
        account(kit),
        school_contacts(kit, "/school/contactpersonen", true),
        service_contacts(kit, "/dienst/contactpersonen", false),
        school(kit),
        service(kit),
        admin(kit),
        admin_requests(kit),
        calendars(kit),
        locations(kit) {}

  PageKit kit;
  AccountPages account;
  ContactPages school_contacts;
  ContactPages service_contacts;
  SchoolPages school;
  ServicePages service;
  AdminPages admin;
  AdminRequestPages admin_requests;
  CalendarPages calendars;
  LocationPages locations;  // issue 13, distance
};

template <typename Section, typename Method>
Handler to(std::shared_ptr<Pages> pages, Section Pages::*section, Method method) {
  return [pages = std::move(pages), section, method](HttpRequest& req) {
    return ((*pages).*section.*method)(req);
  };
}

}  // namespace

void add_page_routes(Router& router, Services& services) {
  auto p = std::make_shared<Pages>(services);
  const Access anyone = Access::public_route();
  const Access logged_in = Access::logged_in();
  const Access school = Access::only({"school"});
  const Access service = Access::only({"service"});
  const Access admin = Access::only({"admin"});
  using A = AccountPages;
  using C = ContactPages;
  using S = SchoolPages;
  using D = ServicePages;
  using M = AdminPages;
  using R = AdminRequestPages;
  using K = CalendarPages;

  router.add("GET", "/static/{file}", anyone,
             [p](HttpRequest& req) { return p->kit.static_file(req); });

  // Accounts: log in and out, activation and password links. The forms before a session carry
  // the token of the browser's form cookie instead of a session's (public_form).
  auto account = [p](HttpResponse (A::*method)(HttpRequest&) const) {
    return public_form(p->kit, to(p, &Pages::account, method));
  };
  router.add("GET", "/", logged_in, to(p, &Pages::account, &A::home));
  router.add("GET", "/login", anyone, account(&A::login_form));
  router.add("POST", "/login", anyone, account(&A::login));
  router.add("POST", "/activatielink", anyone, account(&A::resend_activation));
  router.add("GET", "/activeren", anyone, account(&A::activate_form));
  router.add("POST", "/activeren", anyone, account(&A::activate));
  router.add("GET", "/wachtwoord-vergeten", anyone, account(&A::forgot_form));
  router.add("POST", "/wachtwoord-vergeten", anyone, account(&A::forgot));
  router.add("GET", "/wachtwoord-herstellen", anyone, account(&A::reset_form));
  router.add("POST", "/wachtwoord-herstellen", anyone, account(&A::reset));
  router.add("POST", "/afmelden", logged_in, to(p, &Pages::account, &A::logout));

  // School: contact persons first (before /school/{track}), then students per track.
  router.add("GET", "/school/contactpersonen", school, to(p, &Pages::school_contacts, &C::list));
  router.add("POST", "/school/contactpersonen", school, to(p, &Pages::school_contacts, &C::create));
  router.add("GET", "/school/contactpersonen/{id}", school,
             to(p, &Pages::school_contacts, &C::edit_form));
  router.add("POST", "/school/contactpersonen/{id}", school,
             to(p, &Pages::school_contacts, &C::update));
  router.add("POST", "/school/contactpersonen/{id}/verwijderen", school,
             to(p, &Pages::school_contacts, &C::remove));
  router.add("GET", "/school/aanvraag/{id}", school, to(p, &Pages::school, &S::edit_form));
  router.add("POST", "/school/aanvraag/{id}", school, to(p, &Pages::school, &S::update));
  router.add("POST", "/school/aanvraag/{id}/verwijderen", school,
             to(p, &Pages::school, &S::remove));
  router.add("POST", "/school/aanvraag/{id}/gestopt", school, to(p, &Pages::school, &S::stop));
  router.add("GET", "/school/{track}", school, to(p, &Pages::school, &S::overview));
  router.add("GET", "/school/{track}/nieuw", school, to(p, &Pages::school, &S::new_form));
  router.add("POST", "/school/{track}/nieuw", school, to(p, &Pages::school, &S::register_student));

  // Service: contact persons, the two tabs per track, "meer info", status and accept.
  router.add("GET", "/dienst/contactpersonen", service, to(p, &Pages::service_contacts, &C::list));
  router.add("POST", "/dienst/contactpersonen", service,
             to(p, &Pages::service_contacts, &C::create));
  router.add("GET", "/dienst/contactpersonen/{id}", service,
             to(p, &Pages::service_contacts, &C::edit_form));
  router.add("POST", "/dienst/contactpersonen/{id}", service,
             to(p, &Pages::service_contacts, &C::update));
  router.add("POST", "/dienst/contactpersonen/{id}/verwijderen", service,
             to(p, &Pages::service_contacts, &C::remove));
  router.add("GET", "/dienst/aanvraag/{id}", service, to(p, &Pages::service, &D::detail));
  router.add("POST", "/dienst/aanvraag/{id}/status", service,
             to(p, &Pages::service, &D::set_status));
  router.add("POST", "/dienst/aanvraag/{id}/aanvaarden", service,
             to(p, &Pages::service, &D::accept));
  // A service's locations (issue 13, distance), before /dienst/{track}.
  using L = LocationPages;
  router.add("GET", "/dienst/locaties", service, to(p, &Pages::locations, &L::list));
  router.add("POST", "/dienst/locaties", service, to(p, &Pages::locations, &L::create));
  router.add("POST", "/dienst/locaties/{id}/verwijderen", service,
             to(p, &Pages::locations, &L::remove));
  router.add("GET", "/dienst/{track}", service, to(p, &Pages::service, &D::list));

  // Admin (VIVO).
  router.add("GET", "/admin", admin, to(p, &Pages::admin, &M::dashboard));
  router.add("GET", "/admin/organisaties", admin, to(p, &Pages::admin, &M::organisations));
  router.add("POST", "/admin/organisaties", admin, to(p, &Pages::admin, &M::create_organisation));
  router.add("GET", "/admin/uitnodigingen", admin, to(p, &Pages::admin, &M::invitations));
  router.add("POST", "/admin/uitnodigingen", admin, to(p, &Pages::admin, &M::invite));
  // The requests of every track, and undoing an acceptance (with a reason, audited).
  router.add("GET", "/admin/aanvragen", admin, to(p, &Pages::admin_requests, &R::first_track));
  router.add("GET", "/admin/aanvragen/{track}", admin, to(p, &Pages::admin_requests, &R::list));
  router.add("GET", "/admin/aanvraag/{id}", admin, to(p, &Pages::admin_requests, &R::detail));
  router.add("POST", "/admin/aanvraag/{id}/ongedaan", admin,
             to(p, &Pages::admin_requests, &R::undo_acceptance));
  router.add("POST", "/admin/aanvraag/{id}/gestopt", admin,
             to(p, &Pages::admin_requests, &R::stop));
  router.add("GET", "/admin/zoeken", admin, to(p, &Pages::admin_requests, &R::search));
  router.add("POST", "/admin/zoeken", admin, to(p, &Pages::admin_requests, &R::search));
  router.add("GET", "/admin/kalenders", admin, to(p, &Pages::calendars, &K::list));
  router.add("POST", "/admin/kalenders/controleren", admin, to(p, &Pages::calendars, &K::check));
  router.add("POST", "/admin/kalenders/publiceren", admin, to(p, &Pages::calendars, &K::publish));
  router.add("GET", "/admin/audit", admin, to(p, &Pages::admin, &M::audit));
  router.add("GET", "/admin/mails", admin, to(p, &Pages::admin, &M::mails));
  router.add("GET", "/admin/mails/{id}", admin, to(p, &Pages::admin, &M::mail));
  router.add("POST", "/admin/mails/{id}/opnieuw", admin, to(p, &Pages::admin, &M::resend_mail));

  // Places: a service's own, the admin's for any service.
  auto places = std::make_shared<CapacityPages>(p->kit);
  const Access places_access = Access::only({"service", "admin"});
  router.add("GET", "/plaatsen", places_access,
             [places](HttpRequest& req) { return places->places(req); });
  router.add("POST", "/plaatsen", places_access,
             [places](HttpRequest& req) { return places->set_places(req); });

  // Privacy: the policy for everyone; a student's stored data and erasure for the admin (the
  // national register number is always posted, never in an address).
  auto privacy = std::make_shared<PrivacyPages>(p->kit);
  // Each handler also holds `p`, whose kit the privacy pages render with.
  auto on_privacy = [p, privacy](HttpResponse (PrivacyPages::*method)(HttpRequest&) const) {
    return Handler([p, privacy, method](HttpRequest& req) { return ((*privacy).*method)(req); });
  };
  router.add("GET", "/privacy", anyone, on_privacy(&PrivacyPages::policy));
  router.add("GET", "/admin/privacy", admin, on_privacy(&PrivacyPages::form));
  router.add("POST", "/admin/privacy", admin, on_privacy(&PrivacyPages::lookup));
  router.add("POST", "/admin/privacy/wissen", admin, on_privacy(&PrivacyPages::erase));
  // Agenda: every user's calendar feed address (shown once when made), and the feed calendar
  // applications fetch without a session: the token in its address is the key.
  auto agenda = std::make_shared<AgendaPages>(p->kit);
  auto calendar = [p, agenda](HttpResponse (AgendaPages::*method)(HttpRequest&) const) -> Handler {
    return [p, agenda, method](HttpRequest& req) { return ((*agenda).*method)(req); };
  };
  router.add("GET", "/agenda", logged_in, calendar(&AgendaPages::page));
  router.add("POST", "/agenda/nieuw", logged_in, calendar(&AgendaPages::renew));
  router.add("POST", "/agenda/intrekken", logged_in, calendar(&AgendaPages::revoke));
  router.add("GET", "/agenda/{feed}", anyone, calendar(&AgendaPages::feed));
}

}  // namespace stagematch
