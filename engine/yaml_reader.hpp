// Structure checks on yaml-cpp nodes for the definitions loader (internal to engine/).
// Every problem is collected with its position; nothing throws.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.hpp"
#include "local_time.hpp"

namespace stagematch {

class YamlReader {
 public:
  YamlReader(std::string file, Diagnostics& diagnostics)
      : file_(std::move(file)), diagnostics_(diagnostics) {}

  const std::string& file() const { return file_; }
  Diagnostics& diagnostics() { return diagnostics_; }
  SourcePos pos(const YAML::Node& node) const;
  void error(const YAML::Node& at, std::string_view code, std::string message);

  // Parses text; a syntax error becomes WF0101 and nullopt. Duplicate keys anywhere in the
  // document are reported (WF0102): yaml-cpp keeps the first silently.
  std::optional<YAML::Node> parse(std::string_view text);

  // Requires a mapping (`what` names it in messages); reports keys outside required and
  // optional (WF0103) and missing required keys (WF0104). False when not a mapping.
  bool mapping(const YAML::Node& node, std::string_view what,
               std::initializer_list<std::string_view> required,
               std::initializer_list<std::string_view> optional);
  bool sequence(const YAML::Node& node, std::string_view what);

  // Typed reads of map[key]; nullopt when absent (no message) or wrong (a message).
  std::optional<std::string> text(const YAML::Node& map, std::string_view key);
  std::optional<std::string> identifier(const YAML::Node& map, std::string_view key);
  std::optional<std::string> choice(const YAML::Node& map, std::string_view key,
                                    const std::vector<std::string>& allowed);
  std::optional<std::int64_t> integer(const YAML::Node& map, std::string_view key);
  std::optional<double> number(const YAML::Node& map, std::string_view key);
  std::optional<bool> boolean(const YAML::Node& map, std::string_view key);
  std::optional<Instant> moment(const YAML::Node& map, std::string_view key);
  // The end of a window: as `moment`, but a date alone ("2024-11-30") ends at the end of that
  // day, so the window includes it (the manuals' "17/06/2024 tot 30/11/2024").
  std::optional<Instant> end_moment(const YAML::Node& map, std::string_view key);
  std::optional<LocalDateTime> date(const YAML::Node& map, std::string_view key);
  // A text or a list of texts; positions of each item are returned in `positions`.
  std::optional<std::vector<std::string>> text_list(const YAML::Node& map, std::string_view key,
                                                    std::vector<SourcePos>* positions = nullptr,
                                                    bool allow_single = false);

  SourcePos pos_of(const YAML::Node& map, std::string_view key) const;

 private:
  void find_duplicate_keys(const YAML::Node& node, int depth);
  std::string file_;
  Diagnostics& diagnostics_;
};

bool is_identifier(std::string_view s);

}  // namespace stagematch
