// How the pages read what they get. PageRenderer reads its data as the mail templates do
// (mustache_data.hpp): an empty text is false like a missing value, so a page's {{#notice}} box
// or {{#error}} line stays away when there is nothing to show, and {{^x}} shows what stands in
// for it.
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

}  // namespace
}  // namespace stagematch
