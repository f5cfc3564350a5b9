// The application's own error pages (an unknown address, a role without access, a form without
// its token, a failure on the server): the same layout as every other page, footer with the
// helpdesk included, their status and Dutch text kept; and the 500 still answers when the
// templates themselves are missing.
#include <stdexcept>

#include "pages_support.hpp"

namespace stagematch {
namespace {

using namespace testing;  // stagematch::testing: the Pages fixture and its helpers

TEST_F(Pages, UnknownAddressIsA404PageInTheLayout) {
  HttpResponse res = get("/bestaat/niet");
  EXPECT_EQ(res.status, 404);
  expect_accessible_page(res.body, "404");
  EXPECT_TRUE(contains(res.body, "<title>Niet gevonden - Stagematch</title>"));
  EXPECT_TRUE(contains(res.body, "<h1>Deze pagina bestaat niet</h1>"));
  EXPECT_TRUE(contains(res.body, "<a href=\"/\">Naar de startpagina</a>"));
  EXPECT_FALSE(contains(res.body, "class=\"lead\""));  // no empty sentence under the heading
}

TEST_F(Pages, RoleWithoutAccessIsA403PageInTheLayoutWithTheUsersMenu) {
  HttpResponse res = get("/admin", "school");
  EXPECT_EQ(res.status, 403);
  expect_accessible_page(res.body, "403");
  EXPECT_TRUE(contains(res.body, "<h1>Geen toegang</h1>"));
  EXPECT_TRUE(contains(res.body, "<a href=\"/\">Naar de startpagina</a>"));
  EXPECT_TRUE(contains(res.body, email_of("school")));  // the frame knows who is logged in
}

TEST_F(Pages, FormWithoutItsTokenIsA403PageInTheLayout) {
  HttpResponse res = post("/school/secundair/nieuw", student_form("Zonder"), "school", false);
  EXPECT_EQ(res.status, 403);
  expect_accessible_page(res.body, "403 csrf");
  EXPECT_TRUE(contains(res.body, "<h1>Niet gelukt</h1>"));
  EXPECT_TRUE(contains(res.body,
                       "Deze actie kwam niet van een geldig formulier. Laad de pagina opnieuw "
                       "en probeer nog eens."));
}

TEST_F(Pages, FailureOnTheServerIsA500PageInTheLayout) {
  browser("school");  // logged in before the failure
  services_->definitions = []() -> std::shared_ptr<const DefinitionSet> {
    throw std::runtime_error("databank weg");
  };
  HttpResponse res = get("/healthz", "school");
  EXPECT_EQ(res.status, 500);
  expect_accessible_page(res.body, "500");
  EXPECT_TRUE(contains(res.body, "<title>Fout - Stagematch</title>"));
  EXPECT_TRUE(contains(res.body, "<h1>Er ging iets mis</h1>"));
  EXPECT_TRUE(contains(res.body, "Probeer het later opnieuw."));
  EXPECT_FALSE(contains(res.body, "databank weg"));
  EXPECT_FALSE(contains(res.body, email_of("school")));  // drawn without reading the user
}

TEST_F(Pages, FailureWithoutTemplatesIsStillA500) {
  const std::filesystem::path empty = dir_ / "geen-sjablonen";
  std::filesystem::create_directories(empty);
  Services broken = *services_;
  broken.templates_dir = empty.string();
  App app(broken);
  HttpRequest req;
  req.method = "GET";
  req.path = "/bestaat/niet";  // the 404 page cannot be drawn either
  HttpResponse res = app.handle(req);
  EXPECT_EQ(res.status, 500);
  EXPECT_TRUE(contains(res.body, "<h1>Er ging iets mis</h1>"));
  EXPECT_TRUE(contains(res.body, "Probeer het later opnieuw."));
}

}  // namespace
}  // namespace stagematch
