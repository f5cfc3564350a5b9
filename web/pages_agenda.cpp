#include "pages_agenda.hpp"

namespace stagematch {

namespace {

constexpr std::string_view kFeedSuffix = ".ics";

// The same address for calendar applications that open webcal: links (fetched over http(s)).
std::string webcal_address(const std::string& address) {
  auto colon = address.find("://");
  return colon == std::string::npos ? address : "webcal" + address.substr(colon);
}

}  // namespace

std::string agenda_feed_address(const std::string& base_url, const std::string& token) {
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/agenda/" + token + std::string(kFeedSuffix);
}

HttpResponse AgendaPages::show(const HttpRequest& req, const std::string& new_token,
                               const std::string& notice) const {
  const Actor actor = Accounts::actor_of(*req.user);
  auto since = kit_.services().engine.agenda.address_since(actor);
  Value new_address;
  if (!new_token.empty()) {
    std::string address = agenda_feed_address(kit_.services().base_url, new_token);
    new_address = Object{{"https", address}, {"webcal", webcal_address(address)}};
  }
  return kit_.page(req, 200, "agenda", "Je agenda-adres",
                   Object{{"since", since ? Value(format_local_nl(*since)) : Value()},
                          {"new_address", std::move(new_address)},
                          {"notice", text_or_null(notice)}});
}

HttpResponse AgendaPages::page(HttpRequest& req) const {
  return show(req, "",
              req.query_value("ingetrokken") == "1"
                  ? "Je agenda-adres is ingetrokken: het oude adres werkt niet meer."
                  : "");
}

// Answered with the page itself, not a redirect: the new address is shown this once and never
// travels in another address or cookie.
HttpResponse AgendaPages::renew(HttpRequest& req) const {
  auto token = kit_.services().engine.agenda.renew(Accounts::actor_of(*req.user));
  if (!token) return kit_.refused(req, token.error(), "/agenda");
  return show(req, *token, "");
}

HttpResponse AgendaPages::revoke(HttpRequest& req) const {
  auto done = kit_.services().engine.agenda.revoke(Accounts::actor_of(*req.user));
  if (!done) return kit_.refused(req, done.error(), "/agenda");
  return HttpResponse::redirect("/agenda?ingetrokken=1");
}

HttpResponse AgendaPages::feed(HttpRequest& req) const {
  const std::string file = req.param("feed");
  if (!file.ends_with(kFeedSuffix)) return kit_.not_found(req);
  auto text = kit_.services().engine.agenda.feed(
      std::string_view(file).substr(0, file.size() - kFeedSuffix.size()));
  if (!text) return kit_.refused(req, text.error());
  HttpResponse res = HttpResponse::html(200, std::move(*text));
  res.content_type = "text/calendar; charset=utf-8";
  res.headers.emplace_back("Content-Disposition", "inline; filename=\"stagematch.ics\"");
  return res;
}

}  // namespace stagematch
