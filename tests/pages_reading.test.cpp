// How the pages read what they get. PageRenderer reads its data as the mail templates do
// (mustache_data.hpp): an empty text is false like a missing value, so a page's {{#notice}} box
// or {{#error}} line stays away when there is nothing to show, and {{^x}} shows what stands in
// for it. Ids in paths and forms are positive numbers (parse_id, as for the API); a period's
// place in a request is not an id and starts at 0.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pages_render.hpp"
#include "pages_support.hpp"

namespace stagematch {
namespace {

using namespace testing;  // stagematch::testing: the Pages fixture and its helpers

class PageRendererData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stagematch-render-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "t.mustache") << "{{#x}}[{{x}}]{{/x}}{{^x}}geen{{/x}}";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string render(const Value& x) const {
    return PageRenderer(dir_).render("t", Value(Object{{"x", x}}));
  }

  std::filesystem::path dir_;
};

TEST_F(PageRendererData, AnEmptyTextCountsAsMissingLikeNull) {
  EXPECT_EQ(render(Value("")), "geen");
  EXPECT_EQ(render(Value()), "geen");
  EXPECT_EQ(render(Value(false)), "geen");
}

TEST_F(PageRendererData, TextAndNumbersShowAsTheirText) {
  EXPECT_EQ(render(Value("a & b")), "[a &amp; b]");
  EXPECT_EQ(render(Value(0)), "[0]");
  EXPECT_EQ(render(Value(2.5)), "[2.5]");
}

TEST(PageIds, OnlyPositiveNumbersWithoutSignOrSpaceAreIds) {
  EXPECT_EQ(parse_id("12"), Id{12});
  EXPECT_EQ(parse_id("000000000000000012"), Id{12});
  for (const char* text :
       {"", "0", "-3", "+3", " 3", "3 ", "3a", "0000000000000000012", "99999999999999999999"})
    EXPECT_EQ(parse_id(text), std::nullopt) << '"' << text << '"';
  EXPECT_EQ(trim("\f\v \t Jan\r\n"), "Jan");
}

TEST_F(Pages, AServiceAcceptsForTheFirstPeriodItsFormNumbersZero) {
  Id id = register_student("Eerste Periode");
  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);  // ticks period 0
  auto seen = matching_->view_request(Actor{"service", 0, service_x_}, id);
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)["accepted_periods"], Value(Array{Value(0)}));
  EXPECT_EQ(get("/dienst/aanvraag/0", "service_x").status, 404);
  EXPECT_EQ(get("/dienst/aanvraag/-" + std::to_string(id), "service_x").status, 404);
}

}  // namespace
}  // namespace stagematch
