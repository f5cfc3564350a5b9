// The admin's view of the requests: a list per track (every school year, every school, with
// tabs, filters and paging) and one request with all its data, personal data included, where an
// acceptance can be undone with a reason. Undoing goes through the same domain call as the JSON
// API (the workflows' admin-only transition back to the initial status, effect `release`), so
// the rules, the audit line and the status history are the same whichever way an admin uses.
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

 private:
  struct UndoForm {
    std::string reason;  // as typed, so a refused form comes back with it
    std::string error;   // next to the reason field
  };
  HttpResponse detail_page(const HttpRequest& req, int status, Id id, const std::string& notice,
                           const UndoForm& form) const;

  const PageKit& kit_;
};

}  // namespace stagematch
