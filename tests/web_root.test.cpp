// Where `stagematch serve` finds its templates and static files: --web-root (relative to the
// folder it was started from), else next to the program, else ./web; a folder without templates
// is a Dutch start-up error that says where it looked.
#include "web_root.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace stagematch {
namespace {

namespace fs = std::filesystem;

class WebRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "opt" / "bin");
    fs::create_directories(dir_ / "elders");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A web root at `root`: templates/ with the partial every page starts with.
  void make_root(const fs::path& root) {
    fs::create_directories(root / "templates");
    std::ofstream(root / "templates" / "_top.mustache") << "<!doctype html>";
  }

  // The web root found for `given` by a server started in dir_/elders; empty when none.
  fs::path found(const std::string& given) {
    auto root = find_web_root(given, program_, dir_ / "elders");
    EXPECT_TRUE(root) << (root ? "" : root.error());
    return root.value_or(fs::path());
  }

  fs::path dir_ = fs::temp_directory_path() / ("stagematch-webroot-" + std::to_string(::getpid()));
  fs::path program_ = dir_ / "opt" / "bin" / "stagematch";
};

TEST_F(WebRoot, AGivenFolderThenNextToTheProgramThenTheCurrentFolder) {
  make_root(dir_ / "opt" / "web");
  make_root(dir_ / "elders" / "web");
  make_root(dir_ / "elders" / "eigen");
  EXPECT_EQ(found(""), dir_ / "opt" / "web");
  EXPECT_EQ(found("eigen"), dir_ / "elders" / "eigen");  // read from the start folder
}

TEST_F(WebRoot, TheCurrentFolderWhenNothingIsNextToTheProgram) {
  make_root(dir_ / "elders" / "web");
  EXPECT_EQ(found(""), dir_ / "elders" / "web");
  // A folder named web without templates (the build tree's own web/) does not count.
  fs::create_directories(dir_ / "opt" / "bin" / "web");
  EXPECT_EQ(found(""), dir_ / "elders" / "web");
}

TEST_F(WebRoot, AFolderWithoutTemplatesIsAClearError) {
  make_root(dir_ / "opt" / "web");
  auto given = find_web_root("leeg", program_, dir_ / "elders");
  ASSERT_FALSE(given);
  EXPECT_EQ(given.error(), "--web-root leeg: geen sjablonen gevonden in " +
                               (dir_ / "elders" / "leeg" / "templates").string() +
                               " (de web root is de map met templates/ en static/); de server "
                               "start niet");
  fs::remove_all(dir_ / "opt" / "web");
  auto none = find_web_root("", program_, dir_ / "elders");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("geen sjablonen gevonden (gezocht in " +
                              (dir_ / "opt" / "web").string() + ", "),
            std::string::npos)
      << none.error();
  EXPECT_NE(none.error().find((dir_ / "elders" / "web").string()), std::string::npos);
  EXPECT_NE(none.error().find("--web-root MAP"), std::string::npos);
}

TEST_F(WebRoot, ThisProgramKnowsWhereItIs) { EXPECT_TRUE(fs::exists(program_path())); }

}  // namespace
}  // namespace stagematch
