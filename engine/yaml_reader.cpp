#include "yaml_reader.hpp"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace stagematch {

namespace {

std::string join(std::initializer_list<std::string_view> a,
                 std::initializer_list<std::string_view> b) {
  std::string out;
  for (auto list : {a, b})
    for (auto k : list) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

}  // namespace

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

SourcePos YamlReader::pos(const YAML::Node& node) const {
  // A missing key reads as an invalid node, whose Mark() throws: it has no position.
  if (!node.IsDefined()) return {file_, 0, 0};
  YAML::Mark m = node.Mark();
  if (m.is_null()) return {file_, 0, 0};
  return {file_, m.line + 1, m.column + 1};
}

SourcePos YamlReader::pos_of(const YAML::Node& map, std::string_view key) const {
  if (map.IsMap()) {
    for (const auto& kv : map) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return pos(kv.second);
    }
  }
  return pos(map);
}

void YamlReader::error(const YAML::Node& at, std::string_view code, std::string message) {
  diagnostics_.error(pos(at), code, std::move(message));
}

namespace {

// Walks the parser's events without building nodes: the first anchor or alias, and how many
// nodes the text holds. An alias is a shared node, so a few lines of nested aliases stand for
// millions of nodes that every walk over the document would visit (the "billion laughs").
class AliasFinder : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> found;
  std::size_t nodes = 0;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { node(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    if (!found) found = mark;
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    node(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    node(mark, anchor);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    node(mark, anchor);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark, YAML::anchor_t anchor) {
    ++nodes;
    if (anchor != YAML::NullAnchor && !found) found = mark;
  }
};

// More nodes than any definition needs (the largest shipped file has a few hundred).
constexpr std::size_t kMaxNodes = 200000;

}  // namespace

std::optional<YAML::Node> YamlReader::parse(std::string_view text) {
  try {
    // Definitions need no anchors or aliases: refused before the document is built.
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    AliasFinder finder;
    while (parser.HandleNextDocument(finder) && !finder.found && finder.nodes <= kMaxNodes) {
    }
    if (finder.found) {
      diagnostics_.error(
          {file_, finder.found->line + 1, finder.found->column + 1}, "WF0111",
          "ankers (&naam) en verwijzingen (*naam) zijn niet toegelaten in definities: "
          "schrijf de waarde voluit");
      return std::nullopt;
    }
    if (finder.nodes > kMaxNodes) {
      diagnostics_.error({file_, 1, 1}, "WF0111",
                         "dit bestand bevat meer dan " + std::to_string(kMaxNodes) +
                             " waarden; zo groot is geen definitie");
      return std::nullopt;
    }
    YAML::Node root = YAML::Load(std::string(text));
    find_duplicate_keys(root, 0);
    return root;
  } catch (const YAML::Exception& e) {
    diagnostics_.error({file_, e.mark.line + 1, e.mark.column + 1}, "WF0101",
                       "geen geldige YAML: " + e.msg);
    return std::nullopt;
  }
}

void YamlReader::find_duplicate_keys(const YAML::Node& node, int depth) {
  if (depth > 64) return;
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second) {
        error(kv.first, "WF0102",
              "sleutel '" + kv.first.Scalar() + "' staat twee keer in dezelfde mapping");
      }
      find_duplicate_keys(kv.second, depth + 1);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) find_duplicate_keys(item, depth + 1);
  }
}

bool YamlReader::mapping(const YAML::Node& node, std::string_view what,
                         std::initializer_list<std::string_view> required,
                         std::initializer_list<std::string_view> optional) {
  if (!node.IsMap()) {
    error(node, "WF0105", std::string(what) + " moet een mapping (sleutel: waarde) zijn");
    return false;
  }
  for (const auto& kv : node) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    bool known = std::find(required.begin(), required.end(), key) != required.end() ||
                 std::find(optional.begin(), optional.end(), key) != optional.end();
    if (!known) {
      error(kv.first, "WF0103",
            "onbekende sleutel '" + key + "' in " + std::string(what) +
                " (toegelaten: " + join(required, optional) + ")");
    }
  }
  for (auto key : required) {
    if (!node[std::string(key)].IsDefined()) {
      error(node, "WF0104",
            std::string(what) + " mist de verplichte sleutel '" + std::string(key) + "'");
    }
  }
  return true;
}

