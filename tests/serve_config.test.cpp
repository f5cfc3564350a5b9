// `stagematch serve --config FILE` and STAGEMATCH_* in the environment: what is read, in which
// order, and every way a setting can be wrong, reported as FILE:LINE.
#include "serve_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace stagematch {
namespace {

class ServeConfig : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove(path_); }

  std::string write(const std::string& text) {
    std::ofstream(path_) << text;
    return path_;
  }
  ConfigRead read(const std::optional<std::string>& path) {
    return read_serve_config(path, [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    });
  }

  std::string path_ = (std::filesystem::temp_directory_path() /
                       ("stagematch-" + std::to_string(::getpid()) + ".conf"))
                          .string();
  std::map<std::string, std::string> env_;
};

TEST_F(ServeConfig, ReadsEveryKindOfSettingWithItsLine) {
  auto read_back =
      read(write("# Stagematch op de productieserver\n"
                 "\n"
                 "db = postgresql://stagematch@127.0.0.1:5432/stagematch\n"
                 "listen=127.0.0.1:8081\n"
                 "  sender = \"Stagematch <info@stagematching.org>\"\n"
                 "starttls = true\n"
                 "test-clock = false\n"
                 "workers = 16\n"
                 "base-url = https://stagematching.org\n"));
  ASSERT_TRUE(read_back.problems.empty()) << read_back.problems.front();
  EXPECT_EQ(read_back.values.at("--db").value, "postgresql://stagematch@127.0.0.1:5432/stagematch");
  EXPECT_EQ(read_back.values.at("--db").origin, path_ + ":3");
  EXPECT_EQ(read_back.values.at("--listen").value, "127.0.0.1:8081");
  EXPECT_EQ(read_back.values.at("--sender").value, "Stagematch <info@stagematching.org>");
  EXPECT_EQ(read_back.values.at("--starttls").value, "1");
  EXPECT_FALSE(read_back.values.contains("--test-clock")) << "a flag set to false is off";
  EXPECT_EQ(read_back.values.at("--workers").value, "16");
  EXPECT_EQ(read_back.values.size(), 6u);
}

TEST_F(ServeConfig, TheEnvironmentWinsOverTheFile) {
  env_["STAGEMATCH_LISTEN"] = "127.0.0.1:9000";
  env_["STAGEMATCH_BASE_URL"] = "https://test.stagematching.org";
  env_["STAGEMATCH_STARTTLS"] = "false";
  env_["STAGEMATCH_TEST_PG"] = "postgresql://ignored";  // not a serve option: left alone
  auto read_back = read(write("listen = 127.0.0.1:8081\nstarttls = true\nworkers = 4\n"));
  ASSERT_TRUE(read_back.problems.empty()) << read_back.problems.front();
  EXPECT_EQ(read_back.values.at("--listen").value, "127.0.0.1:9000");
  EXPECT_EQ(read_back.values.at("--listen").origin, "STAGEMATCH_LISTEN");
  EXPECT_EQ(read_back.values.at("--base-url").value, "https://test.stagematching.org");
  EXPECT_FALSE(read_back.values.contains("--starttls"));
  EXPECT_EQ(read_back.values.at("--workers").value, "4");
  auto without_file = read(std::nullopt);
  EXPECT_EQ(without_file.values.at("--listen").value, "127.0.0.1:9000");
}

TEST_F(ServeConfig, EveryWrongLineIsReportedWithItsPositionAndNothingIsUsed) {
  auto read_back =
      read(write("db = mysql://root@localhost/x\n"
                 "luister = 127.0.0.1:8080\n"
                 "listen = 8080\n"
                 "workers = veel\n"
                 "starttls = misschien\n"
                 "base-url = ftp://stagematching.org\n"
                 "info-url = javascript:alert(1)\n"
                 "sender\n"
                 "workers = 0\n"
                 "smtp = mail.example.org\n"
                 "test-clock-start = morgen\n"
                 "helpdesk-phone =\n"));
  std::vector<std::string> expected = {
      path_ + ":1: db verwacht sqlite:PAD of postgresql://gebruiker@host:poort/databank",
      path_ + ":2: onbekende instelling 'luister'",
      path_ + ":3: listen verwacht HOST:POORT, bv. 127.0.0.1:8080",
      path_ + ":4: workers verwacht een getal van 1 tot 256",
      path_ + ":5: starttls verwacht true of false",
      path_ + ":6: base-url verwacht een adres dat begint met http:// of https://",
      path_ + ":7: info-url verwacht een adres dat begint met http:// of https://",
      path_ + ":8: verwacht naam = waarde",
      path_ + ":9: 'workers' staat al op regel 4",
      path_ + ":10: smtp verwacht HOST:POORT, bv. 127.0.0.1:8080",
      path_ + ":11: test-clock-start verwacht bv. 2025-06-01T00:00:00+02:00",
      path_ + ":12: helpdesk-phone verwacht een waarde",
  };
  EXPECT_EQ(read_back.problems, expected);
  EXPECT_TRUE(read_back.values.empty());

  env_["STAGEMATCH_WORKERS"] = "-3";
  auto bad_env = read(std::nullopt);
  ASSERT_EQ(bad_env.problems.size(), 1u);
  EXPECT_EQ(bad_env.problems.front(),
            "STAGEMATCH_WORKERS: workers verwacht een getal van 1 tot 256");
  auto missing = read(std::string("/nonexistent/stagematch.conf"));
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_EQ(missing.problems.front(),
            "/nonexistent/stagematch.conf: kan dit configuratiebestand niet lezen");
}

TEST_F(ServeConfig, EveryServeOptionHasANameInTheFile) {
  for (const char* option :
       {"db", "listen", "workflows", "rules", "mail-templates", "smtp", "starttls", "base-url",
        "sender", "test-clock", "test-clock-start", "workers", "trusted-proxy", "helpdesk-email",
        "helpdesk-phone", "helpdesk-hours", "info-url"}) {
    bool known = false;
    for (const auto& s : serve_settings()) known |= s.name == option;
    EXPECT_TRUE(known) << option;
  }
}

}  // namespace
}  // namespace stagematch
