// A school's stage-/werkplekbegeleiders and a service's stagementoren: the organisation's own
// contact persons, to add, edit and delete (only while no student is linked to them).
#pragma once

#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

class ContactPages {
 public:
  // `base`: "/school/contactpersonen" or "/dienst/contactpersonen".
  ContactPages(const PageKit& kit, std::string base, bool school);

  HttpResponse list(HttpRequest& req) const;
  HttpResponse create(HttpRequest& req) const;
  HttpResponse edit_form(HttpRequest& req) const;
  HttpResponse update(HttpRequest& req) const;
  HttpResponse remove(HttpRequest& req) const;

 private:
  struct Typed {
    ContactPerson contact;
    FieldMessages errors;
  };
  HttpResponse list_page(const HttpRequest& req, int status, const Typed& typed,
                         const std::string& notice, const std::string& error) const;
  HttpResponse edit_page(const HttpRequest& req, int status, const Typed& typed) const;
  Array form_fields(const Typed& typed) const;
  // The contact person `id` of the user's own organisation, or nullopt (a 404 to the user).
  std::optional<ContactPerson> own(const HttpRequest& req) const;

  const PageKit& kit_;
  std::string base_;
  bool school_;
};

}  // namespace stagematch
