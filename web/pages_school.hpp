// A school's pages per track: the overview of its students with the services' answers (where
// the results gate allows), the registration form generated from the track's fields, and
// editing, deleting (wrongly added) or marking a student as stopped until a service accepts.
#pragma once

#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

class SchoolPages {
 public:
  explicit SchoolPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse overview(HttpRequest& req) const;          // GET  /school/{track}
  HttpResponse new_form(HttpRequest& req) const;          // GET  /school/{track}/nieuw
  HttpResponse register_student(HttpRequest& req) const;  // POST /school/{track}/nieuw
  HttpResponse edit_form(HttpRequest& req) const;         // GET  /school/aanvraag/{id}
  HttpResponse update(HttpRequest& req) const;            // POST /school/aanvraag/{id}
  HttpResponse remove(HttpRequest& req) const;            // POST /school/aanvraag/{id}/verwijderen
  HttpResponse stop(HttpRequest& req) const;              // POST /school/aanvraag/{id}/gestopt

 private:
  struct FormState {
    std::string track;
    std::optional<Id> id;  // editing an existing request
    Value values;
    FieldMessages errors;
    FieldMessages warnings;
    std::string error;            // above the form
    std::string notice;           // above the form
    FieldMessages action_errors;  // "delete" / "stop": the confirmation was not ticked
  };
  // The track's workflow when the user's school may register in it, else null.
  const Workflow* own_track(const HttpRequest& req, const DefinitionSet& defs,
                            const std::string& track) const;
  HttpResponse form_page(const HttpRequest& req, int status, const Workflow& workflow,
                         const FormState& state) const;
  HttpResponse read_only_page(const HttpRequest& req, const Workflow& workflow,
                              const Value& item) const;
  FieldMessages warnings_for(const Workflow& workflow, const Value& item) const;
  FormChoices choices(const HttpRequest& req) const;
  // Deletes (`remove`) or stops a student once the confirmation box is ticked.
  HttpResponse manage(HttpRequest& req, bool remove) const;

  const PageKit& kit_;
};

}  // namespace stagematch
