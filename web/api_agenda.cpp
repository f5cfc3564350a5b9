#include "api_agenda.hpp"

#include "pages_agenda.hpp"

namespace stagematch::api {

HttpResponse agenda_address(Services& s, HttpRequest& req) {
  auto since = s.engine.agenda.address_since(req.actor());
  return HttpResponse::json(200, Object{{"exists", since.has_value()},
                                        {"since", since ? Value(format_iso(*since)) : Value()}});
}

HttpResponse renew_agenda_address(Services& s, HttpRequest& req) {
  auto token = s.engine.agenda.renew(req.actor());
  if (!token) return HttpResponse::error(token.error());
  return HttpResponse::json(201, Object{{"url", agenda_feed_address(s.base_url, *token)}});
}

HttpResponse revoke_agenda_address(Services& s, HttpRequest& req) {
  auto done = s.engine.agenda.revoke(req.actor());
  if (!done) return HttpResponse::error(done.error());
  return HttpResponse::no_content();
}

}  // namespace stagematch::api
