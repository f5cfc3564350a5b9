// One broken definition set per error code (tests/fixtures/invalid/<CODE>_<name>/), each with
// exactly one defect, and the position where the checker must report it.
//
// A fixture directory holds only the files it changes: the test copies the valid set in
// tests/fixtures/invalid/_base/{workflows,rules} to a scratch directory, lays the fixture's
// workflows/ and rules/ over it (same path: replaced; new path: added) and loads the result.
// Directories whose name starts with '_' are not per-code fixtures.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "definitions.hpp"
#include "diagnostics.hpp"

namespace stagematch {
namespace {

namespace fs = std::filesystem;
using namespace std::string_view_literals;

fs::path fixtures_root() {
  return fs::path(STAGEMATCH_SOURCE_DIR) / "tests" / "fixtures" / "invalid";
}

struct InvalidFixture {
  std::string_view dir;   // under tests/fixtures/invalid/
  std::string_view code;  // the code the defect must produce
  std::string_view file;  // the reported file, relative to the scratch dir
  int line;               // 1-based
  int column;             // 1-based
};

void PrintTo(const InvalidFixture& f, std::ostream* os) {
  *os << f.dir << " -> " << f.file << ':' << f.line << ':' << f.column << " [" << f.code << ']';
}

// Line and column: yaml-cpp marks. A value's mark is where the value starts, a key's where the
// key starts, a block mapping's its first key, a flow mapping's its '{'. Lua gives no column.
constexpr InvalidFixture kFixtures[] = {
    // Unquoted "label: Stage: thuiszorg": yaml-cpp stops at the second ':'.
    {"WF0101_invalid_yaml", "WF0101", "workflows/tracks/thuiszorg.yaml", 5, 13},
    // A second `label:` at the end of the workflow: reported at the second key.
    {"WF0102_duplicate_key", "WF0102", "workflows/tracks/demo.yaml", 14, 1},
    // `exclusief: true` in a status: reported at the key.
    {"WF0103_unknown_key", "WF0103", "workflows/tracks/demo.yaml", 8, 37},
    // `persoon:` in the track's labels (the key is `person`): reported at the key.
    {"WF0103_unknown_label", "WF0103", "workflows/tracks/demo.yaml", 7, 3},
    // `mentor: " "` in the track's labels: an empty word, reported at the value.
    {"WF0105_empty_label", "WF0105", "workflows/tracks/demo.yaml", 7, 11},
    // A transition without `to`: reported at the row (its first key, `from`).
    {"WF0104_missing_key", "WF0104", "workflows/tracks/demo.yaml", 10, 5},
    // A round of kind open without `closes` (meaning pass): reported at the round's id value.
    {"WF0104_round_without_closes", "WF0104", "workflows/calendars/demo/2025-2026.yaml", 11, 9},
    // `required: ja`: reported at the value.
    {"WF0105_wrong_type", "WF0105", "workflows/fields/basis.yaml", 8, 15},
    // `kind: track` in an extra file: reported at the value.
    {"WF0106_unknown_kind", "WF0106", "workflows/tracks/extra.yaml", 1, 7},
    // A round that opens on 31 September: reported at the value.
    {"WF0107_bad_moment", "WF0107", "workflows/calendars/demo/2025-2026.yaml", 13, 12},
    // A round of kind `voorkeur`: reported at the value.
    {"WF0108_bad_choice", "WF0108", "workflows/calendars/demo/2025-2026.yaml", 12, 11},
    // A field with id `first-name`: reported at the value.
    {"WF0109_bad_id", "WF0109", "workflows/fields/basis.yaml", 5, 9},
    // fields/basis_kopie.yaml also says `name: basis`; it sorts after fields/basis.yaml, so it
    // is the duplicate. Reported at the second file's first key (line 2, after a comment).
    {"WF0110_duplicate_name", "WF0110", "workflows/fields/basis_kopie.yaml", 2, 1},
    // `rules: &regels`: an anchor, refused before the document is built; reported at the
    // anchor.
    {"WF0111_alias", "WF0111", "workflows/calendars/demo/2025-2026.yaml", 6, 8},
    // A calendar without `rounds` (once a 500 from the upload): reported at the calendar.
    {"WF0104_calendar_without_rounds", "WF0104", "workflows/calendars/demo/2025-2026.yaml", 1, 1},
    // `to: aanvard`: reported at the value.
    {"WF0201_unknown_status", "WF0201", "workflows/tracks/demo.yaml", 11, 9},
    // `when: guards.service_may_decid`: reported at the value.
    {"WF0202_unknown_rule", "WF0202", "workflows/tracks/demo.yaml", 12, 11},
    // `fieldsets: [basis, adres]`: reported at the list item.
    {"WF0203_unknown_fieldset", "WF0203", "workflows/tracks/demo.yaml", 5, 20},
    // A second round opening before the first closes: reported at the second round's opens.
    {"WF0204_rounds_overlap", "WF0204", "workflows/calendars/demo/2025-2026.yaml", 17, 12},
    // A round that closes before it opens: reported at the closes value.
    {"WF0205_closes_before_opens", "WF0205", "workflows/calendars/demo/2025-2026.yaml", 14, 13},
    // Status `aanvaard` defined twice: reported at the second id value.
    {"WF0206_duplicate_status", "WF0206", "workflows/tracks/demo.yaml", 9, 10},
    // Two statuses with `initial: true`: reported at the workflow's first key (see below).
    {"WF0207_two_initial_statuses", "WF0207", "workflows/tracks/demo.yaml", 7, 3},
    // `effects: [notify_school, send_sms]`: reported at the list item.
    {"WF0208_unknown_effect", "WF0208", "workflows/tracks/demo.yaml", 13, 30},
    // `year: "2025-2027"`: reported at the value (the opening quote).
    {"WF0209_bad_school_year", "WF0209", "workflows/calendars/demo/2025-2026.yaml", 5, 7},
    // calendars/demo/2025-2026_kopie.yaml is a second demo 2025-2026 calendar; it sorts after
    // calendars/demo/2025-2026.yaml. Reported at its first key (line 2, after a comment).
    {"WF0210_second_calendar", "WF0210", "workflows/calendars/demo/2025-2026_kopie.yaml", 2, 1},
    // `type: enum` without `values`: reported at the type value.
    {"WF0211_enum_without_values", "WF0211", "workflows/fields/basis.yaml", 11, 11},
    // Registration until 01/10 while the only round closes on 19/09: nobody would see what is
    // registered in between. Reported at the registration's closes value.
    {"WF0212_registration_after_last_round", "WF0212", "workflows/calendars/demo/2025-2026.yaml",
     12, 11},
    // The same for a round's own registration window (CVO): reported at its closes value.
    {"WF0212_round_registration_after_last_round", "WF0212",
     "workflows/calendars/demo/2025-2026.yaml", 17, 15},
    // A blackout whose registrations become visible only after the last round closes.
    {"WF0212_blackout_visible_after_last_round", "WF0212",
     "workflows/calendars/demo/2025-2026.yaml", 14, 19},
    // A missing ',' in a table constructor: the line Lua names, column 1.
    {"RL0301_lua_syntax", "RL0301", "rules/checks.lua", 6, 1},
    // rules/checks.lua starts with the binary chunk signature (written by the test).
    {"RL0302_binary_chunk", "RL0302", "rules/checks.lua", 1, 1},
    // rules/checks.lua forgets `return M`: it returns nil. No line from Lua: 1:1.
    {"RL0303_no_table", "RL0303", "rules/checks.lua", 1, 1},
    // rules/transport.lua answers a number where a text or nil is asked: at its start.
    {"RL0304_transport_hint", "RL0304", "rules/transport.lua", 1, 1},
};

// Files a fixture needs that should not live in git as such: written into the scratch copy.
struct GeneratedFile {
  std::string_view dir;
  std::string_view file;
  std::string_view bytes;
};

// The start of what luac 5.4 writes: ESC "Lua", version 0x54, format 0, LUAC_DATA, sizes.
constexpr std::string_view kBinaryChunk = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08"sv;

constexpr GeneratedFile kGenerated[] = {
    {"RL0302_binary_chunk", "rules/checks.lua", kBinaryChunk},
};

// A scratch directory, removed again at the end of the test.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view name)
      : path_(fs::temp_directory_path() /
              ("stagematch_invalid_" + std::to_string(getpid()) + "_" + std::string(name))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Copies `from`/{workflows,rules} (those that exist) over `to`.
void overlay(const fs::path& from, const fs::path& to) {
  for (const char* sub : {"workflows", "rules"}) {
    if (fs::is_directory(from / sub)) {
      fs::copy(from / sub, to / sub,
               fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    }
  }
}

// The base, then the fixture `dir` (if any), then its generated files, loaded from `scratch`.
LoadResult load_fixture(const ScratchDir& scratch, std::string_view dir) {
  overlay(fixtures_root() / "_base", scratch.path());
  if (!dir.empty()) overlay(fixtures_root() / dir, scratch.path());
  for (const auto& g : kGenerated) {
    if (g.dir != dir) continue;
    const fs::path target = scratch.path() / g.file;
    fs::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(g.bytes.data(), static_cast<std::streamsize>(g.bytes.size()));
  }
  return load_definitions(scratch.path() / "workflows", scratch.path() / "rules");
}

std::string dump(const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics.sorted()) out += "  " + d.to_string() + "\n";
  return out.empty() ? "  (no diagnostics)\n" : out;
}

// True when `file` is `suffix` under some directory ("/tmp/x/workflows/a.yaml" ends with
// "workflows/a.yaml" on a path boundary).
bool names_file(std::string_view file, std::string_view suffix) {
  if (!file.ends_with(suffix)) return false;
  return file.size() == suffix.size() || file[file.size() - suffix.size() - 1] == '/';
}

bool has_diagnostic(const Diagnostics& diagnostics, std::string_view code, std::string_view file,
                    int line, int column) {
  return std::any_of(diagnostics.all().begin(), diagnostics.all().end(), [&](const Diagnostic& d) {
    return d.severity == Severity::kError && d.code == code && names_file(d.pos.file, file) &&
           d.pos.line == line && d.pos.column == column;
  });
}

TEST(InvalidFixtures, BaseLoadsWithoutAnyDiagnostic) {
  ScratchDir scratch("base");
  LoadResult result = load_fixture(scratch, "");
  EXPECT_TRUE(result.ok());
  EXPECT_TRUE(result.diagnostics.all().empty()) << dump(result.diagnostics);
  ASSERT_NE(result.definitions, nullptr);
  const DefinitionSet& set = *result.definitions;
  // The base really is a whole set, so each fixture's one defect is the only thing wrong.
  EXPECT_EQ(set.file_count, 6u);
  EXPECT_NE(set.workflow("demo"), nullptr);
  EXPECT_TRUE(set.fieldsets.contains("basis"));
  EXPECT_NE(set.calendar("demo", "2025-2026"), nullptr);
  EXPECT_TRUE(set.has_rule("guards.service_may_decide"));
  EXPECT_TRUE(set.has_rule("timing.moment"));
  EXPECT_TRUE(set.has_rule("timing.events"));
  EXPECT_TRUE(set.has_rule("visibility.by_round"));
}

class InvalidFixtureTest : public ::testing::TestWithParam<InvalidFixture> {};

TEST_P(InvalidFixtureTest, ReportsItsOneDefectWhereItIs) {
  const InvalidFixture& f = GetParam();
  ASSERT_TRUE(f.dir.starts_with(std::string(f.code) + "_"))
      << "a fixture directory is named <CODE>_<short_name>";
  ASSERT_TRUE(fs::is_directory(fixtures_root() / f.dir)) << (fixtures_root() / f.dir);

  ScratchDir scratch(f.dir);
  LoadResult result = load_fixture(scratch, f.dir);
  EXPECT_FALSE(result.ok()) << dump(result.diagnostics);
  EXPECT_TRUE(has_diagnostic(result.diagnostics, f.code, f.file, f.line, f.column))
      << "expected " << f.file << ':' << f.line << ':' << f.column << ": error: ... [" << f.code
      << "]\ngot:\n"
      << dump(result.diagnostics);
  // One defect, one diagnostic: a second one means the fixture (or the base) has drifted, or
  // the checker reports one mistake twice.
  EXPECT_EQ(result.diagnostics.all().size(), 1u) << dump(result.diagnostics);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, InvalidFixtureTest, ::testing::ValuesIn(kFixtures),
                         [](const ::testing::TestParamInfo<InvalidFixture>& p) {
                           return std::string(p.param.dir);
                         });

TEST(InvalidFixtures, EveryErrorCodeHasAFixture) {
  std::set<std::string_view> documented;
  for (const auto& doc : error_codes()) {
    documented.insert(doc.code);
    EXPECT_TRUE(std::any_of(std::begin(kFixtures), std::end(kFixtures),
                            [&](const InvalidFixture& f) { return f.code == doc.code; }))
        << doc.code << " (" << doc.summary << ") has no fixture in tests/fixtures/invalid/";
  }
  for (const auto& f : kFixtures)
    EXPECT_TRUE(documented.contains(f.code))
        << f.dir << ": " << f.code << " is not in error_codes()";
}

TEST(InvalidFixtures, EveryFixtureDirectoryIsInTheTable) {
  std::vector<std::string> dirs;
  for (const auto& entry : fs::directory_iterator(fixtures_root())) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && !name.starts_with('_')) dirs.push_back(name);
  }
  EXPECT_EQ(dirs.size(), std::size(kFixtures));
  for (const auto& name : dirs) {
    EXPECT_TRUE(std::any_of(std::begin(kFixtures), std::end(kFixtures),
                            [&](const InvalidFixture& f) { return f.dir == name; }))
        << "tests/fixtures/invalid/" << name << " is not in the table of invalid_fixtures.test.cpp";
  }
}

TEST(InvalidFixtures, AFileWithSeveralDefectsReportsEveryOne) {
  ScratchDir scratch("several_defects");
  LoadResult result = load_fixture(scratch, "_several_defects");
  EXPECT_FALSE(result.ok());
  constexpr std::string_view kFile = "workflows/tracks/demo.yaml";
  struct Expected {
    std::string_view code;
    int line;
    int column;
  };
  // Structure pass (WF01xx) and meaning pass (WF02xx), all in the one file.
  constexpr Expected kExpected[] = {
      {"WF0105", 4, 10},   // version: een
      {"WF0103", 9, 37},   // exclusief: true
      {"WF0201", 12, 9},   // to: aanvard
      {"WF0202", 13, 11},  // when: guards.service_may_decid
      {"WF0208", 14, 24},  // requires: [mentor, stagebegeleider]
  };
  for (const auto& e : kExpected) {
    EXPECT_TRUE(has_diagnostic(result.diagnostics, e.code, kFile, e.line, e.column))
        << "missing " << kFile << ':' << e.line << ':' << e.column << " [" << e.code << "]\ngot:\n"
        << dump(result.diagnostics);
  }
  EXPECT_EQ(result.diagnostics.error_count(), std::size(kExpected)) << dump(result.diagnostics);

  // `check` prints them in file order.
  const std::vector<Diagnostic> sorted = result.diagnostics.sorted();
  ASSERT_EQ(sorted.size(), std::size(kExpected));
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(sorted[i].code, kExpected[i].code);
    EXPECT_EQ(sorted[i].pos.line, kExpected[i].line);
  }
}

}  // namespace
}  // namespace stagematch
