// A service's pages per track: the two tabs (open requests, accepted students) with every
// filter and sort as a GET form, "meer info" with the status choices allowed right now, and
// the accept form (mentor, periods, notes; it cannot be undone).
#pragma once

#include <mutex>

#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

class ServicePages {
 public:
  explicit ServicePages(const PageKit& kit) : kit_(kit) {}

  HttpResponse list(HttpRequest& req) const;        // GET  /dienst/{track}
  HttpResponse detail(HttpRequest& req) const;      // GET  /dienst/aanvraag/{id}
  HttpResponse set_status(HttpRequest& req) const;  // POST /dienst/aanvraag/{id}/status
  HttpResponse accept(HttpRequest& req) const;      // POST /dienst/aanvraag/{id}/aanvaarden

 private:
  struct DetailState {
    std::string notice;
    bool accepted = false;  // just accepted: the notice names the track's people
    std::string status_error;
    std::string accept_error;
    FieldMessages accept_errors;  // mentor_id, periods, notes
    std::string mentor_id;
    std::set<int> periods;
    std::string notes;
  };
  HttpResponse detail_page(const HttpRequest& req, int status, Id id,
                           const DetailState& state) const;
  // A refused status change: a page of its own when the student is gone, else the detail
  // page with the reason next to the form that was sent.
  HttpResponse status_refused(const HttpRequest& req, Id id, const DomainError& e,
                              DetailState state, bool accepting) const;

  const PageKit& kit_;
  // A service's list page is mostly the same pieces again at the noon rush: the rows of the
  // students every service sees, and the filter form with every school in it.
  std::shared_ptr<FragmentCache> rows_ = std::make_shared<FragmentCache>(8000);
  std::shared_ptr<FragmentCache> filters_ = std::make_shared<FragmentCache>(2000);
  // The schools the filter form offers, and a number that changes only when they do: the
  // form's key holds the number instead of every school's name.
  struct Schools {
    std::shared_ptr<const std::vector<Organisation>> list;
    std::uint64_t serial = 0;
  };
  Schools schools() const;
  struct SchoolsSeen {
    std::mutex mutex;
    Schools last;
  };
  std::shared_ptr<SchoolsSeen> schools_ = std::make_shared<SchoolsSeen>();
};

}  // namespace stagematch
