// Every link a mail carries leads to a page the product serves: the mails' sample data (made
// with the web's own Links, as the server makes them) and the mails a registration, an
// acceptance and an undone acceptance really send, checked against the route table and opened
// as their reader would open them.
#include <regex>
#include <set>

#include "pages_support.hpp"

namespace stagematch {
namespace {

using namespace testing;  // stagematch::testing: the Pages fixture and its helpers

class MailLinks : public Pages {
 protected:
  // The GET route `link` (absolute, on kBaseUrl) leads to; empty when it leads nowhere.
  std::string route_of(const std::string& link) {
    if (!link.starts_with(kBaseUrl)) return "";
    std::string path = link.substr(std::string(kBaseUrl).size());
    path = path.substr(0, path.find('?'));
    if (!routes_) {
      routes_ = std::make_unique<Router>();
      add_page_routes(*routes_, *services_);
    }
    std::map<std::string, std::string> params;
    bool known = false;
    const Route* route = routes_->match("GET", path, params, known);
    return route ? route->pattern : "";
  }

  // Who opens a page behind `link`: the school or a service for their pages, anyone else for
  // the rest (a one-time link's page).
  static std::string reader_of(const std::string& route) {
    if (route.starts_with("/school/")) return "school";
    if (route.starts_with("/dienst/")) return "service_x";
    return "";
  }

  // Opens `link` as its reader would; the page's status.
  int open(const std::string& link) {
    const std::string target = link.substr(std::string(kBaseUrl).size());
    return get(target, reader_of(route_of(link))).status;
  }

  // Every link to this server in `text`.
  static std::set<std::string> links_in(const std::string& text) {
    static const std::regex kLink(R"(http://stagematch\.test[^\s"<>]*)");
    std::set<std::string> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kLink);
         it != std::sregex_iterator(); ++it)
      out.insert(it->str());
    return out;
  }

  std::unique_ptr<Router> routes_;
};

TEST_F(MailLinks, EverySampleMailLinksToAPageThatOpens) {
  for (const auto& name : MailTemplates::names()) {
    SCOPED_TRACE(name);
    const Value data = mail_->sample_data(name);
    ASSERT_TRUE(data["link"].is_string()) << "every mail points somewhere";
    const std::string link = data["link"].as_string();
    EXPECT_TRUE(link.starts_with(std::string(kBaseUrl) + "/")) << link;
    const std::string route = route_of(link);
    ASSERT_FALSE(route.empty()) << link << " leads to no page";
    EXPECT_EQ(open(link), 200) << link;
    // The mail shows the link as it was made.
    const OutboxMail mail = mail_->compose(name, data, "els@example.be");
    EXPECT_TRUE(contains(mail.body_text, link)) << mail.body_text;
  }
}

TEST_F(MailLinks, AOneTimeLinkLeadsToThePageThatTakesItsToken) {
  EXPECT_EQ(route_of(mail_->links().activation("abc")), "/activeren");
  EXPECT_EQ(route_of(mail_->links().password_reset("abc")), "/wachtwoord-herstellen");
  EXPECT_TRUE(contains(mail_->links().password_reset("abc"), "?token=abc"));
}

TEST_F(MailLinks, TheMailsTheProductSendsLinkToPagesThatOpen) {
  matching_->set_notices(*mail_, *store_);
  Id id = register_student("Gelinkt");
  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  ASSERT_EQ(post("/admin/aanvraag/" + std::to_string(id) + "/ongedaan",
                 {{"reason", "Verkeerde student aanvaard."}}, "admin")
                .status,
            303);
  ASSERT_TRUE(accounts_->request_password_reset(email_of("school"), ""));
  deliver();

  std::set<std::string> links;
  for (const auto& mail : mailbox_.delivered())
    for (const auto& link : links_in(mail.body_text)) links.insert(link);
  for (const auto& mail : store_->outbox(1000))  // held back until a results date, too
    for (const auto& link : links_in(mail.body_text)) links.insert(link);
  std::set<std::string> routes;
  for (const auto& link : links) {
    SCOPED_TRACE(link);
    const std::string route = route_of(link);
    ASSERT_FALSE(route.empty()) << "leads to no page";
    routes.insert(route);
    if (!reader_of(route).empty()) EXPECT_EQ(open(link), 200);
  }
  // Activation, password reset, a school's overview and a service's list were all among them.
  EXPECT_TRUE(routes.contains("/activeren"));
  EXPECT_TRUE(routes.contains("/wachtwoord-herstellen"));
  EXPECT_TRUE(routes.contains("/school/{track}"));
  EXPECT_TRUE(routes.contains("/dienst/{track}"));
}

}  // namespace
}  // namespace stagematch