bool YamlReader::sequence(const YAML::Node& node, std::string_view what) {
  if (!node.IsDefined()) return false;  // a missing required list is reported by mapping()
  if (!node.IsSequence()) {
    error(node, "WF0105", std::string(what) + " moet een lijst zijn");
    return false;
  }
  return true;
}

std::optional<std::string> YamlReader::text(const YAML::Node& map, std::string_view key) {
  YAML::Node v = map[std::string(key)];
  if (!v.IsDefined() || v.IsNull()) return std::nullopt;
  if (!v.IsScalar()) {
    error(v, "WF0105", "'" + std::string(key) + "' moet tekst zijn");
    return std::nullopt;
  }
  return v.Scalar();
}

std::optional<std::string> YamlReader::identifier(const YAML::Node& map, std::string_view key) {
  auto s = text(map, key);
  if (s && !is_identifier(*s)) {
    error(map[std::string(key)], "WF0109",
          "'" + *s + "' is geen geldige id: gebruik kleine letters, cijfers en _");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> YamlReader::choice(const YAML::Node& map, std::string_view key,
                                              const std::vector<std::string>& allowed) {
  auto s = text(map, key);
  if (s && std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    error(map[std::string(key)], "WF0108",
          "'" + *s + "' is geen geldige waarde voor " + std::string(key) + " (kies uit: " + list +
              ")");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& map, std::string_view key) {
  YAML::Node v = map[std::string(key)];
  if (!v.IsDefined() || v.IsNull()) return std::nullopt;
  std::int64_t out = 0;
  if (!v.IsScalar() || !YAML::convert<std::int64_t>::decode(v, out)) {
    error(v, "WF0105", "'" + std::string(key) + "' moet een geheel getal zijn");
    return std::nullopt;
  }
  return out;
}

std::optional<double> YamlReader::number(const YAML::Node& map, std::string_view key) {
  YAML::Node v = map[std::string(key)];
  if (!v.IsDefined() || v.IsNull()) return std::nullopt;
  double out = 0;
  if (!v.IsScalar() || !YAML::convert<double>::decode(v, out) || !std::isfinite(out)) {
    error(v, "WF0105", "'" + std::string(key) + "' moet een getal zijn");
    return std::nullopt;
  }
  return out;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& map, std::string_view key) {
  YAML::Node v = map[std::string(key)];
  if (!v.IsDefined() || v.IsNull()) return std::nullopt;
  bool out = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, out)) {
    error(v, "WF0105", "'" + std::string(key) + "' moet true of false zijn");
    return std::nullopt;
  }
  return out;
}

std::optional<LocalDateTime> YamlReader::date(const YAML::Node& map, std::string_view key) {
  auto s = text(map, key);
  if (!s) return std::nullopt;
  auto local = parse_local(*s);
  if (!local) {
    error(map[std::string(key)], "WF0107",
          "'" + *s + "' is geen geldig moment voor " + std::string(key) +
              " (schrijf JJJJ-MM-DD of JJJJ-MM-DD UU:MM, Belgische tijd)");
  }
  return local;
}

std::optional<Instant> YamlReader::moment(const YAML::Node& map, std::string_view key) {
  auto local = date(map, key);
  if (!local) return std::nullopt;
  return from_brussels(*local);
}

std::optional<Instant> YamlReader::end_moment(const YAML::Node& map, std::string_view key) {
  auto start = moment(map, key);
  if (!start || text(map, key)->size() != 10) return start;
  return add_local_days(*start, 1);
}

std::optional<std::vector<std::string>> YamlReader::text_list(const YAML::Node& map,
                                                              std::string_view key,
                                                              std::vector<SourcePos>* positions,
                                                              bool allow_single) {
  YAML::Node v = map[std::string(key)];
  if (!v.IsDefined() || v.IsNull()) return std::nullopt;
  std::vector<std::string> out;
  if (v.IsScalar() && allow_single) {
    out.push_back(v.Scalar());
    if (positions) positions->push_back(pos(v));
    return out;
  }
  if (!v.IsSequence()) {
    error(v, "WF0105", "'" + std::string(key) + "' moet een lijst van teksten zijn");
    return std::nullopt;
  }
  for (const auto& item : v) {
    if (!item.IsScalar()) {
      error(item, "WF0105", "elk element van '" + std::string(key) + "' moet tekst zijn");
      continue;
    }
    out.push_back(item.Scalar());
    if (positions) positions->push_back(pos(item));
  }
  return out;
}

}  // namespace stagematch
