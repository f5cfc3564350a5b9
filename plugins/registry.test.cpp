// The plugin registry: the built-in call list, each key once, frozen after start-up, and lookups
// of unknown keys answered with a Dutch message that names the known ones.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "builtin.hpp"

namespace stagematch {
namespace {

using Keys = std::vector<std::string>;

// The message of the PluginError that `f` throws; empty when it throws none.
template <typename F>
std::string plugin_error_of(F f) {
  try {
    f();
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class Registry : public ::testing::Test {
 protected:
  void SetUp() override { register_builtin_plugins(plugins_); }
  PluginRegistry plugins_;
};

TEST_F(Registry, EveryBuiltInIsRegisteredOnce) {
  EXPECT_EQ(plugins_.stores.keys(), (Keys{"postgres", "postgresql", "sqlite"}));
  EXPECT_EQ(plugins_.mailers.keys(), (Keys{"maildrop", "smtp"}));
  EXPECT_EQ(plugins_.exporters.keys(), (Keys{"csv", "xlsx"}));
  EXPECT_EQ(plugins_.exporters.exporter("csv").extension(), "csv");
  EXPECT_EQ(plugins_.exporters.exporter("xlsx").extension(), "xlsx");
  // A second call list over the same registry finds every name taken.
  EXPECT_TRUE(
      contains(plugin_error_of([&] { register_builtin_plugins(plugins_); }), "al geregistreerd"));
}

TEST_F(Registry, ADuplicateKeyIsRefused) {
  auto csv = plugins_.exporters.get("csv");
  const std::string error = plugin_error_of([&] { plugins_.exporters.add("csv", csv); });
  EXPECT_EQ(error, "exportformaat 'csv' is al geregistreerd; elke naam kan maar één keer");
  const std::string store_error =
      plugin_error_of([&] { plugins_.stores.add("sqlite", plugins_.stores.get("postgresql")); });
  EXPECT_TRUE(contains(store_error, "databanksoort 'sqlite' is al geregistreerd"));
  EXPECT_EQ(&plugins_.exporters.exporter("csv"), csv.get());  // the first one stays
}

TEST_F(Registry, RegisteringAfterFreezeFails) {
  EXPECT_FALSE(plugins_.frozen());
  plugins_.freeze();
  EXPECT_TRUE(plugins_.frozen());
  auto csv = plugins_.exporters.get("csv");
  EXPECT_TRUE(contains(plugin_error_of([&] { plugins_.exporters.add("csv2", csv); }),
                       "exportformaat 'csv2' komt te laat"));
  EXPECT_TRUE(contains(plugin_error_of([&] { plugins_.mailers.add("log", {}); }),
                       "mailer 'log' komt te laat"));
  EXPECT_TRUE(contains(plugin_error_of([&] { plugins_.stores.add("mysql", {}); }),
                       "databanksoort 'mysql' komt te laat"));
  EXPECT_FALSE(plugins_.exporters.contains("csv2"));
  // Reading goes on as before.
  EXPECT_EQ(plugins_.exporters.exporter("xlsx").extension(), "xlsx");
}

TEST_F(Registry, AnUnknownFormatNamesTheKnownOnes) {
  EXPECT_EQ(plugin_error_of([&] { plugins_.exporters.exporter("pdf"); }),
            "onbekend exportformaat 'pdf'; bekend: csv, xlsx");
  EXPECT_EQ(plugin_error_of([&] { plugins_.make_mailer("duif", MailerSettings{}); }),
            "onbekende mailer 'duif'; bekend: maildrop, smtp");
}

TEST_F(Registry, AnUnknownSchemeNamesTheKnownOnesButNotThePassword) {
  const std::string error =
      plugin_error_of([&] { plugins_.open_store("mysql://beheer:geheim@db/stagematch"); });
  EXPECT_EQ(error, "onbekende databanksoort 'mysql'; bekend: postgres, postgresql, sqlite");
  const std::string bare = plugin_error_of([&] { plugins_.store_for("var/stagematch.db"); });
  EXPECT_TRUE(
      contains(bare, "een databankadres begint met zijn soort (postgres:, postgresql:, sqlite:)"))
      << bare;
  EXPECT_EQ(plugin_error_of([] { PluginRegistry{}.store_for("sqlite:x.db"); }),
            "onbekende databanksoort 'sqlite'; bekend: geen");
}

TEST_F(Registry, TheBuiltInsOpenWhatTheCommandLineAsksFor) {
  plugins_.freeze();
  const auto dir = std::filesystem::temp_directory_path() /
                   ("stagematch-registry-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  // An SQLite file in a folder that does not exist yet: made, then migrated.
  auto db = plugins_.open_store("sqlite:" + (dir / "var" / "test.db").string());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->dialect(), "sqlite");
  EXPECT_TRUE(db->organisations("school").empty());
  // PostgreSQL is copied with pg_dump; SQLite by `stagematch backup`.
  EXPECT_FALSE(plugins_.store_for("postgres://x@h/db").backup);
  EXPECT_TRUE(contains(plugins_.store_for("postgresql://x@h/db").backup_elsewhere, "pg_dump"));
  auto copied =
      plugins_.store_for("sqlite:x")
          .backup("sqlite:" + (dir / "var" / "test.db").string(), (dir / "kopie.db").string());
  ASSERT_TRUE(copied) << copied.error();
  EXPECT_TRUE(contains(*copied, "pagina's"));
  MailerSettings settings;
  settings.maildrop_dir = dir / "mail";
  settings.sender = "Stagematch <info@stagematching.org>";
  EXPECT_NE(plugins_.make_mailer("maildrop", settings), nullptr);
  EXPECT_THROW(plugins_.make_mailer("smtp", settings), std::invalid_argument);  // no server
  settings.server = "127.0.0.1:2525";
  EXPECT_NE(plugins_.make_mailer("smtp", settings), nullptr);
  db.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace stagematch
