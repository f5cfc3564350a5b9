// The route table: method + path pattern -> handler, with who may call it. Read top to bottom
// in app.cpp like a table of contents.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http.hpp"

namespace stagematch {

using Handler = std::function<HttpResponse(HttpRequest&)>;

// Who may call a route. Anyone: no session needed. Otherwise a logged-in user with one of the
// roles (empty = any role). State-changing methods always need the CSRF token of the session.
struct Access {
  bool anyone = false;
  std::vector<std::string> roles;

  static Access public_route() { return Access{true, {}}; }
  static Access logged_in() { return Access{false, {}}; }
  static Access only(std::vector<std::string> roles) { return Access{false, std::move(roles)}; }
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/requests/{id}"
  Access access;
  Handler handler;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler);
  // The route for method and path, with its {params} filled in; null when none. `path_known`
  // tells a 405-worthy miss (another method exists) from a 404.
  const Route* match(const std::string& method, const std::string& path,
                     std::map<std::string, std::string>& params, bool& path_known) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace stagematch
