// A service's locations (issue 13, distance): the postal codes and places it works from, to add
// and remove. Its lists measure each student's distance to the nearest of them.
#pragma once

#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

class LocationPages {
 public:
  explicit LocationPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse list(HttpRequest& req) const;
  HttpResponse create(HttpRequest& req) const;
  HttpResponse remove(HttpRequest& req) const;

 private:
  HttpResponse list_page(const HttpRequest& req, int status, const LocationInput& typed,
                         const FieldMessages& errors, const std::string& notice,
                         const std::string& error) const;

  const PageKit& kit_;
};

}  // namespace stagematch
