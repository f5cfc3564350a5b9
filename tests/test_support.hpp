// Shared helpers for the cross-component tests: the shipped definitions, loaded once.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "definitions.hpp"
#include "local_time.hpp"
#include "rules.hpp"

namespace stagematch::testing {

inline std::string source_path(const std::string& relative) {
  return std::string(STAGEMATCH_SOURCE_DIR) + "/" + relative;
}

// The definitions in workflows/ and rules/; fails the test when they do not load cleanly.
inline std::shared_ptr<const DefinitionSet> shipped_definitions() {
  static std::shared_ptr<const DefinitionSet> kSet = [] {
    LoadResult loaded = load_definitions(source_path("workflows"), source_path("rules"));
    for (const auto& d : loaded.diagnostics.all()) ADD_FAILURE() << d.to_string();
    return std::shared_ptr<const DefinitionSet>(loaded.definitions);
  }();
  return kSet;
}

inline Instant local(const std::string& text) {
  auto t = parse_instant(text);
  EXPECT_TRUE(t) << "bad time in test: " << text;
  return t ? *t : Instant{};
}

inline Moment moment_at(const RuleEngine& rules, const Calendar& cal, Instant t) {
  auto m = rules.moment(cal, t);
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return m ? *m : Moment{};
}

}  // namespace stagematch::testing
