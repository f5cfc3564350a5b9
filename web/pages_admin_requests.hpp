// The admin's view of the requests: a list per track (every school year, every school, with
// tabs, filters and paging), the helpdesk's search over every track and school year (name,
// national register number, track, year, school), and one request with all its data, personal
// data included, its full history (each service's status and counts, every audit line and
// reveal), where an acceptance can be undone and a student marked stopped, each with a reason.
// Undoing goes through the same domain call as the JSON API (the workflows' admin-only transition
// back to the initial status, effect `release`), so the rules, the audit line and the status
// history are the same whichever way an admin uses.
#pragma once

#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

class AdminRequestPages {
 public:
  explicit AdminRequestPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse first_track(HttpRequest& req) const;      // GET  /admin/aanvragen
  HttpResponse list(HttpRequest& req) const;             // GET  /admin/aanvragen/{track}
  HttpResponse detail(HttpRequest& req) const;           // GET  /admin/aanvraag/{id}
  HttpResponse undo_acceptance(HttpRequest& req) const;  // POST /admin/aanvraag/{id}/ongedaan
  HttpResponse stop(HttpRequest& req) const;             // POST /admin/aanvraag/{id}/gestopt
  HttpResponse search(HttpRequest& req) const;           // GET and POST /admin/zoeken

 private:
  // The undo form and the stop form: a required reason each.
  struct ReasonForm {
    std::string reason;  // as typed, so a refused form comes back with it
    std::string error;   // next to the reason field
  };
  HttpResponse detail_page(const HttpRequest& req, int status, Id id, const std::string& notice,
                           const ReasonForm& undo, const ReasonForm& stop) const;
  // A refused undo or stop: a missing reason comes back next to its field, anything else as a
  // refusal page.
  HttpResponse refused_with_reason(const HttpRequest& req, Id id, const DomainError& e,
                                   ReasonForm form, bool undo) const;

  const PageKit& kit_;
};

}  // namespace stagematch
